"""The warm server through real Terraform 1.0.3 and 1.15.5: what runs warm also runs cold.

The acceptance suite runs warm (tests/conftest.py: every launch through a `Workspace` is forked from
the session's warm server), so this module is where the cold path is proven alongside it: the full
lifecycle story of test_lifecycle.py (a basic-auth Helm registry on 1.0.3, ECR-keys Packs on 1.15.5)
runs here cold, each launch started by Terraform, and test_lifecycle.py runs the same story warm;
`test_acceptance_launches_are_forked_from_the_session_server` proves a non-cold acceptance test's
launches really are forked (the server counts them, none declined). Also a plan/apply/destroy
through the real mirror launcher that `terraform-provider-oci install` writes, warm, and the release
bundle's own warm server.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.startup import MAGIC_COOKIE, Samples, launch_once
from provider.launch import install
from tests.acceptance import test_lifecycle as lifecycle
from tests.acceptance.conftest import palette_env
from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator
from tests.harness.release import cached_bundle
from tests.harness.terraform import WARM_ENV, Workspace, terraform_binary
from tests.harness.warm import WarmServer, server_environment

COLD = pytest.mark.cold  # each test here says how it launches: its own server, or none


@pytest.fixture(scope="module")
def warm() -> Iterator[WarmServer]:
    with WarmServer() as server:
        yield server


@COLD
def test_full_story_cold(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    """test_lifecycle.py's full story for this version, every launch started cold by Terraform."""
    assert "PALETTE_OCI_WARM" not in workspace.env and "XDG_RUNTIME_DIR" not in workspace.env
    scenario = lifecycle.full_story_scenario(workspace.version)
    lifecycle.full_story(scenario, workspace, clean_emulator, parts)


def test_acceptance_launches_are_forked_from_the_session_server(workspace: Workspace, warm_session: WarmServer) -> None:
    """A test without the `cold` mark: its Workspace launches the provider from the session's server."""
    assert workspace.env["PALETTE_OCI_WARM"] == "1"
    assert workspace.env["XDG_RUNTIME_DIR"] == warm_session.env["XDG_RUNTIME_DIR"]
    before = warm_session.status()
    workspace.write(PROVIDER_BLOCK)
    workspace.run("validate", "-no-color")  # starts the provider (GetProviderSchema, ValidateProviderConfig)
    after = warm_session.status()
    assert after["launches"] > before["launches"], (before, after)
    assert after["declined"] == before["declined"], (before, after)  # none sent back cold


@COLD
def test_plan_apply_destroy_through_the_mirror_launcher(
    tf_version: str,
    tmp_path: Path,
    clean_emulator: Emulator,
    warm: WarmServer,
    parts: Parts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home, work, mirror = tmp_path / "home", tmp_path / "work", tmp_path / "mirror"
    for directory in (home, work):
        directory.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    installed = install.install(mirror, _version())
    cli_config = tmp_path / "terraform.rc"
    cli_config.write_text(install.cli_config(mirror))
    registry = parts.registry
    (work / "main.tf").write_text(
        'terraform {\n  required_providers {\n    oci = { source = "palette/oci" }\n  }\n}\n'
        f'resource "oci_registry_helm" "warm" {{\n  name     = "warm-1"\n  endpoint = "{registry.url}"\n'
        f'  basic_auth {{\n    username = "{registry.username}"\n    password = "{registry.password}"\n  }}\n}}\n'
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        **palette_env(clean_emulator),
        **warm.env,
    }

    def terraform(*args: str) -> str:
        result = subprocess.run(
            [str(terraform_binary(tf_version)), *args, "-no-color"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    terraform("init", "-input=false")
    assert installed.package.exists()
    before = warm.status()["launches"]
    assert "1 to add" in terraform("plan", "-input=false")
    terraform("apply", "-input=false", "-auto-approve")
    assert [r["name"] for r in clean_emulator.registries()] == ["warm-1"]
    assert re.search(r"No changes", terraform("plan", "-input=false"))
    terraform("destroy", "-input=false", "-auto-approve")
    assert clean_emulator.registries() == []
    # every launch of the launcher was forked from the warm server (Terraform 1.0.3: 3 + 4 + 3 + 5)
    assert warm.status()["launches"] - before >= 12
    # Terraform starts its launches in the server's execution context (the same rlimits, cgroup, ...):
    # none was sent cold.
    assert warm.status()["declined"] == 0


def _version() -> str:
    from provider.version import __version__

    return __version__


def test_the_session_server_reaches_every_workspace_of_a_warm_test(tmp_path: Path, tf_version: str) -> None:
    # tests/conftest.py fills WARM_ENV for a test without the `cold` mark; a Workspace built with no env takes it.
    assert Workspace(tmp_path / "plain", tf_version).env["PALETTE_OCI_WARM"] == "1"


@COLD
def test_a_cold_test_gets_no_warm_server(tmp_path: Path, tf_version: str) -> None:
    assert not WARM_ENV
    assert "PALETTE_OCI_WARM" not in Workspace(tmp_path / "plain", tf_version).env


# -- the release package (PyInstaller): its executable is not a Python (issue 21, item 4) ---------


@COLD
@pytest.mark.release
def test_the_release_bundle_runs_its_own_warm_server(tmp_path: Path) -> None:
    executable = cached_bundle() / install.executable_name(_version())
    runtime = Path(tempfile.mkdtemp(prefix="w", dir="/tmp"))  # short: a unix socket path has ~100 bytes
    env = {**server_environment(runtime), "HOME": str(tmp_path)}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(executable), *args], env={**env, **extra}, capture_output=True, text=True, timeout=120
        )

    def launches() -> list[int]:
        listed = run("warm", "--status").stdout
        return [int(n) for n in re.findall(r", (\d+) launches, idle", listed)]

    try:
        # Detached: it starts (it ran `<bundle> -I -c ...` and died), and Terraform's launches use it.
        started = run("warm", "--idle-timeout", "5m")
        assert started.returncode == 0 and "warm server started" in started.stdout, started.stdout + started.stderr
        launch_once([str(executable)], {**env, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE}, Samples())
        assert launches() == [1]
        assert run("warm", "--stop").returncode == 0 and launches() == []
        # In the foreground, from a shell whose environment holds a secret: it re-executes itself
        # with a clean environment (the bundle took that `-I` for an unknown command).
        foreground = subprocess.Popen(
            [str(executable), "warm", "--foreground"],
            env={**env, "PALETTE_API_KEY": "not-for-the-server"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert foreground.stdout is not None
        line = foreground.stdout.readline()
        assert "listening on" in line, line + foreground.communicate(timeout=30)[1]
        foreground.terminate()
        foreground.communicate(timeout=30)
        # PALETTE_OCI_WARM=1: the cold launch starts a server that lives, and the next launch uses it.
        first = {**env, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "PALETTE_OCI_WARM": "1"}
        launch_once([str(executable)], first, Samples())
        deadline = time.monotonic() + 60
        while not launches() and time.monotonic() < deadline:
            time.sleep(0.1)
        launch_once([str(executable)], first, Samples())
        assert launches() == [1]
    finally:
        run("warm", "--stop")
        shutil.rmtree(runtime, ignore_errors=True)


@COLD
@pytest.mark.release
def test_install_from_the_release_bundle_is_refused_with_what_to_use(tmp_path: Path) -> None:
    executable = cached_bundle() / install.executable_name(_version())
    config, mirror = tmp_path / "config", tmp_path / "mirror"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(config)}
    refused = subprocess.run(
        [str(executable), "install", "--dir", str(mirror)], env=env, capture_output=True, text=True, timeout=120
    )
    # It recorded the bundle as "the Python" and reported success; every later plan then failed.
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "terraform-provider-oci install: this is the release package's executable" in refused.stderr
    assert "filesystem-mirror/registry.terraform.io into a directory your CLI config names" in refused.stderr
    assert "exclude" in refused.stderr
    assert not (config / "terraform-provider-oci" / "python").exists() and not mirror.exists()
