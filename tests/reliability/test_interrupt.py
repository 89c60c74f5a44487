"""Ctrl-C in the middle of an apply: Terraform asks the provider to stop, the creates already sent
finish and are recorded, and the next apply converges with nothing orphaned or duplicated.

Creates are slowed down (most by 4 s) so that the interrupt lands while several are in flight.
A second test interrupts `wait_for_sync` (an emulator whose syncs take two minutes): Terraform exits
within seconds, the registry in its state with the sync status seen and a warning.
A third interrupts the action `oci_registry_sync` (Terraform 1.15.5) while it waits: a warning, at once.
Two ways to interrupt: Ctrl-C in a terminal (SIGINT to the whole process group, the provider
included) on Terraform 1.0.3, and `kill -INT` of Terraform alone (as a CI runner cancelling a job
does) on 1.15.5. Terraform 1.0 runs under a wrapper process (panicwrap) that swallows a SIGINT sent
to it alone, so `kill -INT` does not interrupt 1.0.3 at all: Terraform's behaviour, not ours.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.acceptance.conftest import palette_env
from tests.acceptance.scenarios import PROVIDER_BLOCK
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Result, Workspace
from tests.reliability.support import (
    CREATE,
    LATEST,
    OLDEST,
    assert_no_crash,
    assert_palette_is_the_state,
    many_registries,
    state_registries,
)

# Cold (signals reach a provider Terraform started itself): tests/conftest.py
pytestmark = pytest.mark.cold

COUNT = 30
SLOW_CREATES = [
    {"method": "POST", "path": CREATE, "kind": "latency", "latency": 0.3, "rate": 0.3, "seed": 7},
    {"method": "POST", "path": CREATE, "kind": "latency", "latency": 4.0},
]


def interrupted_apply(
    ws: Workspace,
    emulator: Emulator,
    whole_group: bool,
    settle: float = 0.0,
    args: tuple[str, ...] = (),
    ready: Callable[[], object] | None = None,
) -> Result:
    """`terraform apply [args]`, interrupted once `ready()` (default: the first registry exists in Palette),
    and `settle` seconds more."""
    ready = ready or emulator.registries
    started = time.monotonic()
    process = subprocess.Popen(
        [str(ws.binary), "apply", "-no-color", "-input=false", "-auto-approve", *args],
        cwd=ws.dir,
        env=ws.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    try:
        deadline = started + 60
        while not ready():
            assert process.poll() is None and time.monotonic() < deadline, "the apply ended before it was ready"
            time.sleep(0.05)
        time.sleep(settle)
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        else:
            process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # `seconds`: from the interrupt to Terraform's exit.
    return Result(["apply"], process.returncode, stdout, stderr, time.monotonic() - interrupted)


@pytest.mark.parametrize(
    ("tf_version", "whole_group"), [(OLDEST, True), (LATEST, False)], indirect=["tf_version"], ids=["ctrl-c", "kill"]
)
def test_an_interrupted_apply_orphans_nothing_and_the_next_converges(
    whole_group: bool, workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws, emulator = workspace, clean_emulator
    names = {f"reg-{i}" for i in range(COUNT)}
    ws.write(many_registries(public_registry.url, COUNT))
    emulator.set_faults(SLOW_CREATES)

    interrupted = interrupted_apply(ws, emulator, whole_group)

    assert interrupted.returncode != 0 and "Interrupt received" in interrupted.stdout, interrupted
    assert_no_crash(interrupted)
    recorded = state_registries(ws)
    # Every create Palette carried out is in the state, the slow ones still in flight included.
    assert 0 < len(recorded) < COUNT
    assert {(item["uid"], item["name"]) for item in emulator.registries()} == recorded
    in_flight = interrupted.stdout.count("Creation complete after 4s") + interrupted.stdout.count(
        "Creation complete after 5s"
    )
    assert in_flight, "no create was in flight when the interrupt came"

    emulator.clear_faults()
    again = ws.apply(check=False)
    assert again.returncode == 0, again
    assert_no_crash(again)
    assert f"{COUNT - len(recorded)} added, 0 changed, 0 destroyed" in again.stdout
    assert_palette_is_the_state(ws, emulator, names)
    assert ws.plan_changes() == 0


@pytest.fixture(scope="module")
def slow_sync_emulator() -> Iterator[Emulator]:
    """Syncs that take two minutes: longer than any interrupted apply may."""
    with Emulator(sync_delay=120, validate="accept") as emu:
        yield emu


@pytest.mark.parametrize(
    ("tf_version", "whole_group"), [(OLDEST, True), (LATEST, False)], indirect=["tf_version"], ids=["ctrl-c", "kill"]
)
def test_ctrl_c_ends_wait_for_sync_and_keeps_the_registry(
    whole_group: bool, tf_version: str, tmp_path: Path, slow_sync_emulator: Emulator
) -> None:
    emulator = slow_sync_emulator
    emulator.reset()
    ws = Workspace(tmp_path / "tf", tf_version, env=palette_env(emulator))
    ws.write(f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "synced" {{
  name              = "synced"
  endpoint          = "https://charts.example.com"
  base_content_path = "charts"
  auto_sync         = true
  wait_for_sync     = true
}}
""")

    interrupted = interrupted_apply(ws, emulator, whole_group, settle=1.0)

    assert interrupted.seconds < 5, f"Terraform took {interrupted.seconds:.1f}s to stop\n{interrupted}"
    assert "Interrupt received" in interrupted.stdout, interrupted
    assert_no_crash(interrupted)
    assert "Stopped waiting for the registry to synchronize" in interrupted.output, interrupted
    (stored,) = emulator.registries()
    assert state_registries(ws) == {(stored["uid"], "synced")}
    state = json.loads((ws.dir / "terraform.tfstate").read_text())
    (instance,) = state["resources"][0]["instances"]
    assert instance["attributes"]["sync_status"] == "InProgress"
    assert instance.get("status") != "tainted"  # the next apply keeps the uid


def test_an_interrupt_ends_the_sync_actions_wait_with_a_warning(tmp_path: Path, slow_sync_emulator: Emulator) -> None:
    emulator = slow_sync_emulator
    emulator.reset()
    body = basic_registry("charts", "https://charts.example.com", base_content_path="charts", sync=True)
    uid = emulator.seed("basic", body)
    ws = Workspace(tmp_path / "tf", LATEST, env=palette_env(emulator))
    ws.write(f"""{PROVIDER_BLOCK}
action "oci_registry_sync" "now" {{
  config {{
    uid = "{uid}"
  }}
}}
""")

    def sync_requested() -> bool:
        return any(r["route"].endswith("/sync") for r in emulator.requests())

    interrupted = interrupted_apply(
        ws, emulator, False, settle=1.0, args=("-invoke=action.oci_registry_sync.now",), ready=sync_requested
    )

    assert interrupted.seconds < 5, f"Terraform took {interrupted.seconds:.1f}s to stop\n{interrupted}"
    assert "Interrupt received" in interrupted.stdout, interrupted
    assert_no_crash(interrupted)
    assert "sync status: InProgress" in interrupted.stdout, interrupted
    assert "Stopped waiting for the registry to synchronize" in interrupted.output, interrupted
