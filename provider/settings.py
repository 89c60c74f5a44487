"""Provider settings: the `provider "oci" { ... }` block and the environment variables behind it.

Pure: `read_settings()` turns the configuration and an environment mapping into `Settings` or the
problems that stop it, each naming the attribute, its variable and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tf.types import Unknown

from provider.pem import pem_problem
from provider.problems import Problem

DEFAULT_HOST = "api.spectrocloud.com"
PREFLIGHT_MODES = ("off", "apply", "plan")


@dataclass(frozen=True)
class Setting:
    name: str
    env: tuple[str, ...]  # first set wins: ours, then the official Spectro Cloud provider's name
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "host",
        ("PALETTE_HOST", "SPECTROCLOUD_HOST"),
        f'Palette API host (`host[:port]` or `https://` URL). Default `"{DEFAULT_HOST}"`.',
    ),
    Setting(
        "api_key",
        ("PALETTE_API_KEY", "SPECTROCLOUD_APIKEY"),
        "Palette API key (Palette: Profile > My API Keys). Required, here or in the environment.",
    ),
    Setting(
        "ca_certificate",
        ("PALETTE_CA_CERTIFICATE",),
        "PEM bundle that signs the Palette API's certificate (self-hosted Palette). `PALETTE_CA_CERTIFICATE` "
        "may also hold the path of a PEM file.",
    ),
    Setting(
        "insecure",
        ("PALETTE_INSECURE",),
        "Skip TLS verification of the Palette API (warns), and allow plain `http://` to a non-loopback host. "
        "Default `false`.",
    ),
    Setting("request_timeout", ("PALETTE_REQUEST_TIMEOUT",), "Seconds per HTTP request to Palette. Default `30`."),
    Setting(
        "max_retries",
        ("PALETTE_MAX_RETRIES",),
        "Retries of a request that met 429, 502, 503, 504 or a connection error, honouring `Retry-After`. Default `5`.",
    ),
    Setting(
        "preflight",
        ("PALETTE_OCI_PREFLIGHT",),
        'Check each registry from this machine before Palette stores it: `"off"`, `"apply"` (default) or `"plan"`.',
    ),
)


@dataclass(frozen=True)
class RemovedSetting:
    """A setting that no longer does anything, kept in the schema for one minor version so that a
    configuration still holding it plans, with a warning saying what replaced it, instead of failing
    with Terraform's bare 'An argument named "..." is not expected here'."""

    name: str
    detail: str  # why it is gone and the fix, for the schema's deprecation note and the warning
    until: str  # the version that removes it from the schema


REMOVED_SETTINGS: tuple[RemovedSetting, ...] = (
    RemovedSetting(
        "project",
        "registries are tenant-level in Palette; the provider ignores project; remove it",
        "0.3.0",
    ),
)


def removed_setting_problems(config: Mapping[str, Any]) -> list[Problem]:
    """A warning at each removed setting the provider block still sets (an unknown value counts: it
    is set, whatever it turns out to be)."""
    return [
        Problem(
            (removed.name,),
            f"Argument {removed.name} is deprecated",
            f'{removed.detail[:1].upper()}{removed.detail[1:]} from the provider "oci" block. It is accepted and '
            f"ignored until version {removed.until}, which removes it.",
            "warning",
        )
        for removed in REMOVED_SETTINGS
        if config.get(removed.name) is not None
    ]


@dataclass(frozen=True)
class Settings:
    host: str
    api_key: str = field(repr=False)
    ca_certificate: str | None = None
    insecure: bool = False
    request_timeout: float = 30.0
    max_retries: int = 5
    preflight: str = "apply"


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def source_of(name: str, config: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """Where the value of setting `name` comes from, in words for a diagnostic: the provider block,
    an environment variable, or the default. An empty string counts as unset, here and in `read_settings`."""
    setting = next(s for s in SETTINGS if s.name == name)
    if _given(config.get(name)):
        return f'{name} in the provider "oci" block'
    for variable in setting.env:
        if _given(env.get(variable)):
            return f"the environment variable {variable}"
    return "the default"


def _unset_note(name: str, config: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """Why `name` has no value: which sources were looked at, and which of them held an empty string."""
    setting = next(s for s in SETTINGS if s.name == name)
    empty = [f'{name} in the provider "oci" block' for v in [config.get(name)] if isinstance(v, str)]
    empty += [variable for variable in setting.env if isinstance(env.get(variable), str)]
    variables = " and ".join(setting.env)
    if empty:
        return (
            f"{' and '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty, and an empty string counts as "
            f"unset; {name} in the provider block, {variables} were looked at, in that order."
        )
    return f"Neither {name} in the provider block nor {variables} is set."


def read_settings(config: Mapping[str, Any], env: Mapping[str, str]) -> tuple[Settings | None, list[Problem]]:
    """Settings from the provider block, falling back to the environment, then to defaults.

    An empty (or blank) string counts as unset wherever it is given, so `api_key = var.key` with a
    `default = ""` lets PALETTE_API_KEY through. A value not known yet (Unknown, at validate) is not
    checked. Each problem says which source the bad value came from."""
    problems: list[Problem] = []
    raw = {s.name: _pick(s, config, env) for s in SETTINGS}

    def source(name: str) -> str:
        return source_of(name, config, env)

    api_key = raw["api_key"]
    if api_key is None:
        problems.append(
            Problem(
                ("api_key",),
                "Missing Palette API key",
                f'{_unset_note("api_key", config, env)} Set api_key in the provider "oci" block, or the '
                "PALETTE_API_KEY environment variable (SPECTROCLOUD_APIKEY is read too). Create a key in Palette "
                "under Profile > My API Keys.",
            )
        )
    insecure = _boolean("insecure", raw["insecure"], problems, source("insecure"))
    timeout = _number(
        "request_timeout", raw["request_timeout"], 30.0, problems, source("request_timeout"), minimum=1, maximum=3600
    )
    retries = _number(
        "max_retries", raw["max_retries"], 5, problems, source("max_retries"), minimum=0, maximum=100, whole=True
    )
    preflight = "apply" if raw["preflight"] in (None, Unknown) else str(raw["preflight"]).strip()
    if preflight not in PREFLIGHT_MODES:
        problems.append(
            Problem(
                ("preflight",),
                "Invalid preflight mode",
                f'preflight must be "off", "apply" or "plan"; got "{preflight}" from {source("preflight")}.',
            )
        )
    ca = _ca_certificate(raw["ca_certificate"], problems, source("ca_certificate"))
    host = DEFAULT_HOST if raw["host"] is None else raw["host"]
    if host is not Unknown and raw["insecure"] is not Unknown:
        _check_host(str(host), insecure, problems, source("host"))
    if problems:
        return None, problems
    if api_key is Unknown or host is Unknown:
        return None, []  # validate only: what is known is valid
    return (
        Settings(
            host=str(host),
            api_key=str(api_key),
            ca_certificate=ca,
            insecure=insecure,
            request_timeout=float(timeout),
            max_retries=int(retries),
            preflight=preflight,
        ),
        [],
    )


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _pick(setting: Setting, config: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    """The configured value, else the first environment variable set, else None. Unknown (a value
    Terraform knows only at apply) stays Unknown: the environment must not stand in for it."""
    value = config.get(setting.name)
    if value is Unknown:
        return Unknown
    if _given(value):
        return value
    for name in setting.env:
        if _given(env.get(name)):
            return env[name]
    return None


def _check_host(host: str, insecure: bool, problems: list[Problem], source: str) -> None:
    from provider.palette.errors import ConfigurationError  # stdlib only, as is hosts
    from provider.palette.hosts import normalize_host

    try:
        normalize_host(host, insecure=insecure)
    except ConfigurationError as exc:
        problems.append(Problem(("host",), "Invalid Palette host", f"{_sentence(str(exc))} (from {source})."))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _boolean(name: str, value: Any, problems: list[Problem], source: str) -> bool:
    if value is None or value is Unknown or isinstance(value, bool):
        return value is True
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    problems.append(Problem((name,), f"Invalid {name}", f'{name} must be true or false; got "{value}" from {source}.'))
    return False


def _number(
    name: str,
    value: Any,
    default: float,
    problems: list[Problem],
    source: str,
    minimum: float,
    maximum: float,
    *,
    whole: bool = False,
) -> float:
    """A number within bounds; with `whole`, a whole number (2.5 retries is refused, not truncated)."""
    if value is None or value is Unknown:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if not minimum <= number <= maximum or (whole and not number.is_integer()):  # also refuses nan and inf
        kind = "a whole number" if whole else "a number"
        problems.append(
            Problem(
                (name,),
                f"Invalid {name}",
                f'{name} must be {kind} from {minimum:g} to {maximum:g}; got "{value}" from {source}.',
            )
        )
        return default
    return number


def _ca_certificate(value: Any, problems: list[Problem], source: str) -> str | None:
    if value is None or value is Unknown:
        return None
    text = str(value)
    problem = None
    if "-----BEGIN" not in text:  # PALETTE_CA_CERTIFICATE may name a PEM file instead
        text, problem = _read_pem_file(text)
    problem = problem or pem_problem(text)
    if problem:
        problems.append(
            Problem(
                ("ca_certificate",),
                "Invalid Palette CA certificate",
                f"{problem} (from {source}). ca_certificate (or PALETTE_CA_CERTIFICATE) takes PEM certificates, "
                'e.g. file("corp-ca.pem").',
            )
        )
        return None
    return text


def _read_pem_file(text: str) -> tuple[str, str | None]:
    """The content of the file `text` names, or `text` itself when it names no file; a problem when
    the file exists but cannot be read. Text that cannot be a path (too long, a NUL) is just text."""
    path = Path(text.strip())
    try:
        if not path.is_file():
            return text, None
    except (OSError, ValueError) as exc:
        if isinstance(exc, PermissionError):
            return text, f"The file {str(path)!r} cannot be read ({exc.strerror})"
        return text, None  # e.g. "File name too long": PEM-less text, which pem_problem names
    try:
        return path.read_text(), None
    except UnicodeDecodeError:
        return text, f"The file {str(path)!r} is not a PEM text file"
    except OSError as exc:
        return text, f"The file {str(path)!r} cannot be read ({exc.strerror or type(exc).__name__})"
