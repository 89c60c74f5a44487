"""A small, typed client for Palette's OCI registry API (httpx, synchronous, thread-safe).

It knows nothing of Terraform. One `PaletteClient` holds one pooled `httpx.Client`; Terraform
calls the provider in parallel, so every method may be called from several threads at once.

Retries (bounded by `max_retries`, exponential backoff with full jitter, `Retry-After` honoured):
- 429 and connection failures before anything was sent (refused, connect timeout): every request.
- 500, 502, 503, 504 and failures after the request went out (read timeout, connection reset or
  closed before the answer): idempotent requests only, that is everything but a create. GET, PUT
  and DELETE are idempotent by definition; the validate and sync POSTs store nothing, so repeating
  them is harmless.
- A create (`POST /v1/registries/oci/{basic,ecr}`) whose outcome is unknown is never repeated
  blindly: the client first looks the registry up by name and kind in the summary, in the scope it
  is creating in; found means the first attempt landed, and its uid is returned. Only when absent
  is the POST sent again. A 409 after such an unknown outcome is resolved the same way. A lost
  answer therefore never produces a duplicate registry.
- Never retried: 400, 401, 403, 404, 409, 422, other 4xx, TLS verification failures.

Logging: logger `provider.palette`, DEBUG, one line per attempt (method, path, status or failure,
duration, attempt). Bodies, headers and query strings are never logged.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import SplitResult, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from provider.palette.errors import (
    AmbiguousNameError,
    AmbiguousWriteError,
    ConfigurationError,
    NotFoundError,
    PaletteError,
    SyncFailedError,
    SyncInterruptedError,
    SyncTimeoutError,
    TransportError,
    error_from_response,
    redact,
    truncate,
)
from provider.palette.models import (
    REGISTRY_KINDS,
    BasicOciRegistry,
    BasicOciRegistrySpec,
    EcrRegistry,
    EcrRegistrySpec,
    OciRegistries,
    OciRegistry,
    OciRegistryEntity,
    ProjectMetadata,
    ProjectsMetadata,
    RegistryKind,
    RegistrySyncStatus,
    Uid,
    to_wire,
)
from provider.palette.retry import (
    Disposition,
    Failure,
    RetryPolicy,
    describe_transport_failure,
    parse_http_date,
    parse_retry_after,
    retry_delay,
    status_disposition,
)
from provider.version import __version__

logger = logging.getLogger("provider.palette")
_M = TypeVar("_M", bound=BaseModel)

DEFAULT_USER_AGENT = f"terraform-provider-oci/{__version__}"
MAX_CONNECTIONS = 20
MAX_TIMEOUT = 86400.0  # seconds; a day is already more than any request needs
# Seconds of tolerance when matching a lost create by its creation time: the Date header has 1 s
# resolution, and servers behind one load balancer keep slightly different clocks.
CREATE_CLOCK_SLACK = 2.5
PROJECT_UID = re.compile(r"^[0-9a-f]{24}$")
SECRET_FIELDS = frozenset({"password", "token", "secretKey", "secretToken", "key"})


# ---------------------------------------------------------------------------------------------
# Host normalisation (pure)
# ---------------------------------------------------------------------------------------------


def normalize_host(host: str, *, insecure: bool = False) -> str:
    """The base URL for `host`: "api.example.com", "host:port" (https implied) or a full
    http(s) URL. Plain http is refused unless the host is loopback or `insecure` is set,
    because the API key would cross the network in clear. Anything else that is not a usable
    address is a ConfigurationError; none quotes a host that carries credentials."""
    text = host.strip()
    if not text:
        raise ConfigurationError("the Palette host is empty; give a host name such as api.spectrocloud.com")
    # Checked first, on the raw text: every later message quotes the host.
    if "@" in text:
        raise ConfigurationError(
            "the Palette host must not contain credentials (user:password@); the API key authenticates"
        )
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        # urlsplit would silently drop tabs and line breaks: refuse them instead of guessing.
        raise ConfigurationError("the Palette host contains spaces, line breaks or control characters")
    if "://" not in text:
        text = f"https://{_bracket_bare_ipv6(text.rstrip('/'))}"
    parts = _split(host, text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ConfigurationError(
            f"the Palette host {host!r} uses the scheme {parts.scheme!r}; use https://host or host[:port]"
        )
    _check_url_parts(host, parts)
    base = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    try:
        httpx.URL(base)  # what the transport will make of it (IDNA host names, ports)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"the Palette host {host!r} is not a usable address ({exc})") from None
    if scheme == "http" and not insecure and not is_loopback(parts.hostname or ""):
        raise ConfigurationError(
            f"the Palette host {base} uses plain http, which would send the API key unencrypted; "
            f"use https{base[4:]}, or set insecure to allow plain http to a non-loopback host"
        )
    return base


def _split(host: str, text: str) -> SplitResult:
    try:
        return urlsplit(text)
    except ValueError as exc:  # e.g. an unclosed or invalid [IPv6] address
        raise ConfigurationError(f"the Palette host {host!r} is not a valid URL ({exc})") from None


def _bracket_bare_ipv6(text: str) -> str:
    try:
        return f"[{ipaddress.IPv6Address(text)}]"
    except ValueError:
        return text


def _check_url_parts(host: str, parts: SplitResult) -> None:
    if not parts.hostname:
        raise ConfigurationError(f"the Palette host {host!r} has no host name")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"the Palette host {parts.hostname!r} must not have a query or fragment")
    try:
        parts.port  # noqa: B018 - urlsplit validates the port lazily, on access
    except ValueError:
        raise ConfigurationError(f"the Palette host {host!r} has an invalid port") from None


def is_loopback(hostname: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# Sync status (pure)
# ---------------------------------------------------------------------------------------------


class SyncState(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    IN_PROGRESS = "in progress"


SYNC_SUCCESS = frozenset({"success", "completed", "active"})
SYNC_FAILURE = frozenset({"failed", "error"})


def classify_sync(status: str | None) -> SyncState:
    """Palette's free-form `syncStatus.status` as a state: Success/Completed/Active succeeded,
    Failed/Error failed, anything else (InProgress, Running, Syncing, Pending, "") is in progress."""
    word = (status or "").strip().lower()
    if word in SYNC_SUCCESS:
        return SyncState.SUCCEEDED
    if word in SYNC_FAILURE:
        return SyncState.FAILED
    return SyncState.IN_PROGRESS


# ---------------------------------------------------------------------------------------------
# Registry selection (pure)
# ---------------------------------------------------------------------------------------------


def scope_matches(item_scope: str | None, *, project_scoped: bool, wanted: str | None = None) -> bool:
    """Whether a registry's `scope` is the one this client creates in: `wanted` when given;
    otherwise "project" for a project-scoped client, and anything but "project" at tenant
    level (a system administrator's key creates at "system" scope). An empty scope matches."""
    scope = (item_scope or "").strip().lower()
    if not scope:
        return True
    if wanted:
        return scope == wanted.strip().lower()
    return scope == "project" if project_scoped else scope != "project"


def created_within(created: str | None, server_now: datetime | None, seconds: float) -> bool:
    """Whether an RFC 3339 `creationTimestamp` lies at most `seconds` before `server_now`.
    True when either time is unknown (no Date header, no or zero timestamp): cannot tell."""
    when = _rfc3339(created)
    if when is None or server_now is None:
        return True
    return when >= server_now - timedelta(seconds=seconds)


def _rfc3339(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.year < 1971:  # Go's zero time: "not set"
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def registries_named(items: Iterable[OciRegistry], name: str, kind: RegistryKind | None = None) -> list[OciRegistry]:
    """The summary items called `name` (exactly) and, when given, of `kind`."""
    return [item for item in items if item.metadata.name == name and (kind is None or item.kind == kind)]


def secret_values(body: Any) -> list[str]:
    """Every secret string inside a wire body (fields named in SECRET_FIELDS), to scrub them
    from anything Palette might echo back."""
    found: list[str] = []
    if isinstance(body, Mapping):
        for key, value in body.items():
            if key in SECRET_FIELDS and isinstance(value, str):
                found.append(value)
            else:
                found.extend(secret_values(value))
    elif isinstance(body, list):
        for item in body:
            found.extend(secret_values(item))
    return found


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------


def _ssl_verification(ca_pem: str | None, insecure: bool) -> ssl.SSLContext | bool:
    if insecure:
        return False
    context = ssl.create_default_context()
    if ca_pem:
        try:
            context.load_verify_locations(cadata=ca_pem)
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigurationError(
                f"the CA certificate is not a readable PEM bundle ({type(exc).__name__}); "
                "give one or more '-----BEGIN CERTIFICATE-----' blocks"
            ) from None
    return context


def _clean_header_value(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ConfigurationError(f"the {what} is empty")
    if any(ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in text):
        raise ConfigurationError(f"the {what} contains spaces, line breaks or non-ASCII characters")
    return text


class PaletteClient:
    """Palette's OCI registry API. Methods return models and raise `PaletteError` kinds."""

    # How much older than the first attempt (by Palette's clock) a registry found after a lost
    # create may be and still count as the one that create stored.
    create_clock_slack: float = CREATE_CLOCK_SLACK

    def __init__(
        self,
        host: str,
        api_key: str,
        *,
        project_uid: str | None = None,
        ca_pem: str | None = None,
        insecure: bool = False,
        timeout: float = 30.0,
        max_retries: int = 5,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = normalize_host(host, insecure=insecure)
        self._api_key = _clean_header_value(api_key, "Palette API key")
        self.project_uid = _clean_header_value(project_uid, "project uid") if project_uid else None
        if not 0 < timeout <= MAX_TIMEOUT:  # beyond that, the socket layer overflows (and NaN fails both)
            raise ConfigurationError(
                f"the request timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {timeout:g}"
            )
        self.timeout = timeout
        self.policy = RetryPolicy(max_retries, backoff_base, backoff_cap, retry_after_cap)
        self._rng = rng or random.Random()
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"ApiKey": self._api_key, "User-Agent": user_agent, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS),
            # Plain http (loopback or insecure): no TLS, so no trust store to load (~20 ms per process).
            verify=False if self.base_url.startswith("http://") else _ssl_verification(ca_pem, insecure),
            follow_redirects=False,
        )

    def set_project(self, project_uid: str | None) -> None:
        """Switch scope: a project uid (sent as the ProjectUid header) or None for tenant scope.
        Meant for configuration time, before requests run in parallel."""
        self.project_uid = _clean_header_value(project_uid, "project uid") if project_uid else None

    def __repr__(self) -> str:
        scope = f"project {self.project_uid}" if self.project_uid else "tenant"
        return f"PaletteClient({self.base_url}, {scope})"

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- projects -------------------------------------------------------------------------------

    def list_projects(self, name: str | None = None) -> list[ProjectMetadata]:
        """`GET /v1/dashboard/projects/metadata` (tenant level: sent without ProjectUid)."""
        params = {"name": name} if name else None
        path = "/v1/dashboard/projects/metadata"
        return self._read(ProjectsMetadata, path, params=params, scoped=False).items

    def resolve_project(self, name_or_uid: str) -> str:
        """The uid of a project given by uid (24 hex digits) or by exact name."""
        wanted = name_or_uid.strip()
        if PROJECT_UID.match(wanted) and any(p.metadata.uid == wanted for p in self.list_projects()):
            return wanted
        named = [p for p in self.list_projects(name=wanted) if p.metadata.name == wanted]
        uids = sorted({p.metadata.uid for p in named if p.metadata.uid})
        if len(uids) == 1:
            return uids[0]
        if len(uids) > 1:
            raise AmbiguousNameError(f"several Palette projects are named {wanted!r} ({', '.join(uids)}); give the uid")
        raise NotFoundError(
            f"Palette has no project {wanted!r} visible to this API key. Check the spelling (project names "
            "are case-sensitive), that the API key's user is a member of the project, and that the host "
            "is the right Palette; or give the project's uid",
            code="ResourceNotFound",
        )

    # -- validate -------------------------------------------------------------------------------

    def validate_basic(self, spec: BasicOciRegistrySpec) -> None:
        """Palette checks the registry (reachable, credentials accepted): 204, or ValidationFailedError."""
        self.validate("basic", spec)

    def validate_ecr(self, spec: EcrRegistrySpec) -> None:
        """Palette checks the ECR registry and its AWS credentials."""
        self.validate("ecr", spec)

    # -- create -----------------------------------------------------------------------------------

    def create_basic(self, registry: BasicOciRegistry) -> str:
        """Create; returns the new uid. Never duplicates on a lost answer (see module doc)."""
        return self._create("basic", registry)

    def create_ecr(self, registry: EcrRegistry) -> str:
        """Create; returns the new uid. Never duplicates on a lost answer (see module doc)."""
        return self._create("ecr", registry)

    # -- read -----------------------------------------------------------------------------------

    def get_basic(self, uid: str) -> BasicOciRegistry:
        return self._read(BasicOciRegistry, _registry_path(uid, "basic"))

    def get_ecr(self, uid: str) -> EcrRegistry:
        return self._read(EcrRegistry, _registry_path(uid, "ecr"))

    def get_oci(self, uid: str) -> OciRegistryEntity:
        """Any kind; `.kind` tells "basic" from "ecr"."""
        return self._read(OciRegistryEntity, f"/v1/registries/oci/{_segment(uid)}")

    def list_oci(self) -> list[OciRegistry]:
        """`GET /v1/registries/oci/summary`: every OCI registry visible in this scope."""
        return self._read(OciRegistries, "/v1/registries/oci/summary").items

    def find_by_name(self, name: str, kind: RegistryKind | None = None) -> OciRegistry | None:
        """The registry called `name` (and of `kind` when given), or None. When several match
        (e.g. a tenant one seen from a project), the one in this client's own scope wins;
        AmbiguousNameError when that still leaves several."""
        found = registries_named(self.list_oci(), name, kind)
        if len(found) > 1:
            found = [r for r in found if scope_matches(r.spec.scope, project_scoped=bool(self.project_uid))] or found
        if len(found) > 1:
            listed = ", ".join(f"{r.metadata.uid} ({r.spec.scope or 'unknown'} scope)" for r in found)
            raise AmbiguousNameError(f"several OCI registries are named {name!r}: {listed}; use the uid")
        return found[0] if found else None

    # -- update / delete --------------------------------------------------------------------------

    def update_basic(self, uid: str, registry: BasicOciRegistry) -> None:
        self.update("basic", uid, registry)

    def update_ecr(self, uid: str, registry: EcrRegistry) -> None:
        self.update("ecr", uid, registry)

    def delete_basic(self, uid: str) -> None:
        """Delete; NotFoundError when already gone (callers decide whether that is success)."""
        self.delete("basic", uid)

    def delete_ecr(self, uid: str) -> None:
        """Delete; NotFoundError when already gone (callers decide whether that is success)."""
        self.delete("ecr", uid)

    # -- any kind, chosen by `kind` ("basic" or "ecr") ----------------------------------------------

    def validate(self, kind: str, spec: BasicOciRegistrySpec | EcrRegistrySpec) -> None:
        """`validate_basic` or `validate_ecr`, as `kind` says."""
        self._call("POST", f"/v1/registries/oci/{_kind(kind, spec, BasicOciRegistrySpec)}/validate", body=to_wire(spec))

    def create(self, kind: str, registry: BasicOciRegistry | EcrRegistry) -> str:
        """`create_basic` or `create_ecr`, as `kind` says."""
        return self._create(_kind(kind, registry, BasicOciRegistry), registry)

    def get(self, kind: str, uid: str) -> BasicOciRegistry | EcrRegistry:
        """`get_basic` or `get_ecr`, as `kind` says."""
        return self.get_basic(uid) if _kind(kind) == "basic" else self.get_ecr(uid)

    def update(self, kind: str, uid: str, registry: BasicOciRegistry | EcrRegistry) -> None:
        """`update_basic` or `update_ecr`, as `kind` says."""
        path = _registry_path(uid, _kind(kind, registry, BasicOciRegistry))
        self._call("PUT", path, body=to_wire(registry, exclude={"status"}))

    def delete(self, kind: str, uid: str) -> None:
        """`delete_basic` or `delete_ecr`, as `kind` says; NotFoundError when already gone."""
        self._call("DELETE", _registry_path(uid, _kind(kind)))

    # -- sync -----------------------------------------------------------------------------------

    def sync(self, uid: str, kind: str, *, force: bool = False) -> None:
        """Start a synchronization (202)."""
        params = {"forceSync": "true"} if force else None
        self._call("POST", f"{_registry_path(uid, kind)}/sync", params=params)

    def sync_status(self, uid: str, kind: str) -> RegistrySyncStatus:
        return self._read(RegistrySyncStatus, f"{_registry_path(uid, kind)}/sync/status")

    def wait_for_sync(
        self,
        uid: str,
        kind: str,
        timeout: float,
        *,
        poll: float = 2.0,
        max_poll: float = 15.0,
        stop: threading.Event | None = None,
    ) -> RegistrySyncStatus:
        """Poll the sync status, the interval growing from `poll` to `max_poll`, until it succeeds
        (returned), fails (SyncFailedError with Palette's message) or `timeout` seconds pass
        (SyncTimeoutError naming the last status seen). Setting `stop` ends the wait at once
        (SyncInterruptedError naming the last status seen)."""
        deadline = time.monotonic() + timeout
        interval = poll
        while True:
            status = self.sync_status(uid, kind)
            state = classify_sync(status.status)
            if state is SyncState.SUCCEEDED:
                return status
            if state is SyncState.FAILED:
                detail = f": {truncate(status.message)}" if status.message else ""
                raise SyncFailedError(
                    f"Palette reports that the sync of registry {uid} failed ({status.status}){detail}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                last = status.status or "no status yet"
                raise SyncTimeoutError(
                    f"the sync of registry {uid} did not finish within {timeout:g}s; last status: {last}"
                    + (f" ({truncate(status.message)})" if status.message else "")
                )
            if stop is None:
                time.sleep(min(interval, remaining))
            elif stop.wait(min(interval, remaining)):
                raise SyncInterruptedError(
                    f"stopped waiting for the sync of registry {uid}; last status: {status.status or 'no status yet'}"
                )
            interval = min(interval * 1.5, max_poll)

    # -- plumbing -------------------------------------------------------------------------------

    def _create(self, kind: RegistryKind, registry: BasicOciRegistry | EcrRegistry) -> str:
        name = registry.metadata.name
        if not name:
            raise ValueError("registry.metadata.name is required to create a registry")
        path = f"/v1/registries/oci/{kind}"
        body = to_wire(registry, exclude={"status"})
        started = time.monotonic()
        maybe_stored = False
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.policy.attempts + 1):
            if maybe_stored and (uid := self._find_created(name, kind, registry.spec.scope, started, outcome)):
                return uid
            outcome = self._attempt("POST", path, attempt, body=body)
            disposition = _disposition(outcome)
            if isinstance(outcome, httpx.Response) and disposition is Disposition.OK:
                return _decode(Uid, outcome, "POST", path).uid
            maybe_stored = maybe_stored or disposition is Disposition.MAYBE_PROCESSED
            if disposition is Disposition.FINAL or attempt == self.policy.attempts:
                break
            self._pause(attempt, outcome)
        if maybe_stored and (uid := self._find_created(name, kind, registry.spec.scope, started, outcome)):
            return uid
        assert outcome is not None
        raise self._final_error(outcome, "POST", path, secret_values(body))

    def _find_created(
        self, name: str, kind: RegistryKind, wanted_scope: str | None, started: float, outcome: object
    ) -> str | None:
        """The uid of the registry that a create with an unknown outcome (first sent at `started`)
        stored, or None. Besides name, kind and scope, the registry must have been created since
        that first attempt by the server's own clock, so an older namesake (say a system registry
        seen from a tenant) is never mistaken for ours."""
        path = "/v1/registries/oci/summary"
        try:
            response = self._call("GET", path)
            items = registries_named(_decode(OciRegistries, response, "GET", path).items, name, kind)
        except PaletteError as exc:
            raise AmbiguousWriteError(
                f"creating the {kind} registry {name!r} may or may not have succeeded: the answer was lost "
                f"({_outcome_words(outcome)}) and looking the registry up failed too ({exc}). Check Palette "
                f"for a registry named {name!r} before creating it again",
                method="POST",
                path=f"/v1/registries/oci/{kind}",
            ) from None
        server_now = parse_http_date(response.headers.get("Date"))
        window = time.monotonic() - started + self.create_clock_slack
        project_scoped = bool(self.project_uid)
        for item in items:
            if (
                item.metadata.uid
                and scope_matches(item.spec.scope, project_scoped=project_scoped, wanted=wanted_scope)
                and created_within(item.metadata.creation_timestamp, server_now, window)
            ):
                logger.debug("POST /v1/registries/oci/%s: stored after all (found by name)", kind)
                return item.metadata.uid
        return None

    def _read(self, model: type[_M], path: str, *, params: Mapping[str, str] | None = None, scoped: bool = True) -> _M:
        return _decode(model, self._call("GET", path, params=params, scoped=scoped), "GET", path)

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        scoped: bool = True,
    ) -> httpx.Response:
        """An idempotent request, retried as the module doc says; the answer, or a typed error."""
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.policy.attempts + 1):
            outcome = self._attempt(method, path, attempt, body=body, params=params, scoped=scoped)
            disposition = _disposition(outcome)
            if disposition is Disposition.OK:
                assert isinstance(outcome, httpx.Response)
                return outcome
            if disposition is Disposition.FINAL or attempt == self.policy.attempts:
                break
            self._pause(attempt, outcome)
        assert outcome is not None
        raise self._final_error(outcome, method, path, secret_values(body))

    def _attempt(
        self,
        method: str,
        path: str,
        attempt: int,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        scoped: bool = True,
    ) -> httpx.Response | Failure:
        """One request; the answer (read in full) or what went wrong."""
        headers = {"ProjectUid": self.project_uid} if scoped and self.project_uid else None
        started = time.monotonic()
        try:
            response = self._http.request(method, path, json=body, params=params, headers=headers)
        except httpx.RequestError as exc:  # transport failures, and answers httpx cannot decode
            failure = describe_transport_failure(exc, self.base_url, f"{method} {path}")
            self._log(method, path, failure.message, started, attempt)
            return failure
        self._log(method, path, response.status_code, started, attempt)
        return response

    def _log(self, method: str, path: str, result: object, started: float, attempt: int) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug(
            "%s %s -> %s in %.0f ms (attempt %d/%d)", method, path, result, elapsed_ms, attempt, self.policy.attempts
        )

    def _pause(self, attempt: int, outcome: httpx.Response | Failure) -> None:
        retry_after = None
        if isinstance(outcome, httpx.Response):
            retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
        delay = retry_delay(attempt, retry_after, self.policy, self._rng)
        logger.debug("retrying in %.2f s", delay)
        time.sleep(delay)

    def _final_error(
        self, outcome: httpx.Response | Failure, method: str, path: str, secrets: list[str]
    ) -> PaletteError:
        retried = _disposition(outcome) is not Disposition.FINAL and self.policy.max_retries > 0
        note = f" (after {self.policy.attempts} attempts)" if retried else ""
        if isinstance(outcome, Failure):
            return TransportError(redact(outcome.message, [self._api_key]) + note, method=method, path=path)
        if outcome.is_redirect:
            where = outcome.headers.get("Location") or "another address"
            return PaletteError(
                f"redirected to {truncate(where, 200)}; give the address Palette's API answers at as the host",
                status=outcome.status_code,
                method=method,
                path=path,
            )
        return error_from_response(
            outcome.status_code,
            outcome.content,
            outcome.headers.get("Content-Type"),
            method=method,
            path=path,
            secrets=[self._api_key, *secrets],
            note=note,
        )


def _disposition(outcome: httpx.Response | Failure) -> Disposition:
    if isinstance(outcome, Failure):
        return outcome.disposition
    return status_disposition(outcome.status_code)


def _outcome_words(outcome: object) -> str:
    if isinstance(outcome, Failure):
        return outcome.message
    if isinstance(outcome, httpx.Response):
        return f"Palette answered {outcome.status_code}"
    return "no answer"


def _decode(model: type[_M], response: httpx.Response, method: str, path: str) -> _M:
    """The answer as `model`; a PaletteError (quoting no values) when it is not what the swagger says."""
    try:
        return model.model_validate(response.json())
    except ValueError as exc:  # JSONDecodeError and pydantic's ValidationError are both ValueErrors
        what = "is not JSON" if not isinstance(exc, ValidationError) else _shape_problem(exc)
        raise PaletteError(
            f"Palette answered {method} {path} with {response.status_code}, but the body {what}",
            method=method,
            path=path,
        ) from None


def _shape_problem(exc: ValidationError) -> str:
    first = exc.errors(include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "the top level"
    return f"does not have the expected shape ({where}: {first['msg']})"


def _segment(uid: str) -> str:
    """A uid as one path segment: refuse anything that would change the path."""
    if not uid or not re.fullmatch(r"[A-Za-z0-9._-]+", uid):
        raise NotFoundError(f"{uid!r} is not a Palette uid", code="ResourceNotFound")
    return uid


def _kind(kind: str, model: BaseModel | None = None, basic_type: type[BaseModel] | None = None) -> RegistryKind:
    """`kind` checked: "basic" or "ecr", and (when given) matching the model's class."""
    if kind not in REGISTRY_KINDS:
        raise ValueError(f"registry kind must be 'basic' or 'ecr', not {kind!r}")
    if model is not None and basic_type is not None and isinstance(model, basic_type) != (kind == "basic"):
        raise ValueError(f"a {type(model).__name__} cannot be sent as a {kind!r} registry")
    return "basic" if kind == "basic" else "ecr"


def _registry_path(uid: str, kind: str) -> str:
    return f"/v1/registries/oci/{_segment(uid)}/{_kind(kind)}"
