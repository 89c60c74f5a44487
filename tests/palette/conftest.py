"""Fixtures for driving the Palette client against the real emulator (tests/conftest.py's
`emulator` / `clean_emulator`) and a real OCI registry (Debian's docker-registry)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from provider.palette.client import PaletteClient
from tests.harness.emulator import Emulator
from tests.harness.processes import ManagedProcess, free_port

REGISTRY_USER = "robot"
REGISTRY_PASSWORD = "Registry-Pa55word-for-tests"

# Retries stay on, waits shrink to milliseconds: the tests check what is retried, not how long.
FAST = {"backoff_base": 0.001, "backoff_cap": 0.005, "max_retries": 3, "timeout": 5.0}

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


@pytest.fixture(scope="session")
def oci_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OCI distribution registry over plain HTTP with htpasswd (bcrypt) auth; its URL."""
    root: Path = tmp_path_factory.mktemp("oci-registry")
    hashed = bcrypt.hashpw(REGISTRY_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    (root / "htpasswd").write_text(f"{REGISTRY_USER}:{hashed}\n")
    port = free_port()
    (root / "config.yml").write_text(
        "version: 0.1\n"
        f"storage: {{filesystem: {{rootdirectory: {root / 'data'}}}}}\n"
        f"http: {{addr: 127.0.0.1:{port}, secret: test-only}}\n"
        f"auth: {{htpasswd: {{realm: test-realm, path: {root / 'htpasswd'}}}}}\n"
        "log: {level: error}\n"
    )
    process = ManagedProcess.start(["docker-registry", "serve", root / "config.yml"], name="docker-registry")
    try:
        process.wait_for_http(f"http://127.0.0.1:{port}/v2/", timeout=15)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()
