"""`terraform init` with the CLI config `terraform-provider-oci install` prints asks no public registry.

`source = "palette/oci"` is `registry.terraform.io/palette/oci`, a public namespace this project does
not hold. Terraform 1.0.3 and 1.15.5 run with every proxy variable pointing at a `RecordingProxy` on
127.0.0.1 (`harness/offline.py`): Go's HTTP client sends each request for a host outside loopback
through it as `CONNECT host:443`, which the proxy records and refuses. So an empty record means
Terraform asked no one outside this machine, and the control case (a `direct {}` without the
exclusion) shows the record catching the registry request the exclusion prevents.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from provider.launch import install
from tests.harness.offline import RecordingProxy, offline_env, printed_config, recording_proxy
from tests.harness.terraform import VERSIONS, terraform_binary

# Cold (`init` and the launcher from the filesystem mirror, as installed): tests/conftest.py
pytestmark = pytest.mark.cold

MAIN_TF = 'terraform {\n  required_providers {\n    oci = { source = "palette/oci" }\n  }\n}\n'
NOT_FOUND = "provider registry.terraform.io/palette/oci was not found in any of the search locations"


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    with recording_proxy() as recorder:
        yield recorder


def init(
    version: str, tmp_path: Path, env: dict[str, str], wrapper: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "main.tf").write_text(MAIN_TF)
    return subprocess.run(
        [*wrapper, str(terraform_binary(version)), "init", "-no-color", "-input=false"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def empty(mirror: Path) -> None:
    for package in (mirror / install.HOSTNAME / install.NAMESPACE / install.TYPE).iterdir():
        package.unlink()


@pytest.mark.parametrize("version", VERSIONS)
def test_init_with_the_printed_config_asks_no_public_registry(
    version: str, tmp_path: Path, proxy: RecordingProxy
) -> None:
    env = offline_env(tmp_path, proxy, tmp_path / "terraformrc")
    printed_config(tmp_path / "mirror", env)
    result = init(version, tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "palette/oci" in (tmp_path / "work" / ".terraform.lock.hcl").read_text()
    assert proxy.requests == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_machine_without_the_package_fails_init_and_asks_no_public_registry(
    version: str, tmp_path: Path, proxy: RecordingProxy
) -> None:
    # The runner the exclusion is for: the CLI config is there, the package is not (a skipped install step).
    env = offline_env(tmp_path, proxy, tmp_path / "terraformrc")
    printed_config(tmp_path / "mirror", env)
    empty(tmp_path / "mirror")
    result = init(version, tmp_path, env)
    assert result.returncode == 1
    assert NOT_FOUND in " ".join((result.stdout + result.stderr).split())
    assert proxy.requests == []


@pytest.mark.parametrize("version", VERSIONS)
def test_without_the_exclusion_the_same_machine_asks_the_public_registry(
    version: str, tmp_path: Path, proxy: RecordingProxy
) -> None:
    # The control: what the two tests above would record if the exclusion did nothing.
    env = offline_env(tmp_path, proxy, tmp_path / "terraformrc")
    block = printed_config(tmp_path / "mirror", env)
    without = block.replace('exclude = ["registry.terraform.io/palette/oci"]', "")
    assert "exclude" not in without
    Path(env["TF_CLI_CONFIG_FILE"]).write_text(without)
    empty(tmp_path / "mirror")
    result = init(version, tmp_path, env)
    assert result.returncode == 1
    assert "CONNECT registry.terraform.io:443 HTTP/1.1" in proxy.requests, proxy.requests


def can_unshare_the_network() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not can_unshare_the_network(), reason="needs root and unshare -n (CI runs as root)")
@pytest.mark.parametrize("version", VERSIONS)
def test_init_with_the_printed_config_needs_no_network_at_all(
    version: str, tmp_path: Path, proxy: RecordingProxy
) -> None:
    # A network namespace of its own: no interface but a down loopback. Whatever the proxy variables say.
    env = offline_env(tmp_path, proxy, tmp_path / "terraformrc")
    printed_config(tmp_path / "mirror", env)
    result = init(version, tmp_path, env, wrapper=("unshare", "-n"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "palette/oci" in (tmp_path / "work" / ".terraform.lock.hcl").read_text()
