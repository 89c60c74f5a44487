"""The TLS context is made once per process for the same trust settings (issue 25: loading the trust
store costs ~20 ms of CPU, and a process may make several clients), and never reused where the trust
settings differ: another CA, or another trust store named by SSL_CERT_FILE in the environment (a launch
forked from the warm server has its own environment). Against the emulator over HTTPS."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest

from provider.palette.client import PaletteClient
from provider.palette.errors import TransportError
from provider.palette.tls import tls_context
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator
from tests.palette.conftest import FAST

pytestmark = pytest.mark.palette


def _context_of(client: PaletteClient) -> Any:
    """The SSL context the client's connections are made with (`provider.palette.connections`)."""
    return client._http._transport._ssl_context  # type: ignore[attr-defined]


def test_clients_with_the_same_trust_settings_share_one_context(
    tls_emulator: Emulator, test_ca: CertificateAuthority
) -> None:
    with (
        PaletteClient(tls_emulator.url, tls_emulator.api_key, ca_pem=test_ca.cert_pem, **FAST) as first,
        PaletteClient(tls_emulator.url, tls_emulator.api_key, ca_pem=test_ca.cert_pem, **FAST) as second,
        PaletteClient(tls_emulator.url, tls_emulator.api_key, **FAST) as system_store,
    ):
        assert isinstance(_context_of(first), ssl.SSLContext)
        assert _context_of(first) is _context_of(second)
        assert _context_of(system_store) is not _context_of(first)
        assert first.list_oci() == [] and second.list_oci() == []


def test_a_trust_store_named_in_the_environment_later_is_honoured(
    tls_emulator: Emulator, test_ca: CertificateAuthority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A context made before SSL_CERT_FILE named the test CA does not serve a client made after."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    before = tls_context()
    with PaletteClient(tls_emulator.url, tls_emulator.api_key, **FAST) as untrusting, pytest.raises(TransportError):
        untrusting.list_oci()
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.write_cert(tmp_path / "ca.pem")))
    with PaletteClient(tls_emulator.url, tls_emulator.api_key, **FAST) as trusting:
        assert _context_of(trusting) is not before
        assert trusting.list_oci() == []
