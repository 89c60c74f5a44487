"""Acceptance fixtures: real Terraform (1.0.3 and 1.15.5) driving the provider against the emulator.

`workspace` is a fresh Terraform directory whose provider talks to the session's emulator (reset for
each test); `scenario` configurations reach the real registries the emulator validates against: the
htpasswd docker-registry, an anonymous one, and moto for ECR and STS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.scenarios import Parts
from tests.harness.emulator import Emulator
from tests.harness.moto import MotoServer
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import VERSIONS, Workspace


@pytest.fixture(scope="session", params=VERSIONS, ids=[f"tf{v}" for v in VERSIONS])
def tf_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def public_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("public-registry"), auth=False) as registry:
        yield registry


@pytest.fixture(scope="session")
def parts(docker_registry: DockerRegistry, public_registry: DockerRegistry, moto_server: MotoServer) -> Parts:
    return Parts(
        registry=docker_registry,
        public_registry=public_registry,
        aws_keys=moto_server.create_user_with_keys("palette-ecr-ci"),
        role_arn=moto_server.create_role("palette-ecr", external_id="palette-tenant-1"),
        external_id="palette-tenant-1",
    )


def palette_env(emulator: Emulator, api_key: str | None = None, preflight: str = "off") -> dict[str, str]:
    """The provider's environment. Preflight is off unless a test turns it on: the ECR hosts of the
    matrix exist only for the emulator (which asks moto), not for this machine."""
    return {
        "PALETTE_HOST": emulator.url,
        "PALETTE_API_KEY": api_key or emulator.api_key,
        "PALETTE_OCI_PREFLIGHT": preflight,
    }


@pytest.fixture
def workspace(tmp_path: Path, tf_version: str, clean_emulator: Emulator) -> Workspace:
    return Workspace(tmp_path / "tf", tf_version, env=palette_env(clean_emulator))
