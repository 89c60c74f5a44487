"""Fixtures for driving the Palette client against the real emulator (tests/conftest.py's
`emulator` / `clean_emulator`), plus one emulator served over HTTPS for the TLS settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from provider.palette.client import PaletteClient
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator

# Retries stay on, waits shrink to milliseconds: the tests check what is retried, not how long.
FAST: dict[str, Any] = {"backoff_base": 0.001, "backoff_cap": 0.005, "max_retries": 3, "timeout": 5.0}

PaletteFactory = Callable[..., PaletteClient]


@pytest.fixture
def palette_factory(clean_emulator: Emulator) -> Iterator[PaletteFactory]:
    """Builds PaletteClients for the clean emulator (tenant key, fast retries); closes them after."""
    made: list[PaletteClient] = []

    def make(**overrides: Any) -> PaletteClient:
        settings: dict[str, Any] = {**FAST, "api_key": clean_emulator.api_key, **overrides}
        client = PaletteClient(clean_emulator.url, settings.pop("api_key"), **settings)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def palette(palette_factory: PaletteFactory) -> PaletteClient:
    """A tenant-scope client of the clean emulator."""
    return palette_factory()


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory, test_ca: CertificateAuthority) -> Iterator[Emulator]:
    """An emulator answering HTTPS with a certificate from the session's test CA."""
    cert, key = test_ca.write_server_cert(tmp_path_factory.mktemp("tls-emulator"))
    with Emulator(validate="accept", tls_cert=cert, tls_key=key, ca_pem=test_ca.cert_pem) as emu:
        yield emu
