"""A small, typed client for Palette's OCI registry API (httpx, synchronous, thread-safe).

It knows nothing of Terraform. One `PaletteClient` holds one pooled `httpx.Client`; Terraform
calls the provider in parallel, so every method may be called from several threads at once.

Retries (bounded by `max_retries`, exponential backoff with full jitter, `Retry-After` honoured):
- 429 and connection failures before anything was sent (refused, connect timeout): every request.
- 500, 502, 503, 504 and failures after the request went out (read timeout, connection reset or
  closed before the answer): idempotent requests only, that is everything but a create. GET, PUT
  and DELETE are idempotent by definition; the validate and sync POSTs store nothing, so repeating
  them is harmless.
- A create (`POST /v1/registries/oci/{basic,ecr}`) whose outcome is unknown (5xx, timeout, dropped
  connection, a 2xx without a usable uid, any exception once the request may have left) is never
  repeated blindly. Every create carries a random token in `metadata.annotations`
  (CREATE_TOKEN_ANNOTATION), the same for all its attempts. After an unknown outcome the client
  reads each registry of the create's name, family, providerType, endpoint and scope: one holding
  this create's token is the one it stored, whatever its timestamps say (the server that stamped it
  may keep another clock than the one that answers), and its uid is returned. Nothing else is
  adopted: a namesake with another token belongs to someone else (another resource, another apply),
  and one without any token, of the create's base content path and auth type and created since the
  create began (by Palette's clock, give or take CREATE_CLOCK_SLACK), cannot be proved ours (Palette
  may not keep annotations), so the create stops with an AmbiguousWriteError naming it.
  When no candidate exists, an attempt that nothing says Palette is done with (no answer: a timeout,
  a connection broken after sending; or a gateway's 502/504) may still be stored late: the client
  looks again (after 0.5 s, growing to 5 s) until one request timeout has passed since it gave up,
  and adopts the registry if it appears (`may_still_land`). Only then, still without a candidate, is
  the POST sent again; after an answer from Palette itself (500, 503), at once. A 2xx without a uid
  is never sent again. A lost answer never adopts a stranger, and produces a duplicate only if
  Palette stores the lost attempt more than one request timeout after the client gave up *and* lets
  two registries share a name (FIDELITY.md row 22: names are unique in a scope, an assumption;
  there the late attempt is refused with 409).
- Never retried: 400, 401, 403, 404, 409, 422, other 4xx, TLS verification failures.

The API key is proven before any "not found" is believed: a Palette may answer a key it does not know
with `ResourceNotFound` on every path. `prove_key` makes the call Spectro Cloud's SDK validates a key
with (`GET /v1/dashboard/projects/metadata`; after a 403, the registry list), once per client; `get`,
`get_oci`, `list_oci` and `delete` raise NotFoundError only after it succeeded, and KeyRejectedError
when Palette refused it.

Logging: logger `provider.palette`, DEBUG, one line per attempt (method, path, status or failure,
duration, attempt). Bodies, headers and query strings are never logged.
"""

from __future__ import annotations

import enum
import logging
import os
import random
import re
import secrets
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, NoReturn, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from provider.palette.errors import (
    AmbiguousNameError,
    AmbiguousWriteError,
    ConfigurationError,
    FamilyChangedError,
    ForbiddenError,
    KeyRejectedError,
    NotFoundError,
    PaletteError,
    SyncFailedError,
    SyncInterruptedError,
    SyncTimeoutError,
    TransportError,
    UnauthorizedError,
    error_from_response,
    redact,
    truncate,
)
from provider.palette.hosts import normalize_host as _normalize_host
from provider.palette.models import (
    BasicOciRegistry,
    BasicOciRegistrySpec,
    EcrRegistry,
    EcrRegistrySpec,
    OciRegistries,
    OciRegistry,
    OciRegistryEntity,
    ProjectsMetadata,
    RegistryAuth,
    RegistrySyncStatus,
    Uid,
    to_wire,
    with_unknown_fields,
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
from provider.proxies import Route, route
from provider.redaction import redact_credentials, redact_then_cut, remember
from provider.version import __version__
from provider.words import FAMILIES, Family

logger = logging.getLogger("provider.palette")
_M = TypeVar("_M", bound=BaseModel)

DEFAULT_USER_AGENT = f"terraform-provider-oci/{__version__}"
MAX_CONNECTIONS = 20
MAX_TIMEOUT = 86400.0  # seconds; a day is already more than any request needs
# Seconds of tolerance when matching a lost create by its creation time: the Date header has 1 s
# resolution, and servers behind one load balancer keep slightly different clocks.
CREATE_CLOCK_SLACK = 2.5
# While a lost create may still be stored, how often to look for it: first after this many seconds,
# then half as long again each time, at most SETTLE_POLL_CAP.
SETTLE_POLL = 0.5
SETTLE_POLL_CAP = 5.0
# The annotation every create carries: a random token per create, the same for all its attempts,
# by which a create whose answer was lost recognises the registry it stored (see the module doc).
CREATE_TOKEN_ANNOTATION = "terraform-provider-oci/create-token"
SECRET_FIELDS = frozenset({"password", "token", "secretKey", "secretToken", "key"})
# The call that proves an API key, as Spectro Cloud's SDK makes it (`client.Validate`): its success is a
# list of the tenant's projects, which no answer to an unknown key can be.
KEY_PROOF_PATH = "/v1/dashboard/projects/metadata"


# ---------------------------------------------------------------------------------------------
# Host normalisation (pure)
# ---------------------------------------------------------------------------------------------


def normalize_host(host: str, *, insecure: bool = False) -> str:
    """`hosts.normalize_host` (the rules users see at validate), and an address httpx can use
    (IDNA host names, ports)."""
    base = _normalize_host(host, insecure=insecure)
    try:
        httpx.URL(base)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"the Palette host {host!r} is not a usable address ({exc})") from None
    return base


# ---------------------------------------------------------------------------------------------
# Sync status (pure)
# ---------------------------------------------------------------------------------------------


class SyncState(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    IN_PROGRESS = "in progress"


SYNC_SUCCESS = frozenset({"Success", "Completed"})
SYNC_FAILURE = frozenset({"Failed", "Error"})


def classify_sync(status: str | None) -> SyncState:
    """Palette's free-form `syncStatus.status` (normalised as it entered, `models.SyncWord`) as a state.
    Completed/Success succeeded and Failed/Error failed, as in Spectro Cloud's own provider (Completed,
    InProgress, Failed, Error are the only words Spectro documents); anything else (InProgress, Pending,
    Running, Unknown, "") is not finished yet.

    A word neither list knows is where the two providers part: Spectro's wait fails on it with an
    unexpected-state error after the registry is stored, which taints it. Here it counts as not finished:
    the wait goes on and, if the word stays, ends at the timeout with a warning naming it. A word
    Palette adds later is likelier a new spelling of "in progress" than a failure, and a warning keeps
    the registry and its uid in the state untainted."""
    if status in SYNC_SUCCESS:
        return SyncState.SUCCEEDED
    if status in SYNC_FAILURE:
        return SyncState.FAILED
    return SyncState.IN_PROGRESS


# ---------------------------------------------------------------------------------------------
# Registry selection (pure)
# ---------------------------------------------------------------------------------------------


def scope_matches(item_scope: str | None, wanted: str | None = None) -> bool:
    """Whether a registry's `scope` (normalised as it entered) is `wanted` (any scope when not given). An
    empty scope matches: some answers carry none."""
    return not item_scope or not wanted or item_scope == wanted


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


def registries_named(items: Iterable[OciRegistry], name: str, family: Family | None = None) -> list[OciRegistry]:
    """The summary items called `name` (exactly) and, when given, of `family`."""
    return [item for item in items if item.metadata.name == name and (family is None or item.family == family)]


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
    """Palette's OCI registry API. Methods return models and raise `PaletteError` subclasses."""

    # How much older than the first attempt (by Palette's clock) a registry found after a lost
    # create may be and still count as the one that create stored.
    create_clock_slack: float = CREATE_CLOCK_SLACK

    def __init__(
        self,
        host: str,
        api_key: str,
        *,
        ca_pem: str | None = None,
        insecure: bool = False,
        timeout: float = 30.0,
        max_retries: int = 5,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`transport` is httpx's own argument, passed through: the test seam through which the in-process
        tests (tests/harness/inprocess.py) serve requests with the emulator's ASGI app, no sockets. The
        provider never sets it; `ca_pem` and `insecure` do not apply to a transport given here."""
        self.base_url = normalize_host(host, insecure=insecure)
        self._api_key = _clean_header_value(api_key, "Palette API key")
        remember([self._api_key])  # nothing the provider shows may quote it
        if not 0 < timeout <= MAX_TIMEOUT:  # beyond that, the socket layer overflows (and NaN fails both)
            raise ConfigurationError(
                f"the request timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {timeout:g}"
            )
        self.timeout = timeout
        # `prove_key`'s outcome, once known: True, or the refusal (a key Palette refused stays refused).
        self._key_proof: bool | KeyRejectedError | None = None
        self._key_proof_lock = threading.Lock()
        self.policy = RetryPolicy(max_retries, backoff_base, backoff_cap, retry_after_cap)
        self._rng = rng or random.Random()
        # The proxy is ours to choose (provider.proxies): never one for a loopback host, NO_PROXY honoured.
        # trust_env=False keeps httpx from choosing again (and from reading ~/.netrc); TLS trust is ours anyway.
        self.proxy: Route | None = route(self.base_url, os.environ)
        # Plain http (loopback or insecure): no TLS, so no trust store to load (~20 ms per process).
        verify = False if self.base_url.startswith("http://") else _ssl_verification(ca_pem, insecure)
        try:
            self._http = httpx.Client(
                base_url=self.base_url,
                proxy=self.proxy.url if self.proxy else None,
                trust_env=False,
                headers={"ApiKey": self._api_key, "User-Agent": user_agent, "Accept": "application/json"},
                timeout=httpx.Timeout(timeout),
                limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS),
                verify=verify,
                follow_redirects=False,
                transport=transport,
            )
        except (ValueError, ImportError) as exc:  # httpx refuses the proxy URL (its message may quote credentials)
            if self.proxy is None:
                raise
            raise ConfigurationError(
                f"the proxy {self.proxy.shown} in {self.proxy.variable} cannot be used ({type(exc).__name__}); "
                f"give an http:// or https:// proxy URL in {self.proxy.variable}, or name the Palette host in NO_PROXY"
            ) from None

    def __repr__(self) -> str:
        return f"PaletteClient({self.base_url})"

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one registry: the family (basic or ecr) comes from the model's class, or is given ------

    def validate(self, spec: BasicOciRegistrySpec | EcrRegistrySpec) -> None:
        """Palette checks the registry (reachable, credentials accepted; for ECR, its AWS credentials):
        204, or ValidationFailedError."""
        self._call("POST", f"/v1/registries/oci/{spec.family}/validate", body=to_wire(spec))

    def get(self, family: Family, uid: str) -> BasicOciRegistry | EcrRegistry:
        """The registry at `/oci/{uid}/{family}`. NotFoundError only when Palette says the registry is
        gone; FamilyChangedError when it is now of the other family; UnexplainedNotFoundError for a 404
        Palette did not give."""
        checked = _family(family)
        model: type[BasicOciRegistry | EcrRegistry] = BasicOciRegistry if checked == "basic" else EcrRegistry
        path = _registry_path(uid, checked)
        try:
            response = self._call("GET", path)
        except NotFoundError as exc:
            raise self._gone_or_other_family(uid, checked, exc) from None
        return _decode(model, response, "GET", path).answered(response.json())

    def get_oci(self, uid: str) -> OciRegistryEntity:
        """Any family; `.family` tells "basic" from "ecr".

        `GET /v1/registries/oci/{uid}` is in the swagger, but no Spectro code calls it (its import tries
        the `/ecr` path, then `/basic`), so nothing proves a Palette serves it. Where it answers 404 or
        405, or a body without a family this client knows, the family paths answer instead, in that
        order: only their ResourceNotFound proves the registry gone (NotFoundError); a 404 from the
        by-uid path alone does not. A type this client does not know, which neither family path holds,
        is returned as it is, for the caller to name. NotFoundError only once the key is proven."""
        path = f"/v1/registries/oci/{_segment(uid)}"
        try:
            entity = _entity_or_none(self._call("GET", path))
        except PaletteError as exc:
            if exc.status not in BY_UID_UNANSWERED:
                raise
            entity = None
        if entity is not None and entity.family is not None:
            return entity
        unknown_type = entity if entity is not None and (entity.type or "").strip() else None
        try:
            return self._entity_by_family_paths(uid) or unknown_type or self._gone(uid)
        except NotFoundError as exc:
            raise self._believed(exc) from None

    def _entity_by_family_paths(self, uid: str) -> OciRegistryEntity | None:
        """The registry `uid` read from `/ecr`, then `/basic`, as an entity; None when both answer
        ResourceNotFound. Any other failure proves nothing and propagates."""
        models: tuple[type[EcrRegistry | BasicOciRegistry], ...] = (EcrRegistry, BasicOciRegistry)
        for model in models:
            try:
                return entity_of(self._read(model, _registry_path(uid, model.family)))
            except NotFoundError:
                continue
        return None

    @staticmethod
    def _gone(uid: str) -> NoReturn:
        raise NotFoundError(
            f"registry {uid} not found: Palette answered ResourceNotFound on both the ECR and the basic path",
            status=404,
            code="ResourceNotFound",
            method="GET",
            path=f"/v1/registries/oci/{uid}/basic",
        )

    def list_oci(self) -> list[OciRegistry]:
        """`GET /v1/registries/oci/summary`: every OCI registry visible in this scope."""
        try:
            return self._read(OciRegistries, "/v1/registries/oci/summary").items
        except NotFoundError as exc:
            raise self._believed(exc) from None

    # -- the API key: proven before any "not found" is believed ---------------------------------

    def prove_key(self) -> None:
        """Prove that Palette knows this client's API key, once: `GET /v1/dashboard/projects/metadata`, the
        call Spectro Cloud's SDK validates a key with. A Palette may answer a key it does not know with
        `ResourceNotFound` on every path, so a registry's "not found" means "gone" only after this succeeded.
        A key refused that call with 403 is proven by the registry list instead (see `_prove`).

        KeyRejectedError when Palette refuses the key (401, 403 or ResourceNotFound; remembered: the same key
        gets the same answer); other PaletteErrors (unreachable, 5xx after retries, an answer of another
        shape) prove nothing and are not remembered. Thread-safe: parallel callers wait for one proof."""
        if self._key_proof is True:
            return
        with self._key_proof_lock:
            if isinstance(self._key_proof, KeyRejectedError):
                raise self._key_proof
            if self._key_proof is None:
                try:
                    self._prove()
                except (UnauthorizedError, ForbiddenError, NotFoundError) as exc:
                    self._key_proof = KeyRejectedError(
                        exc.message, status=exc.status, code=exc.code, method=exc.method, path=exc.path
                    )
                    raise self._key_proof from None
                self._key_proof = True

    def _prove(self) -> None:
        """The proof's calls. A key whose user may not list the tenant's projects (403: a system
        administrator's key, a narrow custom role) but may read the registry list is proven by that list:
        its success cannot be a not-found either. Reads the path directly: `list_oci` would ask for the
        proof under way."""
        try:
            self._read(ProjectsMetadata, KEY_PROOF_PATH)
        except ForbiddenError:
            self._read(OciRegistries, "/v1/registries/oci/summary")

    def _believed(self, not_found: NotFoundError) -> PaletteError:
        """`not_found` when this client's key is proven; else why it is not (a bad key's "not found" is not)."""
        try:
            self.prove_key()
        except PaletteError as exc:
            return exc
        return not_found

    def find_by_name(self, name: str, family: Family | None = None) -> OciRegistry | None:
        """The registry called `name` (and of `family` when given), or None. When several match
        (a tenant registry and a system one of the same name), the tenant's wins: it is the one
        this API key can change; AmbiguousNameError when that still leaves several."""
        found = registries_named(self.list_oci(), name, family)
        if len(found) > 1:
            found = [r for r in found if scope_matches(r.spec.scope, "tenant")] or found
        if len(found) > 1:
            listed = ", ".join(f"{r.metadata.uid} ({r.spec.scope or 'unknown'} scope)" for r in found)
            raise AmbiguousNameError(f"several OCI registries are named {name!r}: {listed}; use the uid")
        return found[0] if found else None

    def update(self, uid: str, registry: BasicOciRegistry | EcrRegistry) -> None:
        """PUT the whole registry. Palette may store what the body omits as its zero value
        (FIDELITY.md row 23, an inference), so when `registry` was read from Palette (`get`, then
        changed: its `answer` is kept) the fields of that answer which the models do not define go
        back as Palette sent them: a newer Palette's fields are never dropped."""
        body = to_wire(registry, exclude={"status"})
        if registry.answer is not None:
            body = with_unknown_fields(body, registry.answer, type(registry))
        self._call("PUT", _registry_path(uid, registry.family), body=body)

    def delete(self, family: Family, uid: str) -> None:
        """Delete; NotFoundError when already gone (Palette says so; callers decide whether that is
        success), FamilyChangedError when the registry now lives under the other family's path."""
        checked = _family(family)
        try:
            self._call("DELETE", _registry_path(uid, checked))
        except NotFoundError as exc:
            raise self._gone_or_other_family(uid, checked, exc) from None

    def _gone_or_other_family(self, uid: str, family: Family, not_found: NotFoundError) -> PaletteError:
        """After Palette answered ResourceNotFound on `/oci/{uid}/{family}`: `not_found` when the
        registry is really gone, FamilyChangedError when `GET /v1/registries/oci/{uid}` shows it in the
        other family (Palette keeps basic and ECR registries apart, and answers ResourceNotFound on the
        other family's path), or the error of that lookup (e.g. a proxy's 404) when it proves nothing."""
        try:
            entity = self.get_oci(uid)  # its not-found is believed only once the key is proven
        except NotFoundError:
            return not_found
        except PaletteError as exc:
            return exc
        actual = entity.family
        if actual is None or actual == family:
            return self._believed(not_found)
        provider_type = entity.provider_type or ""
        return FamilyChangedError(
            f"registry {uid} is now {'an ECR' if actual == 'ecr' else 'a basic'} "
            f"{provider_type + ' ' if provider_type else ''}registry in Palette, not the {family} registry "
            "Terraform manages: it changed outside Terraform",
            uid=uid,
            expected=family,
            actual=actual,
            provider_type=provider_type,
        )

    # -- sync -----------------------------------------------------------------------------------

    def sync(self, uid: str, family: Family, *, force: bool = False) -> None:
        """Start a synchronization (202)."""
        params = {"forceSync": "true"} if force else None
        self._call("POST", f"{_registry_path(uid, family)}/sync", params=params)

    def sync_status(self, uid: str, family: Family) -> RegistrySyncStatus:
        return self._read(RegistrySyncStatus, f"{_registry_path(uid, family)}/sync/status")

    def wait_for_sync(
        self,
        uid: str,
        family: Family,
        timeout: float,
        *,
        poll: float = 2.0,
        max_poll: float = 15.0,
        stop: threading.Event | None = None,
        on_status: Callable[[RegistrySyncStatus], None] | None = None,
    ) -> RegistrySyncStatus:
        """Poll the sync status, the interval growing from `poll` to `max_poll`, until it succeeds or
        Palette says the registry does not synchronize (returned; the caller reads which), fails
        (SyncFailedError with Palette's message) or `timeout` seconds pass (SyncTimeoutError naming
        the last status seen). Setting `stop` ends the wait at once
        (SyncInterruptedError naming the last status seen). `on_status` sees every status read, first."""
        deadline = time.monotonic() + timeout
        interval = poll
        while True:
            status = self.sync_status(uid, family)
            if on_status is not None:
                on_status(status)
            state = classify_sync(status.status)
            if state is SyncState.SUCCEEDED or status.is_sync_supported is False:
                return status
            if state is SyncState.FAILED:
                detail = f": {truncate(redact_credentials(status.message))}" if status.message else ""
                raise SyncFailedError(
                    f"Palette reports that the sync of registry {uid} failed ({status.status}){detail}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                last = status.status or "no status yet"
                raise SyncTimeoutError(
                    f"the sync of registry {uid} did not finish within {timeout:g}s; last status: {last}"
                    + (f" ({truncate(redact_credentials(status.message))})" if status.message else "")
                )
            if stop is None:
                time.sleep(min(interval, remaining))
            elif stop.wait(min(interval, remaining)):
                raise SyncInterruptedError(
                    f"stopped waiting for the sync of registry {uid}; last status: {status.status or 'no status yet'}"
                )
            interval = min(interval * 1.5, max_poll)

    # -- answers as they come (terraform-provider-oci probe) ------------------------------------

    def answer(self, path: str) -> httpx.Response:
        """`GET path`'s last answer whatever its status, retried as any GET (429 and 5xx; the last
        one is returned when retries run out). `terraform-provider-oci probe` records the shapes of
        Palette's answers, refusals included, which the typed methods turn into models or errors.
        TransportError when no answer arrives."""
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.policy.attempts + 1):
            outcome = self._attempt("GET", path, attempt)
            disposition = _disposition(outcome)
            if disposition in (Disposition.OK, Disposition.FINAL) or attempt == self.policy.attempts:
                break
            self._pause(attempt, outcome)
        assert outcome is not None
        if isinstance(outcome, Failure):
            raise self._final_error(outcome, "GET", path, [])
        return outcome

    # -- create: never a stranger, a duplicate only when stored late (see the module doc) --------

    def create(self, registry: BasicOciRegistry | EcrRegistry) -> str:
        """Create; returns the new uid. A lost answer is looked up by the create's token before
        anything is sent again (see the module doc)."""
        name, family = registry.metadata.name, registry.family
        if not name:
            raise ValueError("registry.metadata.name is required to create a registry")
        path = f"/v1/registries/oci/{family}"
        token = secrets.token_hex(16)
        signed = registry.model_copy(deep=True)
        signed.metadata.annotations = {**(registry.metadata.annotations or {}), CREATE_TOKEN_ANNOTATION: token}
        body = to_wire(signed, exclude={"status"})
        started = time.monotonic()
        unknown = False  # whether an attempt may have been stored
        settle = started  # until when (monotonic) an attempt may still be stored
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.policy.attempts + 1):
            if unknown and (uid := self._find_created(signed, token, started, outcome, settle)):
                return uid
            outcome = self._attempt_write("POST", path, attempt, body=body)
            disposition = _disposition(outcome)
            if isinstance(outcome, httpx.Response) and disposition is Disposition.OK:
                uid = _created_uid(outcome)
                if uid:
                    return uid
                # Palette accepted the create but its answer says nothing usable: stored, uid unknown.
                outcome = Failure(Disposition.MAYBE_PROCESSED, _unusable_answer(outcome))
                unknown = True
                break
            unknown = unknown or disposition is Disposition.MAYBE_PROCESSED
            if may_still_land(outcome):
                # Nothing says Palette is done with it: it may store it for one more request timeout.
                settle = time.monotonic() + self.timeout
            if disposition is Disposition.FINAL or attempt == self.policy.attempts:
                break
            self._pause(attempt, outcome)
        assert outcome is not None
        if not unknown:
            raise self._final_error(outcome, "POST", path, secret_values(body))
        if uid := self._find_created(signed, token, started, outcome, settle):
            return uid
        if isinstance(outcome, httpx.Response) and outcome.status_code == 409:
            # The name is taken by a registry that is provably not this create's (another token).
            raise self._final_error(outcome, "POST", path, secret_values(body))
        raise AmbiguousWriteError(
            f"creating the {family} registry {name!r} may or may not have succeeded: the answer was lost "
            f"({_outcome_words(outcome)}) and Palette does not list it yet. The registry may exist in Palette "
            "(a request that timed out can still be stored later): look for a registry named "
            f"{name!r} before creating it again",
            method="POST",
            path=path,
        )

    def _find_created(
        self,
        registry: BasicOciRegistry | EcrRegistry,
        token: str,
        started: float,
        outcome: object,
        settle: float,
    ) -> str | None:
        """The uid of the registry that a create with an unknown outcome (first sent at `started`,
        signed with `token`) stored; None when Palette has no candidate for it at all, even when
        looked at again until `settle` (monotonic: until then an attempt may still be stored late).

        The summary's namesakes of the same family, providerType, endpoint and scope are read one by
        one. One holding the create's token is the one it stored, whatever its timestamps say (the
        server that stamped it may keep another clock than the one that answers). One with another
        token is someone else's (skipped). One without a token, of the create's shape (base content
        path, auth type) and created since the create began (by Palette's clock, give or take
        `create_clock_slack`), cannot be proved ours: AmbiguousWriteError naming it, never a guess."""
        name, family = registry.metadata.name or "", registry.family
        pause = SETTLE_POLL
        try:
            while True:
                uid, unproved = self._look_for_created(registry, token, started)
                if uid or unproved or time.monotonic() >= settle:
                    break
                logger.debug("POST /v1/registries/oci/%s: not stored yet; looking again", family)
                time.sleep(min(pause, max(settle - time.monotonic(), 0.0)))
                pause = min(pause * 1.5, SETTLE_POLL_CAP)
        except PaletteError as exc:
            raise AmbiguousWriteError(
                f"creating the {family} registry {name!r} may or may not have succeeded: the answer was lost "
                f"({_outcome_words(outcome)}) and looking the registry up failed too ({exc}). Check Palette "
                f"for a registry named {name!r} before creating it again",
                method="POST",
                path=f"/v1/registries/oci/{family}",
            ) from None
        if uid:
            logger.debug("POST /v1/registries/oci/%s: stored after all (found by its create token)", family)
            return uid
        if unproved:
            raise AmbiguousWriteError(
                f"creating the {family} registry {name!r} may or may not have succeeded: the answer was lost "
                f"({_outcome_words(outcome)}). Palette has a matching registry {', '.join(unproved)} created "
                "since, but it does not carry this create's token (metadata.annotations), so nothing proves "
                "that this create stored it rather than someone else: it was not adopted. If it is yours, "
                f"import it by uid ({unproved[0]})",
                method="POST",
                path=f"/v1/registries/oci/{family}",
            )
        return None

    def _look_for_created(
        self, registry: BasicOciRegistry | EcrRegistry, token: str, started: float
    ) -> tuple[str | None, list[str]]:
        """One look (see `_find_created`): the uid holding `token`, else the uids that may be ours."""
        name, family = registry.metadata.name or "", registry.family
        path = "/v1/registries/oci/summary"
        response = self._call("GET", path)
        items = registries_named(_decode(OciRegistries, response, "GET", path).items, name, family)
        server_now = parse_http_date(response.headers.get("Date"))
        window = time.monotonic() - started + self.create_clock_slack
        unproved: list[str] = []
        for item in items:
            uid = item.metadata.uid or ""
            if not (
                uid
                and scope_matches(item.spec.scope, registry.spec.scope)
                and _same_word(item.spec.provider_type, registry.spec.provider_type)
                and _same_endpoint(item.spec.endpoint, registry.spec.endpoint)
            ):
                continue
            stored = self._read(type(registry), _registry_path(uid, family))
            held = (stored.metadata.annotations or {}).get(CREATE_TOKEN_ANNOTATION)
            if held == token:  # the proof; time filters only what carries no token
                return uid, []
            if (
                held is None
                and same_registry_shape(stored, registry)
                and created_within(item.metadata.creation_timestamp, server_now, window)
            ):
                unproved.append(uid)
        return None, unproved

    # -- plumbing -------------------------------------------------------------------------------

    def _attempt_write(self, method: str, path: str, attempt: int, *, body: Any) -> httpx.Response | Failure:
        """`_attempt` for a write: any exception once the request may have left is an unknown outcome."""
        try:
            return self._attempt(method, path, attempt, body=body)
        except Exception as exc:  # e.g. a bug deep in a transport: the write may have landed all the same
            logger.debug("%s %s: %s after sending", method, path, type(exc).__name__)
            return Failure(
                Disposition.MAYBE_PROCESSED,
                f"{type(exc).__name__} while waiting for the answer to {method} {path} from {self.base_url}",
            )

    def _read(self, model: type[_M], path: str, *, params: Mapping[str, str] | None = None) -> _M:
        return _decode(model, self._call("GET", path, params=params), "GET", path)

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """An idempotent request, retried as the module doc says; the answer, or a typed error."""
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.policy.attempts + 1):
            outcome = self._attempt(method, path, attempt, body=body, params=params)
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
    ) -> httpx.Response | Failure:
        """One request; the answer (read in full) or what went wrong. Registries are tenant-level:
        no request carries a ProjectUid header."""
        started = time.monotonic()
        try:
            response = self._http.request(method, path, json=body, params=params)
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
        if self.proxy is not None:  # what failed may be the proxy: say which, and who chose it
            note += f" ({self.proxy.words()})"
        if isinstance(outcome, Failure):
            return TransportError(redact(outcome.message, [self._api_key]) + note, method=method, path=path)
        if outcome.is_redirect:
            where = outcome.headers.get("Location") or "another address"
            return PaletteError(
                f"redirected to {redact_then_cut(where, 200, [self._api_key])}; give the address Palette's API "
                "answers at as the host",
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
            host=self.base_url,
        )


# Answers of `GET /v1/registries/oci/{uid}` that say nothing about the registry: the path may not be
# served (404 of any code, 405), so the family paths are asked instead (`PaletteClient.get_oci`).
BY_UID_UNANSWERED = frozenset({404, 405})


def _entity_or_none(response: httpx.Response) -> OciRegistryEntity | None:
    """The by-uid answer as an entity, or None when its body is not one (a shape this client does not know)."""
    try:
        return OciRegistryEntity.model_validate(response.json())
    except ValueError:
        return None


def entity_of(registry: BasicOciRegistry | EcrRegistry) -> OciRegistryEntity:
    """What `GET /v1/registries/oci/{uid}` says of a registry, from its family path's answer."""
    spec = registry.spec
    if isinstance(registry, EcrRegistry):
        tls = registry.spec.tls
        auth = RegistryAuth(tls=tls) if tls is not None else None
        region = registry.spec.default_region
    else:
        auth, region = registry.spec.auth, None
    return OciRegistryEntity(
        type=registry.family,
        endpoint=spec.endpoint,
        provider_type=spec.provider_type,
        scope=spec.scope,
        default_region=region,
        auth=auth,
    )


def _disposition(outcome: httpx.Response | Failure) -> Disposition:
    if isinstance(outcome, Failure):
        return outcome.disposition
    return status_disposition(outcome.status_code)


def may_still_land(outcome: httpx.Response | Failure) -> bool:
    """Whether a write may still be stored after this outcome, because nothing says Palette is done
    with it: no answer at all (a timeout, a connection broken after sending), or a gateway's 502/504
    (it gave up waiting; Palette behind it may still be working). An answer from Palette itself
    (500, 503) ends its handling of the request."""
    if isinstance(outcome, Failure):
        return outcome.disposition is Disposition.MAYBE_PROCESSED
    return outcome.status_code in (502, 504)


def _outcome_words(outcome: object) -> str:
    if isinstance(outcome, Failure):
        return outcome.message
    if isinstance(outcome, httpx.Response):
        return f"Palette answered {outcome.status_code}"
    return "no answer"


def _created_uid(response: httpx.Response) -> str | None:
    """The uid a create's 2xx answer carries, or None when it carries none usable (HTML, empty,
    `{"uid": ""}`, a uid that is not one path segment)."""
    try:
        uid = Uid.model_validate(response.json()).uid.strip()
    except ValueError:
        return None
    return uid if re.fullmatch(r"[A-Za-z0-9._-]+", uid) else None


def _unusable_answer(response: httpx.Response) -> str:
    what = "an empty body" if not response.content.strip() else "no usable uid"
    return f"Palette answered {response.status_code} to the create with {what}"


def _same_word(found: str | None, wanted: str | None) -> bool:
    """The same word (both normalised as they entered); an unknown on either side does not decide."""
    return not found or not wanted or found == wanted


def _same_endpoint(found: str | None, wanted: str | None) -> bool:
    a, b = (found or "").strip().rstrip("/"), (wanted or "").strip().rstrip("/")
    return not a or not b or a.lower() == b.lower()


def same_registry_shape(stored: BasicOciRegistry | EcrRegistry, sent: BasicOciRegistry | EcrRegistry) -> bool:
    """Whether a registry read back has what a create sent: provider type, endpoint, base content
    path and auth type (basic/noAuth/token, or ECR's credential type)."""
    if type(stored) is not type(sent):
        return False
    if not _same_word(stored.spec.provider_type, sent.spec.provider_type):
        return False
    if not _same_endpoint(stored.spec.endpoint, sent.spec.endpoint):
        return False
    if (stored.spec.base_content_path or "").strip() != (sent.spec.base_content_path or "").strip():
        return False
    if isinstance(stored, BasicOciRegistry) and isinstance(sent, BasicOciRegistry):
        return (stored.spec.auth.type or "noAuth") == (sent.spec.auth.type or "noAuth")
    if isinstance(stored, EcrRegistry) and isinstance(sent, EcrRegistry):
        stored_type = stored.spec.credentials.credential_type if stored.spec.credentials else None
        sent_type = sent.spec.credentials.credential_type if sent.spec.credentials else None
        return _same_word(stored_type, sent_type)
    return False


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


def _family(family: str) -> Family:
    """`family` checked: "basic" or "ecr"."""
    if family not in FAMILIES:
        raise ValueError(f"registry family must be 'basic' or 'ecr', not {family!r}")
    return "basic" if family == "basic" else "ecr"


def _registry_path(uid: str, family: str) -> str:
    return f"/v1/registries/oci/{_segment(uid)}/{_family(family)}"
