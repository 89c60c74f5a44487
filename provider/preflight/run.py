"""The preflight: prove from this machine that a registry works before Palette stores it.

Checks, in order, stopping at the first error:
 1. the endpoint resolves and accepts a TCP connection, and TLS (https, or no scheme) with the
    public CAs plus tls.ca_certificate (or no verification with tls.insecure_skip_verify);
 2. GET /v2/ answers as an OCI distribution registry;
 3. the credentials are accepted: Basic, the Bearer token flow, or ECR (boto3: static keys or
    sts:AssumeRole, then ecr:GetAuthorizationToken, then that token against /v2/);
 4. base_content_path holds repositories (the catalog, or ecr:DescribeRepositories) - a warning;
 5. a few of them hold the kind the resource promises (manifest media types) - a warning.

Nothing is written anywhere: GET requests and read-only AWS calls. Secrets never appear in a
finding (every message is redacted against them at the end) nor in the log.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from provider.ecr import ecr_region  # stdlib only: what preflight shares with expand and rules
from provider.kinds import KINDS
from provider.preflight import resolve as host_overrides
from provider.preflight.findings import ENDPOINT, Failed, Skipped, error, redact, warning
from provider.problems import Problem
from provider.words import KIND_NAMES, Kind

if TYPE_CHECKING:
    import httpx

    from provider.preflight.ecr import EcrAccess
    from provider.preflight.registry import Deadline, RegistryClient

log = logging.getLogger("provider.preflight")


def run_preflight(
    values: Mapping[str, Any],
    kind: Kind,
    *,
    timeout: float = 5.0,
    budget: float = 20.0,
    resolve: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Findings about the registry `values` (a resource's known values, as in its Terraform state).

    `kind`: "helm", "zarf" or "pack". `timeout`: seconds per request or AWS call;
    `budget`: seconds for the whole run. `resolve`: the test seam, host overrides that only tests
    pass (see resolve.py).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KIND_NAMES}, not {kind!r}")
    from provider.preflight.registry import BudgetSpent, Deadline

    secrets = _secrets(values)
    findings: list[Problem] = []
    deadline = Deadline(timeout, budget)
    try:
        findings.extend(_checks(values, kind, deadline, host_overrides.overrides(resolve), secrets))
    except (Failed, Skipped) as stop:
        findings.append(stop.problem)
    except BudgetSpent:
        findings.append(_out_of_time(budget))
    except Exception as exc:  # a bug here must not block an apply that Palette would accept
        log.debug("preflight failed: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
        findings.append(_crashed(exc))
    log.debug("preflight of %s: %d finding(s) in %.3f s", kind, len(findings), deadline.elapsed())
    return [redact(finding, secrets) for finding in findings]


def _checks(
    values: Mapping[str, Any],
    kind: Kind,
    deadline: Deadline,
    overrides: dict[str, str],
    secrets: list[str],
) -> list[Problem]:
    """The checks in order; a failure raises (Failed, Skipped, BudgetSpent), warnings are returned."""
    from provider.preflight import content
    from provider.preflight.registry import RegistryClient

    with RegistryClient(str(values["endpoint"]), values.get("tls"), overrides, deadline, secrets) as registry:
        probe = registry.get("/v2/", anonymous=True)  # 1. resolves, connects, TLS trusted
        _expect_distribution_api(registry, probe)  # 2.
        access = _authenticate(registry, values, probe, deadline, secrets)  # 3.
        base = str(values.get("base_content_path") or "")
        names = access.repositories() if access else content.catalog(registry)
        if names is None:
            log.debug("preflight: the registry does not list its repositories; content not checked")
            return []
        repositories = content.in_scope(names, base, kind)  # 4.
        finding = content.check_kind(registry, repositories, base, kind)  # 5.
        return [finding] if finding else []


# ---------------------------------------------------------------------------- 2. the API


def is_distribution_api(status: int, headers: Mapping[str, str]) -> bool:
    """Whether a GET /v2/ answer comes from the OCI distribution API (headers with lower-case names)."""
    if "docker-distribution-api-version" in headers and status in (200, 401, 403):
        return True
    if status == 401:
        return "www-authenticate" in headers
    return status == 200 and headers.get("content-type", "").split(";")[0].strip() == "application/json"


def _expect_distribution_api(registry: RegistryClient, response: httpx.Response) -> None:
    from provider.preflight.registry import describe_body

    headers = {name.lower(): value for name, value in response.headers.items()}
    if is_distribution_api(response.status_code, headers):
        return
    url = registry.url("/v2/")
    if response.status_code >= 500:
        raise Failed(
            error(
                ENDPOINT,
                "Registry failed",
                f"GET {url} answered {describe_body(response)}: the registry is up but failing. Retry later.",
            )
        )
    if response.status_code == 400 and "https" in response.text.lower() and registry.base.scheme == "http":
        raise Failed(
            error(
                ENDPOINT,
                "The registry speaks HTTPS",
                f"GET {url} over plain HTTP answered HTTP 400: the registry expects TLS. Write the endpoint as "
                f"https://{registry.where} (or without a scheme).",
            )
        )
    raise Failed(
        error(
            ENDPOINT,
            "Not an OCI registry",
            f"GET {url} answered {describe_body(response)}, not the OCI distribution API (HTTP 200 or 401 with a "
            "Docker-Distribution-API-Version or WWW-Authenticate header). The endpoint must be the address under "
            "which the registry serves /v2/, not a web page or a Helm repository index.",
        )
    )


# ---------------------------------------------------------------------------- 3. credentials


def _authenticate(
    registry: RegistryClient,
    values: Mapping[str, Any],
    probe: httpx.Response,
    deadline: Deadline,
    secrets: list[str],
) -> EcrAccess | None:
    """Set the registry's credentials and prove them on /v2/; the ECR access for ECR registries."""
    from provider.preflight.registry import Credentials

    access = None
    basic = values.get("basic_auth")
    if values.get("ecr"):
        access = _ecr_access(values, deadline, secrets)
        registry.credentials = access.registry_credentials()
    elif basic:
        username = str(basic.get("username") or "")
        registry.credentials = Credentials(
            username, str(basic.get("password") or ""), source=f'username "{username}" and its password'
        )
    elif probe.status_code == 200:
        return None  # a public registry: anonymous access works
    response = registry.get("/v2/")
    if response.status_code in (401, 403):
        raise Failed(registry.rejection(response))
    if response.status_code != 200:
        raise Failed(
            error(
                ENDPOINT,
                "Registry failed",
                f"GET {registry.url('/v2/')} with credentials answered HTTP {response.status_code}.",
            )
        )
    return access


def _ecr_access(values: Mapping[str, Any], deadline: Deadline, secrets: list[str]) -> EcrAccess:
    from provider.preflight.ecr import EcrAccess

    region = ecr_region(str(values["endpoint"]))
    if region is None:
        raise Failed(
            error(
                ENDPOINT,
                "Not an AWS ECR registry host",
                "With an ecr block the endpoint must be <account>.dkr.ecr.<region>.amazonaws.com, without a scheme.",
            )
        )
    return EcrAccess(dict(values["ecr"]), region, deadline, secrets)


# ---------------------------------------------------------------------------- helpers


def _secrets(values: Mapping[str, Any]) -> list[str]:
    basic = values.get("basic_auth") or {}
    ecr = values.get("ecr") or {}
    return [str(s) for s in (basic.get("password"), ecr.get("secret_access_key")) if s]


def _crashed(exc: Exception) -> Problem:
    return warning(
        ENDPOINT,
        "Preflight could not finish",
        f"The checks of the registry stopped on an unexpected {type(exc).__name__}; the apply goes on and Palette "
        "validates the registry itself. Please report this with the provider's debug log (TF_LOG=debug).",
    )


def _out_of_time(budget: float) -> Problem:
    return warning(
        ENDPOINT,
        "Preflight ran out of time",
        f"The checks of the registry did not finish within {budget:g} s; the ones that ran passed. The registry "
        "may be slow from here.",
    )
