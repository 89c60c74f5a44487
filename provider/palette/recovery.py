"""A create that never adopts a stranger, and produces a duplicate only when stored late: lost-create recovery.

A create (`POST /v1/registries/oci/{basic,ecr}`) whose outcome is unknown (5xx, timeout, dropped
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
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from datetime import UTC, datetime, timedelta

import httpx

from provider.palette.errors import AmbiguousWriteError, PaletteError
from provider.palette.hosts import endpoint_key
from provider.palette.models import BasicOciRegistry, EcrRegistry, OciRegistries, Uid, to_wire
from provider.palette.paths import SUMMARY_PATH, registry_path
from provider.palette.retry import Disposition, Failure, parse_http_date
from provider.palette.selection import registries_named, scope_matches
from provider.palette.transport import Transport, decode, disposition_of, secret_values

logger = logging.getLogger("provider.palette")

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


def create(transport: Transport, registry: BasicOciRegistry | EcrRegistry, *, clock_slack: float) -> str:
    """Create `registry`; returns the new uid. A lost answer is looked up by the create's token before
    anything is sent again (see the module doc). `clock_slack`: how much older than the first attempt
    (by Palette's clock) a registry found after a lost create may be and still count as this create's."""
    return _Create(transport, registry, clock_slack).run()


class _Create:
    """One create: its registry signed with a fresh token, when it began, and its attempts."""

    def __init__(self, transport: Transport, registry: BasicOciRegistry | EcrRegistry, clock_slack: float) -> None:
        if not registry.metadata.name:
            raise ValueError("registry.metadata.name is required to create a registry")
        self.transport, self.clock_slack = transport, clock_slack
        self.token = secrets.token_hex(16)
        self.registry = registry.model_copy(deep=True)
        self.registry.metadata.annotations = {
            **(registry.metadata.annotations or {}),
            CREATE_TOKEN_ANNOTATION: self.token,
        }
        self.path = f"/v1/registries/oci/{registry.family}"
        self.started = time.monotonic()

    def run(self) -> str:
        name, family, path = self.registry.metadata.name, self.registry.family, self.path
        body = to_wire(self.registry, exclude={"status"})
        unknown = False  # whether an attempt may have been stored
        settle = self.started  # until when (monotonic) an attempt may still be stored
        outcome: httpx.Response | Failure | None = None
        for attempt in range(1, self.transport.policy.attempts + 1):
            if unknown and (uid := self.find(outcome, settle)):
                return uid
            outcome = self.transport.attempt_write("POST", path, attempt, body=body)
            disposition = disposition_of(outcome)
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
                settle = time.monotonic() + self.transport.timeout
            if disposition is Disposition.FINAL or attempt == self.transport.policy.attempts:
                break
            self.transport.pause(attempt, outcome)
        assert outcome is not None
        if not unknown:
            raise self.transport.final_error(outcome, "POST", path, secret_values(body))
        if uid := self.find(outcome, settle):
            return uid
        if isinstance(outcome, httpx.Response) and outcome.status_code == 409:
            # The name is taken by a registry that is provably not this create's (another token).
            raise self.transport.final_error(outcome, "POST", path, secret_values(body))
        raise AmbiguousWriteError(
            f"creating the {family} registry {name!r} may or may not have succeeded: the answer was lost "
            f"({_outcome_words(outcome)}) and Palette does not list it yet. The registry may exist in Palette "
            "(a request that timed out can still be stored later): look for a registry named "
            f"{name!r} before creating it again",
            method="POST",
            path=path,
        )

    def find(self, outcome: object, settle: float) -> str | None:
        """The uid of the registry that this create, its outcome unknown, stored; None when Palette has no
        candidate for it at all, even when looked at again until `settle` (monotonic: until then an attempt
        may still be stored late).

        The summary's namesakes of the same family, providerType, endpoint and scope are read one by
        one. One holding the create's token is the one it stored, whatever its timestamps say (the
        server that stamped it may keep another clock than the one that answers). One with another
        token is someone else's (skipped). One without a token, of the create's shape (base content
        path, auth type) and created since the create began (by Palette's clock, give or take
        `clock_slack`), cannot be proved ours: AmbiguousWriteError naming it, never a guess."""
        name, family = self.registry.metadata.name or "", self.registry.family
        pause = SETTLE_POLL
        try:
            while True:
                uid, unproved = self.look()
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

    def look(self) -> tuple[str | None, list[str]]:
        """One look (see `find`): the uid holding this create's token, else the uids that may be ours."""
        registry, token = self.registry, self.token
        name, family = registry.metadata.name or "", registry.family
        response = self.transport.call("GET", SUMMARY_PATH)
        items = registries_named(decode(OciRegistries, response, "GET", SUMMARY_PATH).items, name, family)
        server_now = parse_http_date(response.headers.get("Date"))
        window = time.monotonic() - self.started + self.clock_slack
        unproved: list[str] = []
        for item in items:
            uid = item.metadata.uid or ""
            if not (
                uid
                and scope_matches(item.spec.scope, registry.spec.scope)
                and same_word(item.spec.provider_type, registry.spec.provider_type)
                and same_endpoint(item.spec.endpoint, registry.spec.endpoint)
            ):
                continue
            path = registry_path(uid, family)
            stored = decode(type(registry), self.transport.call("GET", path), "GET", path)
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


def may_still_land(outcome: httpx.Response | Failure) -> bool:
    """Whether a write may still be stored after this outcome, because nothing says Palette is done
    with it: no answer at all (a timeout, a connection broken after sending), or a gateway's 502/504
    (it gave up waiting; Palette behind it may still be working). An answer from Palette itself
    (500, 503) ends its handling of the request."""
    if isinstance(outcome, Failure):
        return outcome.disposition is Disposition.MAYBE_PROCESSED
    return outcome.status_code in (502, 504)


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


def same_word(found: str | None, wanted: str | None) -> bool:
    """The same word (both normalised as they entered); an unknown on either side does not decide."""
    return not found or not wanted or found == wanted


def same_endpoint(found: str | None, wanted: str | None) -> bool:
    """Whether two endpoints name one place; an endpoint Palette left out matches any."""
    a, b = (found or "").strip().rstrip("/"), (wanted or "").strip().rstrip("/")
    return not a or not b or endpoint_key(a) == endpoint_key(b)


def same_registry_shape(stored: BasicOciRegistry | EcrRegistry, sent: BasicOciRegistry | EcrRegistry) -> bool:
    """Whether a registry read back has what a create sent: provider type, endpoint, base content
    path and auth type (basic/noAuth/token, or ECR's credential type)."""
    if type(stored) is not type(sent):
        return False
    if not same_word(stored.spec.provider_type, sent.spec.provider_type):
        return False
    if not same_endpoint(stored.spec.endpoint, sent.spec.endpoint):
        return False
    if (stored.spec.base_content_path or "").strip() != (sent.spec.base_content_path or "").strip():
        return False
    if isinstance(stored, BasicOciRegistry) and isinstance(sent, BasicOciRegistry):
        return (stored.spec.auth.type or "noAuth") == (sent.spec.auth.type or "noAuth")
    if isinstance(stored, EcrRegistry) and isinstance(sent, EcrRegistry):
        stored_type = stored.spec.credentials.credential_type if stored.spec.credentials else None
        sent_type = sent.spec.credentials.credential_type if sent.spec.credentials else None
        return same_word(stored_type, sent_type)
    return False
