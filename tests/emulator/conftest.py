"""Fixtures for the emulator's own tests: clients whose every answer is checked against the swagger."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.harness.emulator import Emulator


@pytest.fixture
def palette(clean_emulator: Emulator) -> Iterator[httpx.Client]:
    """Tenant scope, tenant API key."""
    with clean_emulator.client() as client:
        yield client


@pytest.fixture
def palette_system(clean_emulator: Emulator) -> Iterator[httpx.Client]:
    """System scope: a system administrator's API key."""
    with clean_emulator.client(api_key=clean_emulator.system_api_key) as client:
        yield client


@pytest.fixture(scope="session")
def accept_emulator() -> Iterator[Emulator]:
    """A second emulator: validate accept mode (never contacts registries), sync delay 1 s."""
    with Emulator(sync_delay=1.0, validate="accept") as emu:
        yield emu
