#!/usr/bin/env python3
"""How palette-emulator holds up with 1,000 registries.

    .venv/bin/python bench/emulator_scale.py [--registries 1000] [--calls 100]

Starts a real emulator process (in memory, validate accept), creates the registries through the
API (basic and ECR, a third with sync on), then times sequential calls over one keep-alive
connection: GET /v1/registries/oci/summary, GET /v1/registries/oci/{uid}/basic, and as a
baseline measured in the same run, GET /emulator/health (the cost of HTTP and the server alone).
Prints median and min-max per call, and each median as a multiple of the baseline. Exits 1 when
the summary median misses the target (20 ms).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from tests.harness.emulator import Emulator, basic_registry, ecr_registry

SUMMARY_TARGET_MS = 20.0


def timed(call: Callable[[], httpx.Response], times: int) -> list[float]:
    """Milliseconds per call; every answer must be a success."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        answer = call()
        samples.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return samples


def seed(client: httpx.Client, count: int) -> list[str]:
    """Create `count` registries; returns the uids of the basic ones."""
    basic_uids = []
    for index in range(count):
        sync = index % 3 == 0
        if index % 4 == 3:
            body = ecr_registry(
                f"ecr-{index}",
                access_key="AKIAEXAMPLE",
                secret_key="secret-key-value-1234",
                base_content_path="charts" if sync else "",
                sync=sync,
            )
            client.post("/v1/registries/oci/ecr", json=body).raise_for_status()
            continue
        body = basic_registry(
            f"basic-{index}",
            f"oci-{index}.example.com",
            username="robot",
            password="password-value-1234",
            base_content_path="charts" if sync else "",
            sync=sync,
        )
        answer = client.post("/v1/registries/oci/basic", json=body)
        answer.raise_for_status()
        basic_uids.append(answer.json()["uid"])
    return basic_uids


def report(name: str, samples: list[float], baseline: float) -> float:
    median = statistics.median(samples)
    print(
        f"{name:<42} median {median:7.2f} ms   min-max {min(samples):6.2f}-{max(samples):7.2f} ms"
        f"   {median / baseline:5.1f}x baseline"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registries", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()

    with Emulator(validate="accept", sync_delay=0.0) as emu, emu.client(check_swagger=False) as client:
        started = time.perf_counter()
        uids = seed(client, args.registries)
        seconds = time.perf_counter() - started
        print(
            f"created {args.registries} registries in {seconds:.1f} s "
            f"({seconds / args.registries * 1000:.2f} ms per POST)"
        )
        items = client.get("/v1/registries/oci/summary").json()["items"]
        assert len(items) == args.registries, len(items)

        health = timed(lambda: client.get("/emulator/health"), args.calls)
        baseline = statistics.median(health)
        report("GET /emulator/health (baseline)", health, baseline)
        summary = report(
            "GET /v1/registries/oci/summary",
            timed(lambda: client.get("/v1/registries/oci/summary"), args.calls),
            baseline,
        )
        pick = random.Random(7).choice
        report(
            "GET /v1/registries/oci/{uid}/basic",
            timed(lambda: client.get(f"/v1/registries/oci/{pick(uids)}/basic"), args.calls),
            baseline,
        )

    verdict = "meets" if summary < SUMMARY_TARGET_MS else "MISSES"
    print(
        f"summary median {summary:.2f} ms {verdict} the {SUMMARY_TARGET_MS:.0f} ms target "
        f"with {args.registries} registries"
    )
    return 0 if summary < SUMMARY_TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
