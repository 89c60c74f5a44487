"""Plan-time rules: pure functions from a configuration to the problems in it.

Each rule returns `Problem`s (`provider.problems`, all errors) naming the attribute, the rule and
the fix. A value that is unknown at plan time (it depends on another resource) is not guessed at:
the rule skips it and runs again at apply, when every value is known. Nothing here calls Palette.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from tf.types import Unknown

from provider.durations import WaitProblem, wait_problem
from provider.ecr import ECR_HOST, PUBLIC_ECR_HOST, ecr_is_public
from provider.pem import pem_problem
from provider.problems import Problem
from provider.redaction import redact_credentials
from provider.registries.values import (
    BasicAuthValues,
    Block,
    EcrValues,
    RegistryValues,
    TimeoutsValues,
    TlsValues,
    known,
)
from provider.settings import PREFLIGHT_MODES

Config = RegistryValues  # a configuration, or a plan with the configured write-only values
Rule = Callable[[Config], Iterable[Problem]]
_B = TypeVar("_B", BasicAuthValues, EcrValues, TlsValues, TimeoutsValues)

IAM_ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_IAM_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:(?P<kind>[a-z-]+)/")
_HOST_PORT = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$")


def _block(value: _B | None) -> _B | None:
    """A block the configuration sets and that is known now (a whole block may be unknown at plan)."""
    return value if isinstance(value, dict) else None


# ---------------------------------------------------------------------------- every kind


def name_is_set(config: Config) -> Iterator[Problem]:
    name = config.get("name")
    if not known(name):
        return
    if not name.strip():
        yield Problem(("name",), "Empty registry name", 'Palette needs a name for the registry, e.g. "charts".')
    elif name != name.strip():
        yield Problem(
            ("name",),
            "Registry name with leading or trailing spaces",
            f'Palette stores names trimmed; write "{name.strip()}" so that Terraform and Palette agree.',
        )


def endpoint_is_host_or_url(config: Config) -> Iterator[Problem]:
    endpoint = config.get("endpoint")
    if not known(endpoint):
        return
    problem = endpoint_problem(endpoint)
    if problem:
        yield Problem(
            ("endpoint",),
            "Invalid registry endpoint",
            f'{problem}. Write a host[:port] such as "harbor.example.com" or an http(s) URL such as '
            '"https://harbor.example.com:8443", without credentials, query or fragment.',
        )


# A "%" not followed by two hex digits: Go's url.Parse (Palette's, and every Go client's) refuses it.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def endpoint_problem(endpoint: str) -> str | None:
    if not endpoint.strip():
        return "The endpoint is empty"
    if endpoint != endpoint.strip():
        return "The endpoint has leading or trailing spaces"
    if "://" not in endpoint and "@" in endpoint and not _HOST_PORT.match(endpoint):
        return "The endpoint carries credentials (user:password@host); put them in basic_auth instead"
    if "://" not in endpoint:
        return None if _HOST_PORT.match(endpoint) else f'"{redact_credentials(endpoint)}" is not a host[:port]'
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https"):
        return f'The scheme "{parts.scheme}" is not http or https'
    if parts.username is not None or parts.password is not None:
        return "The URL carries credentials; put them in basic_auth instead"
    if parts.query or endpoint.endswith("?"):
        return "The URL has a query string"
    if parts.fragment or "#" in endpoint:
        return "The URL has a fragment"
    if _BAD_ESCAPE.search(endpoint):
        return 'The URL has an invalid percent-escape ("%" must be followed by two hex digits; write "%" itself as %25)'

    if not parts.netloc or not _HOST_PORT.match(parts.netloc):
        return "The URL has no valid host"
    return None


_PORT = re.compile(r":(\d+)$")
MAX_PORT = 65535


def endpoint_port_in_range(config: Config) -> Iterator[Problem]:
    """A port the host[:port] syntax accepts but TCP has not (0, 99999); other endpoint problems are
    `endpoint_is_host_or_url`'s to report."""
    endpoint = config.get("endpoint")
    if not known(endpoint) or endpoint_problem(endpoint):
        return
    host_port = urlsplit(endpoint).netloc if "://" in endpoint else endpoint
    port = _PORT.search(host_port)
    if port and not 1 <= int(port[1]) <= MAX_PORT:
        yield Problem(
            ("endpoint",),
            "Invalid registry endpoint port",
            f"Port {port[1]} is outside 1-{MAX_PORT}. Write the registry's port (e.g. "
            '"harbor.example.com:8443"), or leave it out for the scheme\'s default.',
        )


def one_auth_block(config: Config) -> Iterator[Problem]:
    if config.get("basic_auth") is not None and config.get("ecr") is not None:
        yield Problem(
            ("ecr",),
            "Conflicting authentication blocks",
            "Set at most one of basic_auth and ecr: basic_auth for a registry with a username and password, "
            "ecr for AWS ECR, neither for a public registry.",
        )


def basic_auth_complete(config: Config) -> Iterator[Problem]:
    auth = _block(config.get("basic_auth"))
    if auth is None:
        return
    username = auth.get("username")
    if username is not Unknown and not (username or "").strip():
        yield Problem(
            ("basic_auth", "username"),
            "Empty basic_auth.username",
            "basic_auth needs a non-empty username. For a public registry without credentials, remove the "
            "basic_auth block.",
        )
    yield from _one_secret(auth, "basic_auth", "password", _PASSWORD_HINT)


_PASSWORD_HINT = (
    " For a public registry without credentials, remove the basic_auth block. A registry imported from Palette "
    "(terraform import, an import block, or -generate-config-out, which writes password = null) needs its "
    "password supplied here: Palette never returns secrets, so the first apply sends "
    "it again; see docs/guides/adopting-ui-registries.md."
)


def _one_secret(block: Block, block_name: str, plain: str, hint: str = "", need: str = "") -> Iterator[Problem]:
    """Exactly one of a secret and its write-only twin (`<plain>_wo`), non-empty; `<plain>_wo_version`
    only beside the write-only one."""
    value, hidden, version = block.get(plain), block.get(f"{plain}_wo"), block.get(f"{plain}_wo_version")
    if value is not None and hidden is not None:
        yield Problem(
            (block_name, f"{plain}_wo"),
            f"Conflicting {block_name}.{plain} and {block_name}.{plain}_wo",
            f"Set exactly one of {plain} (kept in the state) and {plain}_wo (write-only, Terraform 1.11+: kept in "
            "neither plan nor state).",
        )
        return
    if value is None and hidden is None:  # what -generate-config-out writes: `password = null`
        yield Problem(
            (block_name, plain),
            f"Empty {block_name}.{plain}",
            f"{need}{block_name} needs a non-empty {plain}, or {plain}_wo (write-only, Terraform 1.11+).{hint}",
        )
        return
    name, given = (plain, value) if value is not None else (f"{plain}_wo", hidden)
    if given is not Unknown and not str(given).strip():
        yield Problem(
            (block_name, name),
            f"Empty {block_name}.{name}",
            f"{need}{block_name} needs a non-empty {name}.{hint}",
        )
    if version is not None and hidden is None:
        yield Problem(
            (block_name, f"{plain}_wo_version"),
            f"{block_name}.{plain}_wo_version without {plain}_wo",
            f"{plain}_wo_version tells Terraform when to send {plain}_wo again; with {plain} it has no use. "
            "Remove it, or use the write-only argument.",
        )


def ecr_credentials(config: Config) -> Iterator[Problem]:
    ecr = _block(config.get("ecr"))
    if ecr is None:
        return
    secret = ecr.get("secret_access_key")
    if secret is None:
        secret = ecr.get("secret_access_key_wo")
    keys = [ecr.get("access_key_id"), secret]
    role = ecr.get("role_arn")
    if any(v is Unknown for v in [*keys, role]):
        return  # which credential kind is meant is decided at apply
    has_keys = any(v is not None for v in keys)
    if has_keys and role is not None:
        yield Problem(
            ("ecr", "role_arn"),
            "Conflicting ECR credentials",
            "Set either access_key_id + secret_access_key (static keys) or role_arn (STS), not both.",
        )
    elif not has_keys and role is None and known(config.get("endpoint")) and not _public_ecr(config):
        yield Problem(
            ("ecr",),
            "Missing ECR credentials",
            "A private ECR registry needs access_key_id + secret_access_key, or role_arn (with an optional "
            f'external_id). Only a public registry (endpoint = "{PUBLIC_ECR_HOST}") takes an ecr block without '
            "credentials.",
        )
    elif has_keys:
        if not (keys[0] or "").strip():
            yield Problem(
                ("ecr", "access_key_id"),
                "Empty ecr.access_key_id",
                "Static ECR credentials need both access_key_id and secret_access_key (or secret_access_key_wo).",
            )
        need = "Static ECR credentials need both access_key_id and a secret key: "
        yield from _one_secret(ecr, "ecr", "secret_access_key", need=need)
    if has_keys and role is None and known(ecr.get("external_id")):
        yield Problem(
            ("ecr", "external_id"),
            "external_id without role_arn",
            "external_id is only used when Palette assumes role_arn; remove it or use role_arn.",
        )


def ecr_role_arn(config: Config) -> Iterator[Problem]:
    role = (_block(config.get("ecr")) or {}).get("role_arn")
    if not known(role) or IAM_ROLE_ARN.match(role):
        return
    found = _IAM_ARN.match(role)
    what = f"an IAM {found.group('kind')} ARN" if found else "not an IAM ARN"
    yield Problem(
        ("ecr", "role_arn"),
        "role_arn is not an IAM role ARN",
        f'"{role}" is {what}. Palette assumes a role: use arn:aws:iam::<12-digit account>:role/<name>.',
    )


def _public_ecr(config: Config) -> bool:
    return ecr_is_public(_block(config.get("ecr"))) and config.get("endpoint") == PUBLIC_ECR_HOST


def ecr_endpoint(config: Config) -> Iterator[Problem]:
    endpoint = config.get("endpoint")
    if _block(config.get("ecr")) is None or not known(endpoint) or ECR_HOST.match(endpoint) or _public_ecr(config):
        return
    host = urlsplit(endpoint).netloc if "://" in endpoint else endpoint
    hint = f' Remove the scheme: endpoint = "{host}".' if "://" in endpoint and ECR_HOST.match(host) else ""
    yield Problem(
        ("endpoint",),
        "Not an AWS ECR registry host",
        f"With an ecr block the endpoint must be an ECR registry host, "
        f"<12-digit account>.dkr.ecr.<region>.amazonaws.com (.com.cn in China), without a scheme, or "
        f'"{PUBLIC_ECR_HOST}" for a public registry (then without credentials).{hint}',
    )


def tls_ca_parses(config: Config) -> Iterator[Problem]:
    pem = (_block(config.get("tls")) or {}).get("ca_certificate")
    if not known(pem):
        return
    problem = pem_problem(pem)
    if problem:
        yield Problem(
            ("tls", "ca_certificate"),
            "Invalid CA certificate",
            f"{problem}. tls.ca_certificate takes one or more PEM certificates "
            '(-----BEGIN CERTIFICATE----- ...), e.g. file("ca.pem").',
        )


def base_path_not_for_ecr(config: Config) -> Iterator[Problem]:
    if config.get("ecr") is not None and config.get("base_path") is not None:
        yield Problem(
            ("base_path",),
            "base_path is not for ECR registries",
            "Palette's ECR registries have no base path: remove base_path, or use basic_auth for a registry "
            "that needs one.",
        )


def tls_client_pair(config: Config) -> Iterator[Problem]:
    tls = _block(config.get("tls")) or {}
    certificate = tls.get("client_certificate")
    key = tls.get("client_key") if tls.get("client_key") is not None else tls.get("client_key_wo")
    if certificate is Unknown or key is Unknown:
        return
    if tls.get("client_key") is not None and tls.get("client_key_wo") is not None:
        yield Problem(
            ("tls", "client_key_wo"),
            "Conflicting tls.client_key and tls.client_key_wo",
            "Set exactly one of client_key (kept in the state) and client_key_wo (write-only, Terraform 1.11+: "
            "kept in neither plan nor state).",
        )
        return
    if tls.get("client_key_wo_version") is not None and tls.get("client_key_wo") is None:
        yield Problem(
            ("tls", "client_key_wo_version"),
            "tls.client_key_wo_version without client_key_wo",
            "client_key_wo_version tells Terraform when to send client_key_wo again; with client_key it has no use. "
            "Remove it, or use the write-only argument.",
        )
    if (certificate is None) != (key is None):
        missing = "client_key" if key is None else "client_certificate"
        yield Problem(
            ("tls", missing),
            f"Missing tls.{missing}",
            "A client certificate (mutual TLS) needs both tls.client_certificate and tls.client_key. Leave both "
            "out to keep whatever client certificate Palette has.",
        )
        return
    if known(certificate):
        problem = pem_problem(certificate)
        if problem:
            yield Problem(
                ("tls", "client_certificate"),
                "Invalid client certificate",
                f"{problem}. tls.client_certificate takes the PEM certificate Palette presents to the registry, "
                'e.g. file("client.pem").',
            )
    if known(key) and not re.search(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----", key):
        yield Problem(
            ("tls", "client_key" if tls.get("client_key") is not None else "client_key_wo"),
            "Invalid client key",
            'tls.client_key takes a PEM private key (-----BEGIN PRIVATE KEY----- ...), e.g. file("client-key.pem").',
        )


def sync_needs_base_content_path(config: Config) -> Iterator[Problem]:
    if config.get("auto_sync") is True and not _has_base_content_path(config):
        yield Problem(
            ("base_content_path",),
            "base_content_path is required for auto_sync",
            'Palette synchronizes the repositories under base_content_path; set it (e.g. "charts") '
            "or set auto_sync = false.",
        )


def _has_base_content_path(config: Config) -> bool:
    path = config.get("base_content_path")
    return path is Unknown or bool((path or "").strip())


TIMEOUTS: tuple[Literal["create", "update"], ...] = ("create", "update")


def _timeout_problems(config: Config) -> Iterator[tuple[Literal["create", "update"], WaitProblem]]:
    timeouts = _block(config.get("timeouts")) or {}
    for field in TIMEOUTS:
        value = timeouts.get(field)
        problem = wait_problem(value) if known(value) else None
        if problem is not None:
            yield field, problem


def timeouts_parse(config: Config) -> Iterator[Problem]:
    for field, (what, sentence) in _timeout_problems(config):
        if what == "invalid":
            yield Problem(("timeouts", field), f"Invalid timeouts.{field}", sentence)


def timeouts_positive(config: Config) -> Iterator[Problem]:
    """A zero or negative duration would wait not at all (or, read as unset, the default wait)."""
    for field, (what, sentence) in _timeout_problems(config):
        if what == "not positive":
            yield Problem(
                ("timeouts", field),
                f"timeouts.{field} must be longer than zero",
                f'{sentence} Write a positive duration such as "10m", or set wait_for_sync = false to not wait at all.',
            )


def preflight_mode(config: Config) -> Iterator[Problem]:
    mode = config.get("preflight")
    if known(mode) and mode not in PREFLIGHT_MODES:
        yield Problem(
            ("preflight",),
            "Invalid preflight mode",
            f'preflight must be "off", "apply" or "plan"; got "{mode}". Leave it unset to follow the provider.',
        )


COMMON_RULES: tuple[Rule, ...] = (
    name_is_set,
    endpoint_is_host_or_url,
    endpoint_port_in_range,
    one_auth_block,
    basic_auth_complete,
    ecr_credentials,
    ecr_role_arn,
    ecr_endpoint,
    base_path_not_for_ecr,
    tls_ca_parses,
    tls_client_pair,
    timeouts_parse,
    timeouts_positive,
    preflight_mode,
)

# ---------------------------------------------------------------------------- per kind


def zarf_no_sync(config: Config) -> Iterator[Problem]:
    if config.get("auto_sync") is True:
        yield Problem(
            ("auto_sync",),
            "Automatic synchronization is not supported for Zarf registries",
            "Palette cannot synchronize Zarf registries. Remove auto_sync or set it to false.",
        )


# A path Terraform can show inside the ecr block. Terraform places a diagnostic at the attribute its
# path ends in, and a path ending at a block name matches no attribute, so ("ecr",) quoted the
# resource's first line (hashicorp/terraform internal/tfdiags/contextual.go, ElaborateFromConfigBody).
# Through the block to access_key_id it quotes that line, or, where it is not set, the `ecr {` line.
IN_ECR_BLOCK: tuple[str, ...] = ("ecr", "access_key_id")


def zarf_no_ecr(config: Config) -> Iterator[Problem]:
    if config.get("ecr") is not None:
        yield Problem(
            IN_ECR_BLOCK,
            "AWS ECR is not supported for Zarf registries; use basic_auth",
            "Palette supports Zarf registries with basic authentication only. Replace the ecr block "
            "with basic_auth { username = ..., password = ... }.",
        )


def packs_always_sync(config: Config) -> Iterator[Problem]:
    if config.get("auto_sync") is False:
        yield Problem(
            ("auto_sync",),
            "Packs registries always synchronize",
            "Palette synchronizes every Packs registry. Remove auto_sync or set it to true.",
        )


def packs_need_base_content_path(config: Config) -> Iterator[Problem]:
    if not _has_base_content_path(config):
        yield Problem(
            ("base_content_path",),
            "base_content_path is required for Packs registries",
            'Set base_content_path to the repository path that holds the packs (e.g. "spectro-packs").',
        )


HELM_RULES: tuple[Rule, ...] = (*COMMON_RULES, sync_needs_base_content_path)
ZARF_RULES: tuple[Rule, ...] = (*COMMON_RULES, zarf_no_sync, zarf_no_ecr)
PACKS_RULES: tuple[Rule, ...] = (*COMMON_RULES, packs_always_sync, packs_need_base_content_path)


def check(rules: Iterable[Rule], config: Config) -> list[Problem]:
    """Every problem every rule finds, in rule order."""
    return [problem for rule in rules for problem in rule(config)]
