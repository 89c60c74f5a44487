"""Shared fixtures: the real parts every test suite talks to, started once per session.

  emulator            palette-emulator (validate contact mode, sync delay 0.2 s, project "Team-A",
                      tenant key "test-api-key", system key "test-system-api-key"), whose boto3 reaches
                      `moto_server` with its administrator's keys
  clean_emulator      the same emulator, reset (no registries, faults, log or counters) for this test
  docker_registry     docker-registry over plain HTTP with htpasswd basic auth
  docker_registry_tls docker-registry over HTTPS, certificate issued by `test_ca`
  docker_registry_token docker-registry over HTTP demanding the Bearer token flow (harness/token_server.py)
  test_ca             the throw-away CA (`.cert_pem` is what clients must trust)
  moto_server         moto with authentication on (unknown keys are refused); see harness/moto.py

`PALETTE_OCI_TEST_WARM=1` runs the session warm: one warm server (per xdist worker) from which every
Terraform launch of the provider is forked (`warm_session`, tests/harness/warm.py).

Each fixture stops its process by its own pid. A missing docker-registry or moto fails the test
with how to install it: nothing is skipped.

Markers come from the folder a test is in (FOLDER_MARKERS, registered in pyproject.toml): a new test
file gets them by where it is put. `scripts/test --fast` selects "(unit or emulator or palette) and
not slow"; a slow test in a fast folder says so itself with `@pytest.mark.slow`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator
from tests.harness.moto import MotoServer
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import WARM_ENV
from tests.harness.warm import WarmServer

TESTS = Path(__file__).parent
FOLDER_MARKERS: dict[str, tuple[str, ...]] = {
    "unit": ("unit",),
    "emulator": ("emulator",),
    "palette": ("palette",),
    "preflight": ("preflight",),
    "acceptance": ("acceptance", "slow"),
    "reliability": ("reliability", "slow"),
    "packaging": ("packaging", "slow"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0]
        for name in FOLDER_MARKERS.get(folder, ()):
            item.add_marker(name)


_SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long the release bundle's PyInstaller build took, when this session built it (any worker)."""
    from tests.harness.release import LAST_BUILD

    try:
        build = json.loads(LAST_BUILD.read_text())
    except (OSError, ValueError):
        return
    if build.get("at", 0) >= _SESSION_STARTED:
        seconds = build["seconds"]
        terminalreporter.write_line(f"release bundle: PyInstaller build took {seconds} s ({LAST_BUILD.parent})")


@pytest.fixture(scope="session", autouse=True)
def warm_session() -> Iterator[WarmServer | None]:
    """With PALETTE_OCI_TEST_WARM=1, a warm server for the session, and every Workspace set to use it."""
    if os.environ.get("PALETTE_OCI_TEST_WARM") != "1":
        yield None
        return
    with WarmServer() as warm:
        WARM_ENV.update(warm.env)
        yield warm
        WARM_ENV.clear()


@pytest.fixture(scope="session")
def test_ca() -> CertificateAuthority:
    return CertificateAuthority.create()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    with MotoServer(require_auth=True) as moto:
        yield moto


@pytest.fixture(scope="session")
def emulator(moto_server: MotoServer) -> Iterator[Emulator]:
    with Emulator(sync_delay=0.2, validate="contact", env=moto_server.env()) as emu:
        yield emu


@pytest.fixture
def clean_emulator(emulator: Emulator) -> Iterator[Emulator]:
    emulator.reset()
    yield emulator


@pytest.fixture(scope="session")
def docker_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("docker-registry")) as registry:
        yield registry


@pytest.fixture(scope="session")
def docker_registry_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("docker-registry-token"), token_auth=True) as registry:
        yield registry


@pytest.fixture(scope="session")
def docker_registry_tls(
    tmp_path_factory: pytest.TempPathFactory, test_ca: CertificateAuthority
) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("docker-registry-tls"), ca=test_ca) as registry:
        yield registry
