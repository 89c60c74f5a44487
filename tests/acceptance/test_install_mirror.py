"""`terraform-provider-oci install` against real Terraform 1.0.3 and 1.15.5.

Each test runs Terraform with a temporary HOME, no inherited TF_* settings and every proxy
variable pointing at a closed port on 127.0.0.1: an attempt to reach a registry fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import provider.version
from provider.launch import install

# Cold (the mirror launcher and its failures are what a cold start runs): tests/conftest.py
pytestmark = pytest.mark.cold

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_CACHE = Path(os.environ.get("TERRAFORM_CACHE", REPO / ".cache" / "terraform"))
VERSIONS = ("1.0.3", "1.15.5")
CLOSED_PORT = "http://127.0.0.1:9"
MAIN_TF = 'terraform {\n  required_providers {\n    oci = { source = "palette/oci" }\n  }\n}\n'
CHECKSUM_ERROR = "doesn't match any of the checksums previously recorded in the dependency lock file"


@dataclass
class Terraform:
    """One Terraform build in a throw-away HOME, with a working directory holding main.tf."""

    binary: Path
    home: Path
    workdir: Path
    cli_config: Path | None = None

    def env(self) -> dict[str, str]:
        proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") and k.lower() not in proxies}
        env.update(
            HOME=str(self.home),
            TF_IN_AUTOMATION="1",
            CHECKPOINT_DISABLE="1",
            HTTPS_PROXY=CLOSED_PORT,
            HTTP_PROXY=CLOSED_PORT,
        )
        if self.cli_config:
            env["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), *args, "-no-color"],
            cwd=self.workdir,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def init(self, *args: str) -> str:
        result = self.run("init", *args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def fresh_init(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`init` as on another machine with the same lock file: no .terraform/ yet."""
        shutil.rmtree(self.workdir / ".terraform", ignore_errors=True)
        return self.run("init", *args)

    def locked(self) -> tuple[str, list[str]]:
        """The version and the hashes `.terraform.lock.hcl` records for palette/oci."""
        lock = (self.workdir / ".terraform.lock.hcl").read_text()
        block = re.search(r'provider "registry\.terraform\.io/palette/oci" \{(.*?)\n\}', lock, re.S)
        assert block, lock
        version = re.search(r'version\s*=\s*"([^"]+)"', block[1])
        assert version, lock
        return version[1], re.findall(r'"(h1:[^"]+)"', block[1])


@pytest.fixture(params=VERSIONS)
def terraform(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Terraform]:
    binary = TERRAFORM_CACHE / request.param / "terraform"
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run scripts/install-terraform")
    home = tmp_path / "home"
    workdir = tmp_path / "work"
    home.mkdir()
    workdir.mkdir()
    (workdir / "main.tf").write_text(MAIN_TF)
    monkeypatch.setenv("HOME", str(home))  # install's default directory follows HOME, like Terraform's
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)  # the interpreter record goes under HOME too
    yield Terraform(binary=binary, home=home, workdir=workdir)


def _install(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    """Run the `install` command; return its h1 hash and everything it printed."""
    assert install.main(list(argv)) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    (h1,) = re.findall(r"\((h1:[A-Za-z0-9+/]+=*)\)", printed)
    return h1, printed


def test_lock_records_the_printed_hash_and_catches_tampering(
    terraform: Terraform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    assert install.main(["--dir", str(mirror), "--print-config"]) == 0
    printed = capsys.readouterr()
    terraform.cli_config = tmp_path / "terraform.rc"
    terraform.cli_config.write_text(printed.out)  # the block alone is a whole CLI config
    (h1,) = re.findall(r"\((h1:[A-Za-z0-9+/]+=*)\)", printed.err)

    terraform.init()
    assert terraform.locked() == (provider.version.__version__, [h1])

    # Installing the same version again is a no-op for the lock file.
    again, printed_again = _install(capsys, "--dir", str(mirror))
    assert again == h1 and "Removed" not in printed_again
    assert terraform.fresh_init().returncode == 0, "the lock file's hash was not accepted"

    package = next((mirror / "registry.terraform.io/palette/oci").glob("*.zip"))
    with zipfile.ZipFile(package, "w") as tampered_zip:  # same name, other launcher
        tampered_zip.writestr(install.executable_name(provider.version.__version__), b"#!/bin/sh\nexit 1\n")
    tampered = terraform.fresh_init()
    assert tampered.returncode == 1
    assert CHECKSUM_ERROR in " ".join((tampered.stdout + tampered.stderr).split())


def test_default_directory_needs_no_cli_config(terraform: Terraform, capsys: pytest.CaptureFixture[str]) -> None:
    h1, printed = _install(capsys)
    assert str(terraform.home / ".terraform.d" / "plugins") in printed
    assert "terraform init" in printed

    terraform.init()
    assert terraform.locked() == (provider.version.__version__, [h1])
    assert terraform.fresh_init().returncode == 0

    # What Terraform unpacked is a runnable provider executable.
    version = provider.version.__version__
    (executable,) = (terraform.workdir / ".terraform" / "providers").rglob(f"terraform-provider-oci_v{version}")
    ran = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60)
    assert ran.stdout.strip() == f"terraform-provider-oci {version}", ran.stderr


def test_upgrade_replaces_the_old_version(
    terraform: Terraform, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(provider.version, "__version__", "0.0.9")
    old_h1, _ = _install(capsys)
    terraform.init()
    assert terraform.locked() == ("0.0.9", [old_h1])

    monkeypatch.setattr(provider.version, "__version__", "0.1.0")
    new_h1, printed = _install(capsys)
    assert "Removed " in printed and "terraform-provider-oci_0.0.9_" in printed
    provider_dir = terraform.home / ".terraform.d/plugins/registry.terraform.io/palette/oci"
    assert [p.name for p in provider_dir.iterdir()] == [
        f"terraform-provider-oci_0.1.0_{install.terraform_platform()}.zip"
    ]

    terraform.init("-upgrade")
    assert terraform.locked() == ("0.1.0", [new_h1])
    assert terraform.fresh_init().returncode == 0


def test_without_the_mirror_init_would_need_the_unreachable_registry(terraform: Terraform) -> None:
    # Proves the set-up above: the passing tests cannot have fetched palette/oci from anywhere else.
    failed = terraform.run("init")
    assert failed.returncode == 1
    assert "registry.terraform.io" in failed.stdout + failed.stderr


def test_concurrent_installs_with_one_home_all_succeed(terraform: Terraform) -> None:
    command = [sys.executable, "-m", "provider", "install"]
    runs = [
        subprocess.Popen(command, env=terraform.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(20)
    ]
    failures = [err for run in runs for _, err in [run.communicate(timeout=120)] if run.returncode]
    assert failures == []
    provider_dir = terraform.home / ".terraform.d/plugins/registry.terraform.io/palette/oci"
    version = provider.version.__version__
    assert [p.name for p in provider_dir.iterdir()] == [install.package_name(version, install.terraform_platform())]
    terraform.init()
    assert terraform.fresh_init().returncode == 0  # the lock file's hash is the package's


PLAN_TF = MAIN_TF + 'provider "oci" {}\n'


def _plan_output(terraform: Terraform, **env: str) -> str:
    """`terraform plan`'s exit code and output (Terraform's line wrapping undone)."""
    (terraform.workdir / "main.tf").write_text(PLAN_TF)
    result = subprocess.run(
        [str(terraform.binary), "plan", "-no-color", "-input=false"],
        cwd=terraform.workdir,
        env={**terraform.env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return f"{result.returncode} " + " ".join((result.stdout + result.stderr).split())


@pytest.mark.parametrize("broken", ["no-record", "deleted-python", "no-package", "other-version"])
def test_the_launchers_own_errors_reach_the_user(
    broken: str, terraform: Terraform, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Terraform shows the launcher's line as "Unrecognized remote plugin message: <line>" (1.15.5 under
    # "Failed to load plugin schemas", 1.0.3 under "Plugin reinitialization required").
    version = provider.version.__version__
    if broken == "other-version":  # the mirror holds 0.0.9's launcher; the Python has this version
        monkeypatch.setattr(provider.version, "__version__", "0.0.9")
    _install(capsys)
    terraform.init()
    record = install.python_record()
    expected = {
        "no-record": ["no Python installation is recorded in", "Fix: run 'terraform-provider-oci install'"],
        "deleted-python": [
            "the recorded Python /nonexistent/venv/bin/python is gone",
            "Fix: install the provider into a Python installation and run 'terraform-provider-oci install'",
        ],
        "no-package": [
            "cannot load the provider package (ModuleNotFoundError",
            "Fix: reinstall it into that Python, then run terraform-provider-oci install.",
        ],
        "other-version": [
            f"Terraform runs palette/oci 0.0.9 but {sys.executable} has version {version} installed",
            "Fix: run terraform-provider-oci install, then terraform init -upgrade.",
        ],
    }[broken]
    if broken == "no-record":
        record.unlink()
    elif broken == "deleted-python":
        record.write_text("/nonexistent/venv/bin/python\n")
    elif broken == "no-package":  # the virtualenv's base interpreter: no provider package there
        record.write_text(f"{getattr(sys, '_base_executable', '') or '/usr/bin/python3'}\n/nonexistent\n")

    output = _plan_output(terraform)
    assert output.startswith("1 ") and "Unrecognized remote plugin message" in output, output
    for words in expected:
        assert words in output, output


def test_a_pythonpath_with_another_provider_package_changes_nothing(
    terraform: Terraform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(capsys)
    terraform.init()
    decoy = tmp_path / "elsewhere" / "provider"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise SystemExit('decoy imported')\n")
    (terraform.workdir / "provider").mkdir()  # and one in the working directory
    (terraform.workdir / "provider" / "__init__.py").write_text("raise SystemExit('decoy imported')\n")
    output = _plan_output(terraform, PYTHONPATH=str(decoy.parent))
    assert output.startswith("0 ") and "decoy" not in output, output
