"""Palette API calls per Terraform command: exact, and linear in the number of registries.

bench/api_calls.py states the contract (`expected_calls`): a create is validate + POST + GET, a
refresh one GET per registry, an update of a password the refresh plus validate and a read-modify-write
(GET, PUT, GET) per registry, a destroy the refresh plus one DELETE per registry; the API key's proof once per
provider process that refreshes or plans a create (an apply that creates: two, whatever the count; a plan, an
update, a destroy: one), and nothing ever lists the summary. Counts come from the emulator's counters, so
they are exact, not timings.
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


def test_a_plan_that_refreshes_and_creates_proves_the_key_once(
    tmp_path: Path, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    """The refresh proved the key: planning one more registry costs no second proof. (The new registry depends
    on the old one so that its plan follows the refresh; without an order between them Terraform may plan it
    first, and the proof is made once all the same.)"""
    from bench.api_calls import GET, KEY_PROOF
    from bench.configs import registries_config

    ws = Workspace(tmp_path / "tf", "1.0.3", env=palette_env(clean_emulator))
    ws.write(registries_config(1, public_registry.url, prefix="first"))
    ws.apply()
    ws.write(
        registries_config(2, public_registry.url, prefix="first").replace(
            'name     = "first-1"', 'name     = "first-1"\n  depends_on = [oci_registry_helm.r0]'
        )
    )
    before = clean_emulator.counters()["by_route"]
    assert ws.plan_changes() == 2
    after = clean_emulator.counters()["by_route"]
    assert {route: n - before.get(route, 0) for route, n in after.items() if n > before.get(route, 0)} == {
        GET: 1,
        KEY_PROOF: 1,
    }
