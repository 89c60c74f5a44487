"""`terraform-provider-oci probe` as a real subprocess against the emulator.

With no variant every row the probe can observe is confirmed; with each variant of
palette_emulator/variants.py exactly the rows that variant answers differently are contradicted,
naming it, and every other row keeps its verdict. No secret, registry name, endpoint or host of the
tenant appears in its output. --write deletes its scratch registry, also on Ctrl-C, and prints the
uid of one it could not delete.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from palette_emulator.variants import VARIANTS
from provider.probe.write import SCRATCH_PREFIX
from tests.harness.emulator import Emulator, basic_registry, ecr_registry

CANARY = secrets.token_hex(6)
API_KEY = f"probe-api-key-{CANARY}"
PASSWORD = f"canary-password-{CANARY}"
SECRET_KEY = f"canary-secret-key-{CANARY}"
# Rows no run against the emulator can observe: the probe never changes a registry it did not make (7),
# cannot make a registry older than Palette 4.5.0 (21), sends only what the provider sends (30);
# 33 is the emulator's fault injection, not a Palette behaviour.
NEVER_OBSERVED = {7, 21, 30, 33}
# The rows each variant answers differently. A new variant fails this test until it is listed here.
VARIANT_ROWS: dict[str, set[int]] = {
    "registry-type-upper": {10},
    "sync-in-status-only": {13},
    "sync-in-spec-only": {13},
    "no-status": {11, 13},
    "no-tls": {25},
    "mask-empty": {9},
    "mask-stars": {9},
    "sync-words": {14},
    "sync-success-word": {14},
    "scope-empty": {6},
    "extra-fields": {31},
    "names-not-unique": {22},
    "put-merges": {23},
    "oci-by-uid-absent": {1},
    "manual-sync-refused": {34},
    "validate-refuses-noauth-zarf": {29},
    "ca-in-certificate": {36},
    "bad-key-403": {8},
    "bad-key-not-found": {8},
}


@pytest.fixture(scope="module")
def probe_emulator() -> Iterator[Emulator]:
    with Emulator(api_keys=(API_KEY,), sync_delay=0.05, validate="contact") as emu:
        yield emu


def seed(emu: Emulator, variants: list[str]) -> list[str]:
    """A tenant of every kind, each name, endpoint and secret a canary; the canaries."""
    emu.reset()
    emu.set_variants(variants)
    names = [f"canary-{kind}-{CANARY}" for kind in ("helm", "pack", "zarf", "ecr", "public")]
    endpoints = [f"canary-{kind}-{CANARY}.invalid" for kind in ("helm", "pack", "zarf")]
    helm, pack, zarf, ecr, public = names
    bodies: list[tuple[str, dict[str, Any]]] = [
        (
            "basic",
            basic_registry(helm, endpoints[0], username="u", password=PASSWORD, base_content_path="c", sync=True),
        ),
        ("basic", basic_registry(pack, endpoints[1], provider_type="pack", base_content_path="packs", sync=True)),
        ("basic", basic_registry(zarf, endpoints[2], provider_type="zarf")),
        ("ecr", ecr_registry(ecr, access_key=f"AKIA{CANARY}", secret_key=SECRET_KEY)),
    ]
    public_ecr = ecr_registry(public)
    public_ecr["spec"]["isPrivate"] = False
    del public_ecr["spec"]["credentials"]
    bodies.append(("ecr", public_ecr))
    with emu.client(check_swagger=False) as palette:
        uids = [palette.post(f"/v1/registries/oci/{family}", json=body).json()["uid"] for family, body in bodies]
    emu.end_sync(uids[0], "Success")  # a sync word of success among the summary's
    return [*names, *endpoints, PASSWORD, SECRET_KEY, API_KEY, f"AKIA{CANARY}"]


def probe(emu: Emulator, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PALETTE_HOST": emu.url, "PALETTE_API_KEY": API_KEY, **env}
    return subprocess.run(
        [sys.executable, "-m", "provider", "probe", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def leaks(emu: Emulator, canaries: list[str], *texts: str) -> list[str]:
    """The canaries (whole, or the middle Palette's abc***xyz mask hides) and host parts found in `texts`."""
    port = emu.url.rsplit(":", 1)[1]
    needles = [*canaries, *(c[3:-3] for c in canaries if len(c) >= 12), emu.url, "127.0.0.1", f":{port}"]
    return sorted({needle for needle in needles for text in texts if needle in text})


def scratch_left(emu: Emulator) -> list[str]:
    return [item["name"] for item in emu.registries() if item["name"].startswith(SCRATCH_PREFIX)]


# The default in the fast path (about 2 s a run); each variant with the slow tests.
@pytest.mark.parametrize(
    "variant", [pytest.param("", id="no-variant"), *(pytest.param(name, marks=pytest.mark.slow) for name in VARIANTS)]
)
def test_each_variant_contradicts_its_rows_and_only_them(
    probe_emulator: Emulator, tmp_path: Path, variant: str
) -> None:
    emu = probe_emulator
    canaries = seed(emu, [variant] if variant else [])
    out = tmp_path / "report.json"
    done = probe(emu, "--write", "--json", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    verdicts = {row["row"]: row for row in report["rows"]}
    contradicted = VARIANT_ROWS[variant] if variant else set()
    for number, row in verdicts.items():
        if number in contradicted:
            assert row["verdict"] == "contradicted" and variant in row["variants"], row
        elif number in NEVER_OBSERVED:
            assert row["verdict"] == "not observed", row
        else:
            assert row["verdict"] == "confirmed", row
    assert report["variants"] == ([variant] if variant else [])
    expected_line = f"--variant {variant}" if variant else "none (the emulator's defaults)"
    assert expected_line in done.stdout
    assert not leaks(emu, canaries, done.stdout, done.stderr, out.read_text())
    assert not scratch_left(emu)


def test_the_read_only_report_names_no_secret_registry_endpoint_or_host(
    probe_emulator: Emulator, tmp_path: Path
) -> None:
    canaries = seed(probe_emulator, [])
    seeded = len(probe_emulator.requests())
    out = tmp_path / "report.json"
    done = probe(probe_emulator, "--json", str(out))
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["write"] is False
    assert {row["row"]: row["verdict"] for row in report["rows"]}[9] == "confirmed"  # masks read, not written
    assert not leaks(probe_emulator, canaries, done.stdout, done.stderr, out.read_text())
    writes = [r for r in probe_emulator.requests()[seeded:] if r["method"] != "GET"]
    assert writes == [], "read-only sends no write"


def test_the_key_comes_from_the_named_variable_and_a_refused_key_says_so(probe_emulator: Emulator) -> None:
    seed(probe_emulator, [])
    named = probe(probe_emulator, "--api-key-env", "MY_PALETTE_KEY", PALETTE_API_KEY="wrong", MY_PALETTE_KEY=API_KEY)
    assert named.returncode == 0, named.stderr
    refused = probe(probe_emulator, PALETTE_API_KEY=f"wrong-{CANARY}")
    assert refused.returncode == 1 and "Palette refused the API key (401" in refused.stderr
    assert "Traceback" not in refused.stderr and CANARY not in refused.stderr + refused.stdout
    probe_emulator.set_faults(
        [{"path": "/v1/dashboard/", "kind": "status", "status": 404, "body": "<html>nginx</html>"}]
    )
    try:
        proxied = probe(probe_emulator)
    finally:
        probe_emulator.clear_faults()
    assert proxied.returncode == 1 and "the host does not answer as Palette's API (404 HTML" in proxied.stderr
    unset = probe(probe_emulator, "--api-key-env", "NOT_SET_ANYWHERE")
    assert unset.returncode == 2 and "--api-key-env NOT_SET_ANYWHERE" in unset.stderr


def test_a_scratch_registry_that_cannot_be_deleted_is_named_by_uid(probe_emulator: Emulator) -> None:
    seed(probe_emulator, [])
    probe_emulator.set_faults(
        [{"path": "/v1/registries/oci/[^/]+/basic$", "method": "DELETE", "kind": "status", "status": 503}]
    )
    try:
        done = probe(probe_emulator, "--write", PALETTE_MAX_RETRIES="0")
    finally:
        probe_emulator.clear_faults()
    left = [item["uid"] for item in probe_emulator.registries() if item["name"].startswith(SCRATCH_PREFIX)]
    assert done.returncode == 1 and left
    for uid in left:
        assert f"the scratch registry {uid} could not be deleted" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_during_write_deletes_the_scratch_registry(stop: signal.Signals) -> None:
    """SIGINT (Ctrl-C) or SIGTERM (a CI cancel) while the probe waits for its scratch registry's sync
    (two minutes, in this emulator)."""
    with Emulator(api_keys=(API_KEY,), sync_delay=120, validate="contact") as emu:
        process = subprocess.Popen(
            [sys.executable, "-m", "provider", "probe", "--write"],
            env={**os.environ, "PALETTE_HOST": emu.url, "PALETTE_API_KEY": API_KEY},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not any(
                # The sync the probe waits for, once it turned sync on (a manual sync of the registry while its
                # sync is off runs too, and its status says so: not the wait this test interrupts).
                item["name"].startswith(SCRATCH_PREFIX)
                and item["syncStatus"].get("isSyncSupported") is True
                and item["syncStatus"].get("status") == "InProgress"
                for item in emu.registries()
            ):
                assert process.poll() is None and time.monotonic() < deadline, "the probe never synced its registry"
                time.sleep(0.1)
            process.send_signal(stop)
            stopped = time.monotonic()
            _, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        assert time.monotonic() - stopped < 10
        assert process.returncode == 130 and "interrupted" in stderr, stderr
        assert "Traceback" not in stderr
        assert not scratch_left(emu)
