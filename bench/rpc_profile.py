#!/usr/bin/env python3
"""The provider's CPU per RPC and per Palette request, in one process, and where it goes.

    .venv/bin/python bench/rpc_profile.py [--count 300] [--profile plan|apply|read|request] [--top 25]

The provider's `Servicer` is driven as Terraform drives it (tests/harness/inprocess.py): for each of
`--count` registries (`oci_registry_helm`, basic auth) ValidateResourceConfig, PlanResourceChange,
ApplyResourceChange (validate, POST, GET), ReadResource (GET) and the plan after it. Palette is the
emulator's ASGI app behind the client's httpx transport: no ports, no Terraform. The CPU spent inside
that transport (the emulator, Starlette and the ASGI glue, in whichever thread) is measured and
taken out, so what is left is the provider's: the RPC decode and encode, rules, mapping, the client,
httpx's client layer. What a socket costs (httpcore, h11, the kernel) is not in these figures:
`--profile request` also times the client against a real emulator on 127.0.0.1 for that.

Prints the median CPU per RPC, then with `--profile` a cProfile of that RPC (or of the client's
GET over loopback), sorted by internal time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.harness.contract import proposed_new
from tests.harness.emulator import Emulator
from tests.harness.inprocess import AsgiTransport, InProcessPalette, InProcessProvider

TYPE = "oci_registry_helm"
RPCS = ("validate", "plan", "apply", "read", "plan again")


class Clocked:
    """CPU seconds (the whole process: the emulator's handlers run in worker threads) spent in the
    transport, that is in the emulator, since the last `take`."""

    def __init__(self, transport: AsgiTransport) -> None:
        self.spent = 0.0
        inner = transport.handle_request

        def handle(request: Any) -> Any:
            started = time.process_time()
            try:
                return inner(request)
            finally:
                self.spent += time.process_time() - started

        transport.handle_request = handle  # type: ignore[method-assign]

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent


def configuration(schema: Any, index: int) -> dict[str, Any]:
    config: dict[str, Any] = {a.name: None for a in schema.attributes} | {b.type_name: [] for b in schema.block_types}
    basic = {"username": "robot", "password": f"password-{index}", "password_wo": None, "password_wo_version": None}
    return config | {"name": f"bench-{index}", "endpoint": "https://charts.example.com", "basic_auth": [basic]}


def lifecycle(provider: InProcessProvider, schema: Any, index: int) -> dict[str, Callable[[], Any]]:
    """The RPCs of one registry's create and refresh, in order, each a thunk over what came before."""
    config = configuration(schema, index)
    held: dict[str, Any] = {}

    def plan() -> Any:
        held["planned"] = provider.plan(TYPE, None, proposed_new(schema, None, config), config).state

    def apply() -> Any:
        held["state"] = provider.apply(TYPE, None, held["planned"], config).state

    def read() -> Any:
        held["refreshed"] = provider.read(TYPE, held["state"]).state

    def plan_again() -> Any:
        refreshed = held["refreshed"]
        return provider.plan(TYPE, refreshed, proposed_new(schema, refreshed, config), config)

    return {
        "validate": lambda: provider.validate(TYPE, config),
        "plan": plan,
        "apply": apply,
        "read": read,
        "plan again": plan_again,
    }


def measure(count: int, profile: str | None) -> tuple[dict[str, list[float]], cProfile.Profile | None]:
    palette = InProcessPalette()
    provider = InProcessProvider(palette)
    clock = Clocked(palette.transport)
    schema = provider.servicer.core.resources()[TYPE].get_schema()
    profiler = cProfile.Profile() if profile in RPCS else None
    cpu: dict[str, list[float]] = {rpc: [] for rpc in RPCS}
    try:
        for index in range(-20, count):  # 20 first, not counted: the client's first load, caches
            for rpc, call in lifecycle(provider, schema, index).items():
                clock.take()
                started = time.process_time()
                if profiler is not None and rpc == profile and index >= 0:
                    profiler.runcall(call)
                else:
                    call()
                spent = time.process_time() - started - clock.take()
                if index >= 0:
                    cpu[rpc].append(spent)
    finally:
        provider.close()
        palette.close()
    return cpu, profiler


def request_profile(count: int) -> tuple[float, cProfile.Profile]:
    """The client's CPU per GET of one registry against a real emulator on 127.0.0.1 (its CPU is the
    emulator process's, not ours), and its profile."""
    from provider.palette.client import PaletteClient
    from tests.palette.builders import basic

    with (
        Emulator(validate="accept", sync_delay=0.0) as emulator,
        PaletteClient(emulator.url, emulator.api_key) as client,
    ):
        uid = client.create(basic("bench"))
        client.prove_key()
        for _ in range(50):
            client.get("basic", uid)
        started = time.process_time()
        for _ in range(count):
            client.get("basic", uid)
        per_request = (time.process_time() - started) / count
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            client.get("basic", uid)
        profiler.disable()
    return per_request, profiler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="registries (default 300)")
    parser.add_argument("--profile", choices=[*RPCS, "request"], help="profile one RPC, or the client's GET")
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    args = parser.parse_args()

    if args.profile == "request":
        per_request, profiler = request_profile(args.count)
        print(f"client GET of one registry over 127.0.0.1: {per_request * 1000:.3f} ms CPU per request")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        return 0
    cpu, profiler = measure(args.count, args.profile)
    print(f"provider CPU per RPC, the emulator's taken out (median of {args.count}):")
    for rpc, values in cpu.items():
        print(f"  {rpc:<11} {statistics.median(values) * 1000:7.3f} ms   (mean {statistics.mean(values) * 1000:.3f})")
    create = sum(statistics.median(cpu[rpc]) for rpc in ("validate", "plan", "apply"))
    refresh = sum(statistics.median(cpu[rpc]) for rpc in ("read", "plan again"))
    print(f"  create (validate + plan + apply): {create * 1000:.3f} ms; refresh (read + plan): {refresh * 1000:.3f} ms")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
