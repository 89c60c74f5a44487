"""Retries, timeouts and lost answers, with faults injected by the real emulator.

Each test reads the emulator's request log to check what actually reached it: how many attempts,
in which order, and that a create whose answer was lost never stores a second registry."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from provider.palette.client import PaletteClient
from provider.palette.errors import (
    AmbiguousWriteError,
    ConflictError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnauthorizedError,
)
from provider.palette.recovery import CREATE_TOKEN_ANNOTATION
from provider.palette.retry import parse_http_date
from tests.harness.emulator import Emulator
from tests.harness.processes import free_port
from tests.palette.builders import basic, ecr_keys
from tests.palette.conftest import FAST, PaletteFactory

SUMMARY = "/v1/registries/oci/summary"
CREATE_BASIC = "/v1/registries/oci/basic"


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def calls(emulator: Emulator) -> list[tuple[str, str, Any]]:
    """(method, path, status or fault) per request the emulator saw, in order."""
    return [(r["method"], r["path"], r["fault"] or r["status"]) for r in emulator.requests()]


def test_401_is_not_retried(palette_factory: PaletteFactory, clean_emulator: Emulator) -> None:
    palette = palette_factory(api_key="not-a-key-of-this-tenant")
    with pytest.raises(UnauthorizedError) as caught:
        palette.list_oci()
    assert caught.value.status == 401
    assert calls(clean_emulator) == [("GET", SUMMARY, 401)]


def test_429_is_retried_after_retry_after(palette: PaletteClient, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults(
        [{"method": "GET", "path": "summary$", "kind": "status", "status": 429, "retry_after": 1, "times": 1}]
    )
    started = time.monotonic()
    assert palette.list_oci() == []
    assert time.monotonic() - started >= 1.0  # backoff alone would be milliseconds here
    assert calls(clean_emulator) == [("GET", SUMMARY, "status"), ("GET", SUMMARY, 200)]


def test_429_on_create_is_retried_without_a_lookup(palette: PaletteClient, clean_emulator: Emulator) -> None:
    # A 429 means Palette did not act on the request: sending it again cannot duplicate anything.
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "status", "status": 429, "times": 1}])
    palette.create(basic("charts"))
    assert calls(clean_emulator) == [("POST", CREATE_BASIC, "status"), ("POST", CREATE_BASIC, 201)]


def test_503_is_retried_up_to_max_retries(palette: PaletteClient, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults([{"method": "GET", "path": "summary$", "kind": "status", "status": 503}])
    with pytest.raises(ServerError) as caught:
        palette.list_oci()
    assert caught.value.status == 503
    assert str(caught.value).endswith("(after 4 attempts)")
    assert calls(clean_emulator) == [("GET", SUMMARY, "status")] * (FAST["max_retries"] + 1)


def test_rate_limit_that_never_ends_is_reported_as_such(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    clean_emulator.set_faults([{"path": "summary$", "kind": "status", "status": 429}])
    with pytest.raises(RateLimitedError):
        palette_factory(max_retries=1).list_oci()
    assert len(clean_emulator.requests()) == 2


def test_500_is_retried_for_idempotent_requests(palette: PaletteClient, clean_emulator: Emulator) -> None:
    uid = palette.create(basic("charts"))
    clean_emulator.set_faults([{"method": "PUT", "path": "/basic$", "kind": "status", "status": 500, "times": 2}])
    palette.update(uid, basic("charts", base_content_path="moved"))
    assert palette.get("basic", uid).spec.base_content_path == "moved"
    assert [c for c in calls(clean_emulator) if c[0] == "PUT"] == [
        ("PUT", f"/v1/registries/oci/{uid}/basic", "status"),
        ("PUT", f"/v1/registries/oci/{uid}/basic", "status"),
        ("PUT", f"/v1/registries/oci/{uid}/basic", 204),
    ]


def test_dropped_connection_is_retried_on_get(palette: PaletteClient, clean_emulator: Emulator) -> None:
    uid = palette.create(basic("charts"))
    clean_emulator.set_faults([{"method": "GET", "path": "/basic$", "kind": "drop", "times": 2}])
    assert palette.get("basic", uid).metadata.uid == uid
    assert [c[2] for c in calls(clean_emulator) if c[0] == "GET"] == ["drop", "drop", 200]


def test_a_connection_that_keeps_dropping_is_a_transport_error(
    palette: PaletteClient, clean_emulator: Emulator
) -> None:
    clean_emulator.set_faults([{"method": "GET", "path": "summary$", "kind": "drop"}])
    with pytest.raises(TransportError) as caught:
        palette.list_oci()
    message = str(caught.value)
    assert clean_emulator.url in message and "broke before the answer to GET /v1/registries/oci/summary" in message
    assert message.endswith("(after 4 attempts)") and caught.value.status is None
    assert len(clean_emulator.requests()) == 4


def test_read_timeout_is_retried(palette_factory: PaletteFactory, clean_emulator: Emulator) -> None:
    palette = palette_factory(timeout=0.2)
    clean_emulator.set_faults([{"method": "GET", "path": "summary$", "kind": "latency", "latency": 0.5, "times": 1}])
    assert palette.list_oci() == []
    # The slow request is logged when it finishes, after the retry that answered us.
    assert wait_for(lambda: calls(clean_emulator) == [("GET", SUMMARY, 200), ("GET", SUMMARY, "latency")])


@pytest.mark.parametrize("family", ["basic", "ecr"])
@pytest.mark.parametrize("failure", [{"status": 500}, {"status": 503}, {}], ids=["500", "503", "dropped"])
def test_a_create_whose_answer_is_lost_stores_one_registry(
    palette: PaletteClient, clean_emulator: Emulator, failure: dict[str, Any], family: str
) -> None:
    fault = {"method": "POST", "path": f"/{family}$", "kind": "commit_then_fail", "times": 1, **failure}
    clean_emulator.set_faults([fault])
    uid = palette.create(basic("charts") if family == "basic" else ecr_keys("charts"))

    stored = clean_emulator.registries()
    assert [(r["uid"], r["name"], r["family"]) for r in stored] == [(uid, "charts", family)]
    # One POST (its answer lost), one lookup that found it (the summary, then the registry itself,
    # which carries this create's token), and no second POST.
    assert calls(clean_emulator) == [
        ("POST", f"/v1/registries/oci/{family}", "commit_then_fail"),
        ("GET", SUMMARY, 200),
        ("GET", f"/v1/registries/oci/{uid}/{family}", 200),
    ]
    assert len(stored[0]["annotations"][CREATE_TOKEN_ANNOTATION]) == 32  # random, per create


@pytest.mark.parametrize(
    ("status", "body"),
    [(201, "<html><body>Created</body></html>"), (201, '{"uid": ""}'), (200, ""), (201, '{"uid": "../x"}')],
    ids=["html", "empty-uid", "empty-body", "bad-uid"],
)
def test_a_2xx_without_a_usable_uid_is_an_unknown_outcome(
    palette: PaletteClient, clean_emulator: Emulator, status: int, body: str
) -> None:
    """Palette (or a proxy) accepted the create but its answer says nothing usable: the registry is
    looked up by its token and adopted; the POST is never sent again."""
    clean_emulator.set_faults(
        [{"method": "POST", "path": "basic$", "kind": "commit_then_fail", "status": status, "body": body, "times": 1}]
    )
    uid = palette.create(basic("charts"))
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]
    assert [c[0] for c in calls(clean_emulator)].count("POST") == 1


def test_retry_after_nan_after_a_stored_create_is_not_an_internal_error(
    palette: PaletteClient, clean_emulator: Emulator
) -> None:
    fault = {"method": "POST", "path": "basic$", "kind": "commit_then_fail", "status": 503, "retry_after": "NaN"}
    clean_emulator.set_faults([{**fault, "times": 1}])
    uid = palette.create(basic("charts"))
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]


def test_a_namesake_without_this_creates_token_is_never_adopted(
    palette: PaletteClient, clean_emulator: Emulator
) -> None:
    """Same name, kind, provider type, endpoint, path and auth, created "since" (the clock slack made
    wide): without the create's token nothing proves it is ours, so it is named, not adopted."""
    stranger = clean_emulator.seed("basic", basic("charts").model_dump(by_alias=True, exclude_none=True))
    palette.create_clock_slack = 600.0
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "status", "status": 503, "times": 1}])
    with pytest.raises(AmbiguousWriteError) as caught:
        palette.create(basic("charts"))
    assert stranger in str(caught.value) and "not adopted" in str(caught.value)
    assert [r["uid"] for r in clean_emulator.registries()] == [stranger]


def test_a_namesake_made_by_another_create_is_a_conflict(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    """Another apply's create (its own token) got there first while ours was refused: 409, not adoption."""
    ours, theirs = palette_factory(), palette_factory()
    ours.create_clock_slack = 600.0
    other = theirs.create(basic("charts"))
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "status", "status": 503, "times": 1}])
    with pytest.raises(ConflictError):
        ours.create(basic("charts"))
    assert [r["uid"] for r in clean_emulator.registries()] == [other]


@pytest.mark.parametrize(
    "differs",
    [
        {"provider_type": "zarf"},
        {"endpoint": "http://127.0.0.1:2"},
        {"base_content_path": "other"},
        {"username": ""},
    ],
    ids=["provider-type", "endpoint", "base-path", "auth-kind"],
)
def test_a_different_registry_of_the_same_name_is_never_adopted(
    palette: PaletteClient, clean_emulator: Emulator, differs: dict[str, Any]
) -> None:
    other = clean_emulator.seed("basic", basic("charts", **differs).model_dump(by_alias=True, exclude_none=True))
    palette.create_clock_slack = 600.0
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "status", "status": 503, "times": 1}])
    with pytest.raises(ConflictError):
        palette.create(basic("charts"))
    assert [r["uid"] for r in clean_emulator.registries()] == [other]


def test_a_create_refused_with_503_is_looked_up_then_sent_again(
    palette: PaletteClient, clean_emulator: Emulator
) -> None:
    # Nothing was stored: the lookup finds nothing, so the POST is repeated, once per failure.
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "status", "status": 503, "times": 2}])
    uid = palette.create(basic("charts"))
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]
    assert calls(clean_emulator) == [
        ("POST", CREATE_BASIC, "status"),
        ("GET", SUMMARY, 200),
        ("POST", CREATE_BASIC, "status"),
        ("GET", SUMMARY, 200),
        ("POST", CREATE_BASIC, 201),
    ]


def test_an_older_namesake_is_never_taken_for_a_lost_create(palette: PaletteClient, clean_emulator: Emulator) -> None:
    # "charts" exists already (made in the UI, say). Our create's answer is lost; the registry the
    # lookup finds is older than our first attempt by Palette's own clock, so it is not ours: the
    # client must report the conflict, not adopt someone else's registry.
    older = clean_emulator.seed("basic", basic("charts").model_dump(by_alias=True, exclude_none=True))
    created = clean_emulator.registry(older)["creationTimestamp"]  # type: ignore[index]
    palette.create_clock_slack = 0.0
    wait_until_server_clock_passes(clean_emulator, created)
    clean_emulator.set_faults(
        [{"method": "POST", "path": "basic$", "kind": "commit_then_fail", "status": 503, "times": 1}]
    )
    with pytest.raises(ConflictError):
        palette.create(basic("charts"))
    assert [r["uid"] for r in clean_emulator.registries()] == [older]
    # Each lookup reads the namesake for a token (a token proves ownership whatever the timestamps);
    # it has none and is older than the create, so it is not even a candidate.
    one = f"/v1/registries/oci/{older}/basic"
    assert calls(clean_emulator) == [
        ("POST", CREATE_BASIC, "commit_then_fail"),  # Palette answered 409 here; the client saw a 503
        ("GET", SUMMARY, 200),
        ("GET", one, 200),
        ("POST", CREATE_BASIC, 409),
        ("GET", SUMMARY, 200),
        ("GET", one, 200),
    ]


def wait_until_server_clock_passes(emulator: Emulator, timestamp: str) -> None:
    """Until the emulator's Date header (whole seconds, refreshed about once a second) is a second
    later than `timestamp`: from then on, everything it creates is visibly newer."""
    limit = parse_http_date_or_fail(timestamp) + timedelta(seconds=1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        date = parse_http_date(httpx.get(f"{emulator.url}/emulator/health").headers.get("Date"))
        if date is not None and date > limit:
            return
        time.sleep(0.1)
    raise AssertionError("the emulator's Date header did not move past " + timestamp)


def parse_http_date_or_fail(rfc3339: str) -> datetime:
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))


@pytest.mark.parametrize("behind", [30.0, -30.0], ids=["behind", "ahead"])
def test_a_lost_create_is_found_by_its_token_whatever_palettes_clock_says(
    palette: PaletteClient, clean_emulator: Emulator, behind: float
) -> None:
    """The server that stored the registry stamps it 30 s off the Date header's clock: the token proves
    the registry is this create's, so it is adopted, never skipped as "too old" and POSTed again (409,
    an orphan)."""
    clean_emulator.set_clock_behind(behind)
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "commit_then_fail", "times": 1}])
    uid = palette.create(basic("charts"))
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]
    assert [c[0] for c in calls(clean_emulator)].count("POST") == 1


def test_a_create_stored_late_is_adopted_not_sent_again(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    """Where Palette lets two registries share a name, the first POST outlasts the client's 1 s timeout
    and is stored 0.5 s later: the client looks for it until it can no longer land (one timeout after
    giving up) and adopts it; a second POST would have stored a duplicate the state never holds."""
    clean_emulator.set_variants(["names-not-unique"])
    palette = palette_factory(timeout=1.0)
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "commit_late", "latency": 1.5, "times": 1}])
    uid = palette.create(basic("charts"))
    # The late POST is logged once Palette has stored it and answered nobody.
    assert wait_for(lambda: any(r["fault"] == "commit_late" for r in clean_emulator.requests()))
    assert [(r["uid"], r["name"]) for r in clean_emulator.registries()] == [(uid, "charts")]
    assert [c[0] for c in calls(clean_emulator)].count("POST") == 1


def test_a_create_that_never_landed_is_sent_again_once_it_cannot_land(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    """The connection drops before Palette stores anything: after one more request timeout of looking,
    the POST is sent again, once."""
    clean_emulator.set_variants(["names-not-unique"])
    palette = palette_factory(timeout=1.0)
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "drop", "times": 1}])
    began = time.monotonic()
    uid = palette.create(basic("charts"))
    assert time.monotonic() - began >= 1.0  # the price of never storing a duplicate
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]
    assert [c[0] for c in calls(clean_emulator)].count("POST") == 2


def test_a_lost_create_that_cannot_be_looked_up_is_ambiguous(palette: PaletteClient, clean_emulator: Emulator) -> None:
    clean_emulator.set_faults(
        [
            {"method": "POST", "path": "basic$", "kind": "commit_then_fail", "times": 1},
            {"method": "GET", "path": "summary$", "kind": "status", "status": 503},
        ]
    )
    with pytest.raises(AmbiguousWriteError) as caught:
        palette.create(basic("charts"))
    message = str(caught.value)
    assert "may or may not have succeeded" in message and "'charts'" in message
    assert len(clean_emulator.registries()) == 1  # it did land; the client said it could not tell
    assert [c[0] for c in calls(clean_emulator)].count("POST") == 1


def test_connection_refused_names_the_host(clean_emulator: Emulator) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with PaletteClient(url, "k", **{**FAST, "max_retries": 1}) as palette, pytest.raises(TransportError) as caught:
        palette.list_oci()
    assert str(caught.value) == f"could not connect to {url}: connection refused (after 2 attempts)"
    assert (caught.value.method, caught.value.path) == ("GET", SUMMARY)


def test_answer_returns_refusals_and_the_last_retried_answer(
    palette_factory: PaletteFactory, clean_emulator: Emulator
) -> None:
    """`PaletteClient.answer` (the probe's raw GET): a refusal is returned, not raised; 503 is retried
    like any GET and the last answer returned; no answer at all is a TransportError."""
    refused = palette_factory(api_key="not-a-key").answer(SUMMARY)
    assert refused.status_code == 401 and refused.json()["code"] == "Unauthorized"
    assert len(clean_emulator.requests()) == 1
    clean_emulator.set_faults([{"method": "GET", "path": "summary$", "kind": "status", "status": 503, "times": 2}])
    assert palette_factory().answer(SUMMARY).status_code == 200
    clean_emulator.set_faults([{"method": "GET", "path": "summary$", "kind": "status", "status": 503}])
    assert palette_factory(max_retries=1).answer(SUMMARY).status_code == 503
    with pytest.raises(TransportError):
        PaletteClient(f"http://127.0.0.1:{free_port()}", "k", **FAST).answer(SUMMARY)


def test_a_host_name_that_does_not_resolve_is_tried_once() -> None:
    """Issue 24: a misspelt host was asked six times with backoff (10.8 s) for the same "no such name".
    `.invalid` never resolves (RFC 2606); the resolver's answer is the only packet that leaves."""
    import socket

    host = "palette-oci-test.invalid"
    try:
        socket.getaddrinfo(host, 443)
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_AGAIN:
            pytest.skip("this machine's resolver does not answer")
    started = time.monotonic()
    with PaletteClient(f"https://{host}", "k", max_retries=5) as palette, pytest.raises(TransportError) as caught:
        palette.list_oci()
    assert str(caught.value) == f"could not connect to https://{host}: host name not found", caught.value
    assert time.monotonic() - started < 2.0  # five retries back off 0.5 + 1 + 2 + 4 + 8 s at most
