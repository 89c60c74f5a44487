"""Palette API calls per Terraform command: exact, and linear in the number of registries.

bench/api_calls.py states the contract (`expected_calls`): a create is validate + POST + GET, a
refresh one GET per registry, a destroy the refresh plus one DELETE per registry, and nothing ever
lists the summary. Counts come from the emulator's counters, so they are exact, not timings.
One Terraform version suffices: the calls come from the provider, not from Terraform's version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.api_calls import OPERATIONS, SUMMARY, calls_per_operation, expected_calls
from tests.acceptance.conftest import palette_env
from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Workspace


@pytest.mark.parametrize("count", [1, 10])
def test_each_command_makes_exactly_the_calls_it_needs(
    count: int, tmp_path: Path, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws = Workspace(tmp_path / "tf", "1.0.3", env=palette_env(clean_emulator))

    calls = calls_per_operation(ws, clean_emulator, count, public_registry.url)

    assert calls == {operation: expected_calls(operation, count) for operation in OPERATIONS}
    assert not any(SUMMARY in routes for routes in calls.values())
