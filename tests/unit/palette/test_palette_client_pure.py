"""The client's pure parts: host normalisation, configuration checks, sync classification,
registry selection, transport failure wording. Nothing here opens a connection."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from provider.palette.client import PaletteClient
from provider.palette.errors import ConfigurationError
from provider.palette.hosts import is_loopback
from provider.palette.models import OciRegistry, RegistrySyncStatus
from provider.palette.recovery import may_still_land
from provider.palette.retry import Disposition, Failure, describe_transport_failure
from provider.palette.selection import registries_named, scope_matches
from provider.palette.sync import SyncState, classify_sync
from provider.palette.transport import DEFAULT_USER_AGENT, normalize_host, secret_values
from provider.version import __version__


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("api.spectrocloud.example", "https://api.spectrocloud.example"),
        ("  palette.corp.example:8443/ ", "https://palette.corp.example:8443"),
        ("https://palette.corp.example", "https://palette.corp.example"),
        ("HTTPS://palette.corp.example/", "https://palette.corp.example"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("::1", "https://[::1]"),
        ("10.0.0.5:443", "https://10.0.0.5:443"),
        ("https://palette.corp.example/", "https://palette.corp.example"),
    ],
)
def test_hosts_become_base_urls(host: str, url: str) -> None:
    assert normalize_host(host) == url


def test_plain_http_to_a_remote_host_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigurationError) as caught:
        normalize_host("http://palette.corp.example:8080")
    message = str(caught.value)
    assert "plain http" in message and "https://palette.corp.example:8080" in message and "insecure" in message
    assert normalize_host("http://palette.corp.example", insecure=True) == "http://palette.corp.example"


@pytest.mark.parametrize(
    "host",
    [
        "",
        "   ",
        "ftp://palette.example",
        "https://user:pw@palette.example",
        "https://palette.example?x=1",
        "https://palette.example#frag",
        "palette.example:99999",
        "https://",
        "http://127.0.0.1:8080/v1",
        "https://palette.corp.example/prefix",
    ],
)
def test_bad_hosts_are_configuration_errors(host: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        normalize_host(host)
    assert ":pw@" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("LOCALHOST", True),
        ("10.0.0.1", False),
        ("palette.example", False),
        ("localhost.example", False),
    ],
)
def test_loopback_detection(name: str, loopback: bool) -> None:
    assert is_loopback(name) is loopback


def test_client_refuses_empty_or_malformed_api_keys_without_quoting_them() -> None:
    with pytest.raises(ConfigurationError, match="API key is empty"):
        PaletteClient("https://palette.example", "  ")
    with pytest.raises(ConfigurationError) as caught:
        PaletteClient("https://palette.example", "secret-key\nX-Injected: 1")
    assert "secret-key" not in str(caught.value)


def test_client_refuses_a_bad_ca_pem() -> None:
    with pytest.raises(ConfigurationError, match="PEM"):
        PaletteClient("https://palette.example", "k", ca_pem="-----BEGIN CERTIFICATE-----\nnot base64\n")


def test_client_settings_are_kept() -> None:
    with PaletteClient("palette.example", " key\n", max_retries=2) as client:
        assert client.base_url == "https://palette.example"
        assert client.policy.attempts == 3
        assert "key" not in repr(client)
    assert f"terraform-provider-oci/{__version__}" == DEFAULT_USER_AGENT
    with pytest.raises(ConfigurationError):
        PaletteClient("palette.example", "k", timeout=0)


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("Success", SyncState.SUCCEEDED),
        ("Completed", SyncState.SUCCEEDED),
        ("active", SyncState.IN_PROGRESS),  # not a word Spectro Cloud's provider counts as done
        ("Unknown", SyncState.IN_PROGRESS),
        ("Failed", SyncState.FAILED),
        ("ERROR", SyncState.FAILED),
        ("InProgress", SyncState.IN_PROGRESS),
        ("Running", SyncState.IN_PROGRESS),
        ("Syncing", SyncState.IN_PROGRESS),
        ("Pending", SyncState.IN_PROGRESS),
        ("", SyncState.IN_PROGRESS),
        (None, SyncState.IN_PROGRESS),
        ("Brand-new", SyncState.IN_PROGRESS),
    ],
)
def test_sync_statuses_are_classified(status: str | None, state: SyncState) -> None:
    """As Palette's answer enters (its words normalised by the model), then classified."""
    assert classify_sync(RegistrySyncStatus.model_validate({"status": status}).status) is state


def test_scope_matching_for_create_recovery() -> None:
    assert scope_matches("tenant") and scope_matches("system")
    assert scope_matches("", "tenant") and scope_matches(None, "system")  # answers without a scope
    entered = [OciRegistry.model_validate({"spec": {"scope": scope}}).spec.scope for scope in ("System", " Tenant")]
    assert entered == ["system", "tenant"]  # Palette's spellings, normalised as the answer enters
    assert scope_matches(entered[0], "system") and scope_matches(entered[1], "tenant")
    assert not scope_matches("tenant", "system")


def _item(name: str, kind: str, uid: str) -> OciRegistry:
    return OciRegistry.model_validate({"metadata": {"name": name, "uid": uid}, "spec": {"registryType": kind}})


def test_registries_are_selected_by_exact_name_and_kind() -> None:
    items = [_item("charts", "basic", "1"), _item("charts", "ecr", "2"), _item("Charts", "basic", "3")]
    assert [r.metadata.uid for r in registries_named(items, "charts")] == ["1", "2"]
    assert [r.metadata.uid for r in registries_named(items, "charts", "ecr")] == ["2"]
    assert registries_named(items, "chart") == []


def test_secret_values_are_found_anywhere_in_a_body() -> None:
    body = {
        "metadata": {"name": "n"},
        "spec": {
            "auth": {"username": "u", "password": "p1", "token": "t1", "tls": {"key": "k1", "ca": "c"}},
            "credentials": {"accessKey": "AK", "secretKey": "s1"},
            "list": [{"secretToken": "st"}],
        },
    }
    assert sorted(secret_values(body)) == ["k1", "p1", "s1", "st", "t1"]


def _chained(outer: httpx.TransportError, inner: BaseException) -> httpx.TransportError:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("exc", "disposition", "words"),
    [
        (
            _chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "Connection refused")),
            Disposition.NOT_PROCESSED,
            "could not connect to https://h:1: connection refused",
        ),
        (  # issue 24: the resolver's "no such name" is final, not retried six times
            _chained(httpx.ConnectError("x"), socket.gaierror(socket.EAI_NONAME, "Name or service not known")),
            Disposition.FINAL,
            "could not connect to https://h:1: host name not found",
        ),
        (  # a resolver that did not answer may answer the next time
            _chained(httpx.ConnectError("x"), socket.gaierror(socket.EAI_AGAIN, "Temporary failure")),
            Disposition.NOT_PROCESSED,
            "could not connect to https://h:1: host name not found",
        ),
        (httpx.ConnectTimeout("x"), Disposition.NOT_PROCESSED, "could not connect to https://h:1: timed out"),
        (httpx.ReadTimeout("x"), Disposition.MAYBE_PROCESSED, "https://h:1 did not answer POST /p in time"),
        (httpx.RemoteProtocolError("Server disconnected"), Disposition.MAYBE_PROCESSED, "broke before the answer"),
        (httpx.ReadError("reset"), Disposition.MAYBE_PROCESSED, "broke before the answer to POST /p"),
        (
            _chained(httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "certificate verify failed")),
            Disposition.FINAL,
            "TLS certificate is not trusted",
        ),
        (httpx.UnsupportedProtocol("x"), Disposition.FINAL, "could not talk to https://h:1"),
    ],
)
def test_transport_failures_are_worded_and_classified(
    exc: httpx.TransportError, disposition: Disposition, words: str
) -> None:
    failure = describe_transport_failure(exc, "https://h:1", "POST /p")
    assert failure.disposition is disposition
    assert words in failure.message


def test_a_family_given_as_a_string_is_checked_and_a_model_carries_its_own() -> None:
    from provider.palette.models import BasicOciRegistry, BasicOciRegistrySpec, EcrRegistry, EcrRegistrySpec

    with PaletteClient("https://palette.example", "k") as client:
        for call in (
            lambda: client.sync_status("65f0c0ffee0123456789abcd", "helm"),
            lambda: client.get("helm", "65f0c0ffee0123456789abcd"),
            lambda: client.delete("helm", "65f0c0ffee0123456789abcd"),
        ):
            with pytest.raises(ValueError, match="'basic' or 'ecr'"):
                call()
    assert (BasicOciRegistry.family, BasicOciRegistrySpec.family) == ("basic", "basic")
    assert (EcrRegistry.family, EcrRegistrySpec.family) == ("ecr", "ecr")
    assert "family" not in BasicOciRegistry(spec=BasicOciRegistrySpec(endpoint="e")).model_dump(by_alias=True)


def test_a_lost_create_is_only_matched_by_a_fresh_registry() -> None:
    from datetime import UTC, datetime

    from provider.palette.recovery import created_within

    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert created_within("2025-03-01T11:59:55.123Z", now, 10)
    assert not created_within("2025-03-01T11:00:00.000Z", now, 10)
    assert created_within("2025-03-01T12:00:01Z", now, 10)  # server clock moved on
    # Cannot tell: no Date header, no timestamp, Go's zero time, unreadable text.
    assert created_within("2025-03-01T11:00:00Z", None, 10)
    assert created_within(None, now, 10)
    assert created_within("0001-01-01T00:00:00Z", now, 10)
    assert created_within("yesterday", now, 10)


@pytest.mark.parametrize(
    ("outcome", "may"),
    [
        (Failure(Disposition.MAYBE_PROCESSED, "did not answer in time"), True),
        (Failure(Disposition.NOT_PROCESSED, "could not connect"), False),
        (httpx.Response(502), True),
        (httpx.Response(504), True),
        (httpx.Response(500), False),
        (httpx.Response(503), False),
        (httpx.Response(409), False),
    ],
    ids=["no-answer", "never-sent", "502", "504", "500", "503", "409"],
)
def test_a_write_may_still_land_only_when_nothing_says_palette_is_done(
    outcome: httpx.Response | Failure, may: bool
) -> None:
    assert may_still_land(outcome) is may


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://[::1]/v1/x", ("::1", 443)),
        ("http://[fd00::5]/v1/x", ("fd00::5", 80)),
        ("https://[::1]:8443/v1/x", ("::1", 8443)),
        ("https://bücher.example/v1/x", ("xn--bcher-kva.example", 443)),
        ("http://127.0.0.1:9/v1/x", ("127.0.0.1", 9)),
    ],
)
def test_the_connection_address_writes_the_default_port_out(url: str, expected: tuple[str, int]) -> None:
    """An IPv6 Palette on the scheme's default port: http.client given no port would read one from the
    address's last colon (https://[::1] became [::]:1)."""
    from provider.palette.connections import address

    assert address(httpx.URL(url)) == expected
