"""Provider settings: the `provider "oci" { ... }` block and the environment variables behind it.

Pure: `resolve()` turns the configuration and an environment mapping into `Settings` or the
problems that stop it, each naming the attribute, its variable and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tf.types import Unknown

from provider.pem import pem_problem

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
class Settings:
    host: str
    api_key: str = field(repr=False)
    ca_certificate: str | None = None
    insecure: bool = False
    request_timeout: float = 30.0
    max_retries: int = 5
    preflight: str = "apply"


@dataclass(frozen=True)
class SettingProblem:
    attribute: str
    summary: str
    detail: str


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def resolve(config: Mapping[str, Any], env: Mapping[str, str]) -> tuple[Settings | None, list[SettingProblem]]:
    """Settings from the provider block, falling back to the environment, then to defaults."""
    problems: list[SettingProblem] = []
    raw = {s.name: _pick(s, config, env) for s in SETTINGS}

    api_key = raw["api_key"]
    if not api_key:
        problems.append(
            SettingProblem(
                "api_key",
                "Missing Palette API key",
                'Set api_key in the provider "oci" block, or the PALETTE_API_KEY environment variable '
                "(SPECTROCLOUD_APIKEY is read too). Create a key in Palette under Profile > My API Keys.",
            )
        )
    insecure = _boolean("insecure", raw["insecure"], problems)
    timeout = _number("request_timeout", raw["request_timeout"], 30.0, problems, minimum=1, maximum=3600)
    retries = _number("max_retries", raw["max_retries"], 5, problems, minimum=0, maximum=100)
    preflight = str(raw["preflight"] or "apply")
    if preflight not in PREFLIGHT_MODES:
        problems.append(
            SettingProblem(
                "preflight",
                "Invalid preflight mode",
                f'preflight must be "off", "apply" or "plan" (also PALETTE_OCI_PREFLIGHT); got "{preflight}".',
            )
        )
    ca = _ca_certificate(raw["ca_certificate"], problems)
    if problems:
        return None, problems
    return (
        Settings(
            host=str(raw["host"] or DEFAULT_HOST),
            api_key=str(api_key),
            ca_certificate=ca,
            insecure=insecure,
            request_timeout=float(timeout),
            max_retries=int(retries),
            preflight=preflight,
        ),
        [],
    )


def _pick(setting: Setting, config: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    value = config.get(setting.name)
    if value is not None and value is not Unknown:
        return value
    for name in setting.env:
        if env.get(name):
            return env[name]
    return None


def _boolean(name: str, value: Any, problems: list[SettingProblem]) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    problems.append(SettingProblem(name, f"Invalid {name}", f'{name} must be true or false; got "{value}".'))
    return False


def _number(
    name: str, value: Any, default: float, problems: list[SettingProblem], minimum: float, maximum: float
) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if not minimum <= number <= maximum:  # also refuses nan and inf
        problems.append(
            SettingProblem(
                name, f"Invalid {name}", f'{name} must be a number from {minimum:g} to {maximum:g}; got "{value}".'
            )
        )
        return default
    return number


def _ca_certificate(value: Any, problems: list[SettingProblem]) -> str | None:
    if not value:
        return None
    text = str(value)
    if "-----BEGIN" not in text and Path(text).is_file():
        text = Path(text).read_text()
    problem = pem_problem(text)
    if problem:
        problems.append(
            SettingProblem(
                "ca_certificate",
                "Invalid Palette CA certificate",
                f"{problem}. ca_certificate (or PALETTE_CA_CERTIFICATE) takes PEM certificates, e.g. "
                'file("corp-ca.pem").',
            )
        )
        return None
    return text
