#!/usr/bin/env python3
"""How many Palette API calls Terraform's commands cost, from the emulator's counters.

    .venv/bin/python bench/api_calls.py [--counts 1,10,100] [--version 1.0.3]

For each N: `apply` creating N registries, `plan` (which refreshes them), `destroy`, each counted
as the difference of the emulator's counters before and after it. The contract, checked here and asserted exactly in
tests/acceptance/test_api_calls.py (`expected_calls` is the one statement of it):
  - a create is validate + POST + GET, nothing more;
  - each provider process that refreshes, looks up or plans a create proves the API key once with
    `GET /v1/dashboard/projects/metadata` (a bad key may be answered "not found": none is believed before):
    `apply` pays it twice (its plan and its apply each start the provider), `plan`, `update` and `destroy`
    once (their refresh), whatever N;
  - a refresh of N registries is exactly N GETs;
  - a destroy is the refresh (N GETs) and N DELETEs;
  - nothing lists the summary (`GET /v1/registries/oci/summary`) per resource, nor at all;
  - so total calls are a fixed multiple of N plus that constant: linear.
Prints the calls per route and per registry; exits 1 on any difference from the contract.
Counts are deterministic (no timing involved), so one run says it all.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.configs import registries_config
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace

VALIDATE = "POST /v1/registries/oci/basic/validate"
CREATE = "POST /v1/registries/oci/basic"
GET = "GET /v1/registries/oci/{uid}/basic"
DELETE = "DELETE /v1/registries/oci/{uid}/basic"
UPDATE = "PUT /v1/registries/oci/{uid}/basic"
SUMMARY = "GET /v1/registries/oci/summary"
KEY_PROOF = "GET /v1/dashboard/projects/metadata"
# Per command, whatever the number of registries: the key's proof, once in each provider process that refreshes
# or plans a create (the process that applies makes it only if Palette answers one of its calls "not found").
FIXED = {"apply": {KEY_PROOF: 2}, "plan": {KEY_PROOF: 1}, "update": {KEY_PROOF: 1}, "destroy": {KEY_PROOF: 1}}
OPERATIONS = ("apply", "plan", "update", "destroy")


def expected_calls(operation: str, count: int) -> dict[str, int]:
    """The calls per route that `operation` on `count` basic-auth registries must make, exactly."""
    per_registry = {
        "apply": {VALIDATE: 1, CREATE: 1, GET: 1},  # a create; nothing exists to refresh yet
        "plan": {GET: 1},  # the refresh; an unchanged registry plans without a call
        # the refresh, then validate (the password changed), and read-modify-write: GET, PUT, GET
        "update": {GET: 3, VALIDATE: 1, UPDATE: 1},
        "destroy": {GET: 1, DELETE: 1},  # the refresh, then the delete
    }[operation]
    fixed = FIXED[operation]
    routes = per_registry.keys() | fixed.keys()
    return {route: per_registry.get(route, 0) * count + fixed.get(route, 0) for route in routes}


def calls_per_operation(ws: Workspace, emulator: Emulator, count: int, endpoint: str) -> dict[str, dict[str, int]]:
    """{operation: {route: calls}} for apply, plan and destroy of `count` registries."""
    ws.write(registries_config(count, endpoint, prefix="counted"))
    rotated = registries_config(count, endpoint, prefix="counted").replace('"password-', '"rotated-')

    def update() -> object:
        ws.write(rotated)
        return ws.apply()

    commands: dict[str, Callable[[], object]] = {
        "apply": ws.apply,
        "plan": ws.plan,
        "update": update,
        "destroy": ws.destroy,
    }
    calls = {}
    for operation in OPERATIONS:
        before = emulator.counters()["by_route"]
        commands[operation]()
        after = emulator.counters()["by_route"]
        calls[operation] = {route: n - before.get(route, 0) for route, n in after.items() if n > before.get(route, 0)}
    return calls


def report(count: int, calls: dict[str, dict[str, int]]) -> bool:
    ok = True
    for operation in OPERATIONS:
        seen, wanted = calls[operation], expected_calls(operation, count)
        total = sum(seen.values())
        verdict = "as expected" if seen == wanted else f"EXPECTED {wanted}"
        ok = ok and seen == wanted
        routes = ", ".join(f"{route} x{n}" for route, n in sorted(seen.items())) or "none"
        print(
            f"  N={count:<4} {operation:<8} {total:5d} calls ({total / count:.1f} per registry): {routes}  [{verdict}]"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,10,100", help="numbers of registries (default 1,10,100)")
    parser.add_argument("--version", default="1.0.3", help="Terraform version (default 1.0.3)")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]

    ok = True
    totals = {}
    with Emulator(validate="accept", sync_delay=0.0) as emulator, tempfile.TemporaryDirectory() as tmp:
        env = {"PALETTE_HOST": emulator.url, "PALETTE_API_KEY": emulator.api_key, "PALETTE_OCI_PREFLIGHT": "off"}
        print(f"Terraform {args.version}; calls counted by palette-emulator")
        for count in counts:
            emulator.reset()
            ws = Workspace(Path(tmp) / f"n{count}", args.version, env=env)
            calls = calls_per_operation(ws, emulator, count, "https://charts.example.com")
            ok = report(count, calls) and ok
            totals[count] = sum(sum(c.values()) for c in calls.values())
            ok = ok and not any(SUMMARY in c for c in calls.values())
    fixed = sum(sum(calls.values()) for calls in FIXED.values())
    per_registry = {count: (total - fixed) / count for count, total in totals.items()}
    linear = len(set(per_registry.values())) == 1
    print(
        f"total calls per registry over apply + plan + destroy, besides {fixed} key proofs: {per_registry} -> "
        f"{'linear in N' if linear else 'NOT LINEAR'}"
    )
    return 0 if ok and linear else 1


if __name__ == "__main__":
    sys.exit(main())
