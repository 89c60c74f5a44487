"""The plugin protocol as go-plugin serves it to real Terraform: message sizes, and a provider that
does not outlive Terraform.

- A `tls.ca_certificate` bundle of several megabytes (corporate bundles reach that) passes through
  plan and apply, on create and on update: gRPC's default 4 MiB limit would refuse the plan
  ("ResourceExhausted: Received message larger than max"); go-plugin allows 256 MiB, and so do we.
- Terraform killed with SIGKILL (no Shutdown ever comes): the provider notices that its parent is
  gone and exits within seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Workspace
from tests.reliability.support import assert_no_crash

# Cold (the plugin protocol of a provider Terraform started itself): tests/conftest.py
pytestmark = pytest.mark.cold

MEGABYTES = 3


def big_bundle(ca: CertificateAuthority, megabytes: float) -> str:
    """Valid PEM, `megabytes` long: the test CA's certificate repeated."""
    return ca.cert_pem.strip() + "\n" + ca.cert_pem * int(megabytes * 2**20 / len(ca.cert_pem))


def registry_with_ca(endpoint: str, base_content_path: str, ca: str = 'file("ca.pem")') -> str:
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "big" {{
  name              = "big-ca"
  endpoint          = "{endpoint}"
  base_content_path = "{base_content_path}"
  tls {{
    ca_certificate = {ca}
  }}
}}
"""


def test_a_multi_megabyte_ca_bundle_on_create_and_update(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry, test_ca: CertificateAuthority
) -> None:
    ws, emulator = workspace, clean_emulator
    bundle = big_bundle(test_ca, MEGABYTES)
    assert len(bundle) > MEGABYTES * 2**20 - len(test_ca.cert_pem)
    (ws.dir / "ca.pem").write_text(bundle)
    ws.write(registry_with_ca(public_registry.url, "charts"))

    created = ws.apply(check=False)
    assert created.returncode == 0, created
    assert_no_crash(created)
    (stored,) = emulator.registries()
    assert len(stored["spec"]["auth"]["tls"]["ca"]) >= len(bundle.strip())

    # An update of another attribute, then of the bundle itself (a plan carries it several times).
    ws.write(registry_with_ca(public_registry.url, "charts-v2"))
    updated = ws.apply(check=False)
    assert updated.returncode == 0 and "1 changed" in updated.stdout, updated
    # Terraform itself (1.0.3 and 1.15.5) runs out of memory rendering the line diff of a changed
    # multi-megabyte string ("fatal error: runtime: out of memory" in its longest-common-subsequence),
    # after the provider has planned; a sensitive value is not rendered (docs/guides/troubleshooting.md).
    ws.write(registry_with_ca(public_registry.url, "charts-v2", 'sensitive(file("ca.pem"))'))
    (ws.dir / "ca.pem").write_text(bundle + test_ca.cert_pem)
    updated = ws.apply(check=False)
    assert updated.returncode == 0 and "1 changed" in updated.stdout, updated
    assert_no_crash(updated)
    (stored,) = emulator.registries()
    assert stored["spec"]["auth"]["tls"]["ca"].count("BEGIN CERTIFICATE") == bundle.count("BEGIN CERTIFICATE") + 1
    assert ws.plan_changes() == 0


def _processes_in_session(session: int) -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of the live processes of `session` (zombies left out)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state ppid pgrp session
        if fields[0] != "Z" and int(fields[3]) == session:
            found[int(entry.name)] = (int(fields[1]), cmdline)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_the_provider_exits_when_terraform_is_killed(
    workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    ws, emulator = workspace, clean_emulator
    ws.write(registry_with_ca(public_registry.url, "charts", "null"))
    emulator.set_faults([{"method": "POST", "path": r"^/v1/registries/oci/basic$", "kind": "latency", "latency": 30}])
    process = subprocess.Popen(
        [str(ws.binary), "apply", "-no-color", "-input=false", "-auto-approve"],
        cwd=ws.dir,
        env=ws.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(r["path"].endswith("/validate") for r in emulator.requests()):
            assert process.poll() is None and time.monotonic() < deadline, "the apply never validated"
            time.sleep(0.1)
        time.sleep(0.5)  # the create (held 30 s by the emulator) is in flight
        providers = {
            pid: parent
            for pid, (parent, cmdline) in _processes_in_session(process.pid).items()
            if "terraform-provider-oci" in cmdline
        }
        assert providers, _processes_in_session(process.pid)
        # SIGKILL to the provider's parent (Terraform's worker: 1.0's panicwrap runs it as a child).
        for parent in set(providers.values()):
            os.kill(parent, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in providers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in providers), "the provider outlived Terraform"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
