"""Reliability fixtures: the acceptance suite's (real Terraform against the session's emulator),
imported rather than repeated, and every fault rule cleared after each test so that no other test
meets them.

  workspace        a fresh Terraform directory (1.0.3 and 1.15.5) whose provider talks to `clean_emulator`
  public_registry  an anonymous docker-registry the emulator validates public registries against
  tf_version       override per test with `@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)`

The acceptance suite's `parts` is not imported: it creates a fixed IAM user in the session's moto,
so a second instance of it (every conftest that holds a fixture instantiates its own) fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.acceptance.conftest import public_registry, tf_version, workspace  # noqa: F401
from tests.harness.emulator import Emulator


@pytest.fixture(autouse=True)
def no_faults_left_behind(emulator: Emulator) -> Iterator[None]:
    yield
    emulator.clear_faults()
