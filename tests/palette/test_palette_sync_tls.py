"""Validation and synchronization against a real OCI registry (docker-registry), and the client's
TLS settings against an emulator served over HTTPS."""

from __future__ import annotations

import threading
import time

import pytest

from provider.palette.client import PaletteClient
from provider.palette.errors import (
    SyncFailedError,
    SyncInterruptedError,
    SyncTimeoutError,
    TransportError,
    ValidationFailedError,
)
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.palette.builders import basic
from tests.palette.conftest import FAST


def test_validate_accepts_good_credentials_and_refuses_bad_ones(
    palette: PaletteClient, docker_registry: DockerRegistry
) -> None:
    good = basic("charts", docker_registry.url, username=docker_registry.username, password=docker_registry.password)
    palette.validate(good.spec)

    bad = basic("charts", docker_registry.url, username=docker_registry.username, password="Wrong-Pa55word-xyz")
    with pytest.raises(ValidationFailedError) as caught:
        palette.validate(bad.spec)
    assert caught.value.status == 400 and "401" in caught.value.message
    assert "Wrong-Pa55word-xyz" not in str(caught.value)


def test_wait_for_sync_returns_on_success(palette: PaletteClient, docker_registry: DockerRegistry) -> None:
    registry = basic(
        "charts", docker_registry.url, username=docker_registry.username, password=docker_registry.password, sync=True
    )
    uid = palette.create(registry)
    status = palette.wait_for_sync(uid, "basic", timeout=10, poll=0.05)
    assert status.status == "Completed" and status.last_synced_time


def test_wait_for_sync_raises_palettes_message_on_failure(palette: PaletteClient) -> None:
    uid = palette.create(basic("charts", "http://127.0.0.1:1", sync=True))  # nothing listens there
    with pytest.raises(SyncFailedError) as caught:
        palette.wait_for_sync(uid, "basic", timeout=10, poll=0.05)
    message = str(caught.value)
    assert f"the sync of registry {uid} failed (Failed)" in message and "127.0.0.1:1" in message


def test_wait_for_sync_times_out_naming_the_last_status(palette: PaletteClient) -> None:
    uid = palette.create(basic("charts", "http://127.0.0.1:1", sync=True))
    with pytest.raises(SyncTimeoutError) as caught:
        palette.wait_for_sync(uid, "basic", timeout=0.05, poll=0.01)  # the emulator syncs for 0.2 s
    assert "did not finish within 0.05s; last status: InProgress" in str(caught.value)


def test_wait_for_sync_ends_at_once_when_stopped(palette: PaletteClient) -> None:
    uid = palette.create(basic("charts", "http://127.0.0.1:1", sync=True))
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    with pytest.raises(SyncInterruptedError) as caught:
        palette.wait_for_sync(uid, "basic", timeout=60, poll=30, stop=stop)  # a poll due in 30 s
    assert time.monotonic() - started < 2
    assert f"stopped waiting for the sync of registry {uid}; last status: InProgress" in str(caught.value)


def test_a_triggered_sync_is_accepted(palette: PaletteClient, docker_registry: DockerRegistry) -> None:
    registry = basic(
        "charts", docker_registry.url, username=docker_registry.username, password=docker_registry.password, sync=True
    )
    uid = palette.create(registry)
    palette.wait_for_sync(uid, "basic", timeout=10, poll=0.05)
    palette.sync(uid, "basic", force=True)
    assert palette.sync_status(uid, "basic").status == "InProgress"


def test_wait_for_sync_shows_every_status_it_reads(palette: PaletteClient, docker_registry: DockerRegistry) -> None:
    registry = basic(
        "charts", docker_registry.url, username=docker_registry.username, password=docker_registry.password, sync=True
    )
    uid = palette.create(registry)
    seen: list[str | None] = []
    final = palette.wait_for_sync(uid, "basic", timeout=10, poll=0.05, on_status=lambda s: seen.append(s.status))
    assert seen[0] == "InProgress" and seen[-1] == final.status == "Completed"


def test_a_private_ca_is_trusted_when_given(tls_emulator: Emulator, test_ca: CertificateAuthority) -> None:
    with PaletteClient(tls_emulator.url, tls_emulator.api_key, ca_pem=test_ca.cert_pem, **FAST) as palette:
        assert palette.list_oci() == []


def test_an_untrusted_certificate_fails_at_once(tls_emulator: Emulator) -> None:
    tls_emulator.reset()
    with (
        PaletteClient(tls_emulator.url, tls_emulator.api_key, **FAST) as palette,
        pytest.raises(TransportError) as caught,
    ):
        palette.list_oci()
    message = str(caught.value)
    assert message.startswith(f"could not connect to {tls_emulator.url}: its TLS certificate is not trusted")
    assert "attempts" not in message  # not retried: trying again cannot make it trusted


def test_insecure_skips_verification(tls_emulator: Emulator) -> None:
    with PaletteClient(tls_emulator.url, tls_emulator.api_key, insecure=True, **FAST) as palette:
        assert palette.list_oci() == []


def test_the_https_scheme_is_implied(tls_emulator: Emulator, test_ca: CertificateAuthority) -> None:
    host = tls_emulator.url.removeprefix("https://")
    with PaletteClient(host, tls_emulator.api_key, ca_pem=test_ca.cert_pem, **FAST) as palette:
        assert palette.base_url == tls_emulator.url and palette.list_oci() == []
