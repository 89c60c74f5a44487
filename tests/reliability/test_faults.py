"""Thirty registries through create, update and destroy while Palette misbehaves.

The emulator stores a quarter of the writes and then answers 500 or drops the connection, and
answers any request with 429 (Retry-After: 1), 500, 502, 503, a dropped connection or a delay past
the provider's 2 s request timeout. A user re-runs the failed command; after at most a few runs
Palette must hold exactly what the state records (by uid and name: nothing duplicated, nothing
orphaned) and no output may show a crash.

The full 30 run on Terraform 1.15.5; Terraform 1.0.3 runs the same sequence over 10 registries
(the provider's behaviour under faults does not depend on Terraform's version, and the suite's
time budget is 4 minutes on 2 cores).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Result, Workspace
from tests.reliability.support import (
    CREATE,
    LATEST,
    OLDEST,
    assert_no_crash,
    assert_palette_is_the_state,
    converge,
    fault_counts,
    fault_profile,
    many_registries,
    palette_registries,
    state_registries,
)

FAULTY = {"PALETTE_REQUEST_TIMEOUT": "2", "PALETTE_MAX_RETRIES": "5"}


@pytest.mark.parametrize(("tf_version", "count"), [(LATEST, 30), (OLDEST, 10)], indirect=["tf_version"])
def test_create_update_destroy_converge_under_faults(
    count: int, workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws, emulator = workspace, clean_emulator
    ws.env.update(FAULTY)
    names = {f"reg-{i}" for i in range(count)}
    emulator.set_faults(fault_profile(seed=count))
    runs: dict[str, int] = {}
    errors: list[str] = []

    def run(command: Callable[..., Result]) -> int:
        done = converge(command)
        errors.extend(" ".join(r.stderr.split())[:400] for r in done if r.returncode)
        return len(done)

    ws.write(many_registries(public_registry.url, count))
    runs["create"] = run(ws.apply)
    assert_palette_is_the_state(ws, emulator, names)

    ws.write(many_registries(public_registry.url, count, base_content_path="charts-v2"))
    runs["update"] = run(ws.apply)
    assert_palette_is_the_state(ws, emulator, names)
    assert {item["spec"]["baseContentPath"] for item in emulator.registries()} == {"charts-v2"}
    plans = converge(lambda check: ws.run("plan", "-no-color", "-detailed-exitcode", check=False), ok=(0, 2))
    assert plans[-1].returncode == 0, plans[-1]  # nothing left to change: the state is what Palette holds

    runs["destroy"] = run(ws.destroy)
    assert emulator.registries() == []
    assert ws.resources() == {}

    fired = fault_counts(emulator)
    print(f"\n{ws.version} x{count}: runs {runs}, faults {fired}, requests {emulator.counters()['total']}")
    print("\n".join(errors))
    # Every kind of fault happened, or this test proved nothing about it.
    assert set(fired) == {"commit_then_fail", "status 429", "status 500", "status 502", "status 503", "drop", "latency"}
    assert all(fired.values()), fired


@pytest.mark.parametrize("tf_version", [LATEST], indirect=True)
def test_a_lost_create_that_cannot_be_looked_up_says_how_to_recover(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    """The create is stored but its answer lost, and Palette's list fails too: the provider cannot know
    the uid, so the state cannot hold it. The message says so and how to adopt the registry; doing
    what it says converges."""
    ws, emulator = workspace, clean_emulator
    ws.env["PALETTE_MAX_RETRIES"] = "1"  # the list keeps failing: give up soon
    ws.write(many_registries(public_registry.url, 1))
    emulator.set_faults(
        [
            {"method": "POST", "path": CREATE, "kind": "commit_then_fail", "times": 1},
            {"method": "GET", "path": "/summary$", "kind": "status", "status": 503},
        ]
    )
    lost = ws.apply(check=False)
    assert lost.returncode == 1
    assert_no_crash(lost)
    message = " ".join(lost.stderr.split())
    assert "Error: Palette's answer was lost" in message
    assert "may or may not have succeeded" in message and "terraform import oci_registry_helm.<name> <name>" in message
    assert [name for _, name in palette_registries(emulator)] == ["reg-0"] and state_registries(ws) == set()

    emulator.clear_faults()
    ws.import_("oci_registry_helm.r[0]", "reg-0")
    assert ws.apply().returncode == 0
    assert_palette_is_the_state(ws, emulator, {"reg-0"})
    assert ws.plan_changes() == 0
