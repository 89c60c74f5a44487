"""What the reliability tests share: configurations of many registries, fault profiles, running a
command again as a user would, and comparing Palette with the Terraform state."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.acceptance.scenarios import PROVIDER_BLOCK
from tests.harness.emulator import Emulator
from tests.harness.terraform import VERSIONS, Result, Workspace

LATEST = VERSIONS[-1]
OLDEST = VERSIONS[0]
# What a crash of the provider (or of Terraform) looks like in any output.
CRASH_MARKERS = (
    "Traceback",
    "Plugin error",
    "panic:",
    "Plugin did not respond",
    "plugin crashed",
    "Unexpected failure in terraform-provider-oci",
)

CREATE = r"^/v1/registries/oci/(basic|ecr)$"
ONE_REGISTRY = r"^/v1/registries/oci/[0-9a-f]{24}/(basic|ecr)$"
WRITES = {"POST": CREATE, "PUT": ONE_REGISTRY, "DELETE": ONE_REGISTRY}


def many_registries(endpoint: str, count: int, *, base_content_path: str = "charts", prefix: str = "reg") -> str:
    """`count` public Helm registries named prefix-0 .. prefix-(count-1), preflight off (palette_env)."""
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "r" {{
  count             = {count}
  name              = "{prefix}-${{count.index}}"
  endpoint          = "{endpoint}"
  base_content_path = "{base_content_path}"
}}
"""


def fault_profile(seed: int, *, latency: float = 3.0) -> list[dict[str, Any]]:
    """Everything that goes wrong between the provider and Palette: first one of each kind for sure
    (so that every kind is met whatever the order of requests), then at random, seeded (each rule
    has its own random stream). A quarter of the writes (create, update, delete) are stored and
    then answered with a 500 or a dropped connection; every request may meet 429 with
    Retry-After: 1, 500, 502, 503, a dropped connection or `latency` seconds of delay (past a 2 s
    request timeout)."""
    everything = "^/v1/"
    once: list[dict[str, Any]] = [
        {"method": "POST", "path": CREATE, "kind": "latency", "latency": latency},
        {"method": "POST", "path": CREATE, "kind": "commit_then_fail"},
        {"method": "PUT", "path": ONE_REGISTRY, "kind": "commit_then_fail", "status": 502},
        {"method": "DELETE", "path": ONE_REGISTRY, "kind": "commit_then_fail"},
        {"method": "GET", "path": everything, "kind": "drop"},
        *({"path": everything, "kind": "status", "status": status} for status in (500, 502, 503)),
        {"path": everything, "kind": "status", "status": 429, "retry_after": 1},
    ]
    for rule in once:
        rule["times"] = 1
    random: list[dict[str, Any]] = []
    for method, path in WRITES.items():
        random += [
            {"method": method, "path": path, "kind": "commit_then_fail", "status": 500, "rate": 0.125},
            # 0.143 of the remaining 0.875: another eighth, so a quarter of the writes in all.
            {"method": method, "path": path, "kind": "commit_then_fail", "rate": 0.143},
        ]
    random += [
        {"path": everything, "kind": "status", "status": 429, "retry_after": 1, "rate": 0.05},
        {"path": everything, "kind": "status", "status": 500, "rate": 0.03},
        {"path": everything, "kind": "status", "status": 502, "rate": 0.03},
        {"path": everything, "kind": "status", "status": 503, "rate": 0.03},
        {"path": everything, "kind": "drop", "rate": 0.03},
        {"path": everything, "kind": "latency", "latency": latency, "rate": 0.02},
    ]
    for offset, rule in enumerate(random):
        rule["seed"] = seed + offset
    return once + random


def assert_no_crash(result: Result) -> None:
    found = [marker for marker in CRASH_MARKERS if marker in result.output]
    assert not found, f"{found} in the output of\n{result}"


def converge(command: Callable[..., Result], attempts: int = 4, ok: tuple[int, ...] = (0,)) -> list[Result]:
    """Run `command` (a Workspace method such as `ws.apply`) again, as a user would after an error,
    until it succeeds (exit code in `ok`; at most `attempts` times); every run, failed or not, must
    be free of crashes. Returns the runs."""
    runs: list[Result] = []
    for _ in range(attempts):
        runs.append(command(check=False))
        assert_no_crash(runs[-1])
        if runs[-1].returncode in ok:
            return runs
    raise AssertionError(f"no success in {attempts} runs; the last:\n{runs[-1]}")


def state_registries(ws: Workspace) -> set[tuple[str, str]]:
    """(id, name) of every registry in terraform.tfstate, read from the file itself."""
    path = ws.dir / "terraform.tfstate"
    if not path.exists():
        return set()
    state = json.loads(path.read_text() or "{}")
    return {
        (instance["attributes"]["id"], instance["attributes"]["name"])
        for resource in state.get("resources", [])
        if resource.get("mode") == "managed"
        for instance in resource.get("instances", [])
    }


def palette_registries(emulator: Emulator) -> set[tuple[str, str]]:
    return {(item["uid"], item["name"]) for item in emulator.registries()}


def assert_palette_is_the_state(ws: Workspace, emulator: Emulator, names: set[str]) -> None:
    """Palette holds exactly the registries the state records, by uid and name: none duplicated,
    none orphaned, none lost; and they are the ones named `names`."""
    stored, recorded = emulator.registries(), state_registries(ws)
    assert len(stored) == len({item["name"] for item in stored}), "a name is stored twice"
    assert {(item["uid"], item["name"]) for item in stored} == recorded
    assert {name for _, name in recorded} == names


def fault_counts(emulator: Emulator) -> dict[str, int]:
    """How often each kind of fault fired, e.g. {"commit_then_fail": 14, "status 429": 9, ...}."""
    counts: dict[str, int] = {}
    for rule in emulator.faults():
        kind = f"status {rule['status']}" if rule["kind"] == "status" else rule["kind"]
        counts[kind] = counts.get(kind, 0) + rule["fired"]
    return counts
