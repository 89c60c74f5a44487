"""The walkthroughs users start from, run end to end as a user runs them.

- `scripts/quickstart`, the command the README offers to try it: twice (it must be re-runnable), with no Terraform
  on PATH (so it installs 1.15.5 as on a fresh machine; scripts/test has cached it), reusing the
  .venv that scripts/test made; once with a failing step (the emulator must still be stopped); and
  once in a fresh clone, where it makes its own .venv with the package's declared dependencies only.
- `examples/ci/.github/workflows/terraform.yml`: its `run` steps, in order, in a copy of
  examples/ci, with the environment GitHub Actions gives them (job env, GITHUB_ENV, RUNNER_TEMP,
  the working directory). Only the `uses:` steps and the `pip install` step are left out: this
  test's virtualenv and Terraform 1.15.5 stand in for them.

Each run gets its own HOME, so the user's ~/.terraform.d is never touched, and its own cache
directory (QUICKSTART_CACHE), so a developer's .cache/quickstart is left alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness.terraform import REPO, terraform_binary

# Cold (the quick start installs and launches as a new user does): tests/conftest.py
pytestmark = pytest.mark.cold

QUICKSTART = REPO / "scripts" / "quickstart"
WORKFLOW = REPO / "examples" / "ci" / ".github" / "workflows" / "terraform.yml"
VENV_BIN = Path(sys.executable).parent  # terraform-provider-oci and palette-emulator
UID = re.compile(r"^[0-9a-f]{24}$")


def path_without_terraform() -> str:
    """PATH minus every directory holding a `terraform`, as on a machine that has none."""
    directories = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in directories if d and not (Path(d) / "terraform").exists())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stopped(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def run_quickstart(tmp_path: Path, script: Path = QUICKSTART, **env: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [str(script)],
        cwd=tmp_path,  # the script finds the repository by its own path
        env={
            "PATH": path_without_terraform(),
            "HOME": str(home),
            "QUICKSTART_CACHE": str(tmp_path / "cache"),
            "PALETTE_PROJECT": "No-Such-Project",  # the caller's Palette settings must not leak in
            **env,
        },
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
    )


def emulator_pid(output: str) -> int:
    found = re.search(r"^Listening on http://127\.0\.0\.1:\d+ \(pid (\d+),", output, re.MULTILINE)
    assert found, output
    return int(found.group(1))


def quickstart_outputs(cache: Path) -> dict[str, Any]:
    state = json.loads((cache / "work" / "terraform.tfstate").read_text())
    return dict(state["outputs"]["registries"]["value"])


def example_files() -> list[str]:
    return sorted(p.relative_to(REPO).as_posix() for p in (REPO / "examples" / "quickstart").rglob("*"))


def test_quickstart_runs_end_to_end_and_again(tmp_path: Path) -> None:
    files_before = example_files()

    for attempt in ("first", "second"):
        result = run_quickstart(tmp_path)
        output = result.stdout + result.stderr

        assert result.returncode == 0, f"{attempt} run:\n{output}"
        assert "Reusing .venv" in output, output  # the .venv of scripts/test, not a second install
        assert "No Terraform 1.0+ on PATH: installing 1.15.5" in output, output
        assert "Terraform v1.15.5" in output, output
        assert "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." in output, output
        second_plan = output.split("==> terraform plan -detailed-exitcode")[1]
        assert "No changes." in second_plan, output
        pid = emulator_pid(output)
        assert f"Stopped palette-emulator (pid {pid})." in output, output
        assert stopped(pid), f"palette-emulator (pid {pid}) is still running after the {attempt} run"

    registries = quickstart_outputs(tmp_path / "cache")
    assert sorted(registries) == ["quickstart-charts", "quickstart-packs", "quickstart-packs-ecr", "quickstart-zarf"]
    assert all(UID.match(r["id"]) for r in registries.values()), registries
    kinds = {name: (r["provider_type"], r["auth_type"], r["sync_status"]) for name, r in registries.items()}
    assert kinds == {
        "quickstart-charts": ("helm", "basic", "Completed"),
        "quickstart-packs": ("pack", "basic", "Completed"),
        "quickstart-packs-ecr": ("pack", "ecr", "Completed"),
        "quickstart-zarf": ("zarf", "basic", ""),  # Palette does not synchronize Zarf registries
    }
    assert "quickstart-password" not in output and "quickstart-secret-access-key" not in output
    assert example_files() == files_before  # Terraform ran in the cache, not in examples/
    assert not (tmp_path / "home" / ".terraform.d").exists()  # the user's plugin directory is untouched
    assert (tmp_path / "cache" / "work" / ".terraform.lock.hcl").exists()  # installed from the mirror


def test_quickstart_stops_the_emulator_when_a_step_fails(tmp_path: Path) -> None:
    failing_terraform = tmp_path / "terraform"
    failing_terraform.write_text(
        f'#!/bin/sh\n[ "$1" = apply ] && {{ echo "apply failed on purpose" >&2; exit 1; }}\n'
        f'exec {terraform_binary("1.15.5")} "$@"\n'
    )
    failing_terraform.chmod(failing_terraform.stat().st_mode | stat.S_IXUSR)

    result = run_quickstart(tmp_path, TERRAFORM=str(failing_terraform))
    output = result.stdout + result.stderr

    assert result.returncode == 1, output
    assert "apply failed on purpose" in output
    pid = emulator_pid(output)
    assert f"Stopped palette-emulator (pid {pid})." in output, output
    assert stopped(pid), f"palette-emulator (pid {pid}) is still running"


def test_quickstart_in_a_fresh_clone_makes_its_own_environment(tmp_path: Path) -> None:
    """As on a new machine: no .venv, so the script creates one with `pip install -e '.[emulator]'` (not the
    test extras).

    The dependencies the package declares must be enough: the dev .venv hides a missing one.
    """
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)], check=True, timeout=120)
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")

    result = run_quickstart(
        tmp_path,
        script=clone / "scripts" / "quickstart",
        QUICKSTART_CACHE=str(clone / ".cache" / "quickstart"),  # the default, spelled out
        TERRAFORM_CACHE=str(terraform_binary("1.15.5").parents[1]),  # what scripts/test installed
        PIP_CACHE_DIR=pip_cache,  # the new HOME would start with an empty download cache
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "Installed terraform-provider-oci[emulator] into .venv (editable)." in output, output
    assert "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." in output, output
    assert "No changes." in output.split("==> terraform plan -detailed-exitcode")[1], output
    assert stopped(emulator_pid(output))
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True)
    assert status.stdout == ""  # .venv and .cache are ignored; nothing else was written


# ---------------------------------------------------------------------------- the CI example


def workflow_job() -> dict[str, Any]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    return dict(job)


def installs_the_package(step: dict[str, Any]) -> bool:
    return "pip install" in step.get("run", "")


def read_github_env(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines steps append to $GITHUB_ENV (the workflow writes no multi-line values)."""
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_step(step: dict[str, Any], job: dict[str, Any], workspace: Path, env: dict[str, str]) -> str:
    """One `run` step as GitHub Actions runs it on Linux: bash -eo pipefail, in the working directory."""
    directory = step.get("working-directory") or job.get("defaults", {}).get("run", {}).get("working-directory", ".")
    script = workspace.parent / "step.sh"
    script.write_text(step["run"])
    completed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace / directory,
        env={**env, **read_github_env(Path(env["GITHUB_ENV"])), **step.get("env", {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    transcript = f"--- {step.get('name', step['run'])} -> {completed.returncode}\n{completed.stdout}{completed.stderr}"
    if completed.returncode != 0:
        raise AssertionError(transcript)
    return transcript


def test_the_ci_workflow_tests_the_module_against_the_emulator(tmp_path: Path) -> None:
    job = workflow_job()
    run_steps = [step for step in job["steps"] if "run" in step]
    assert sum(installs_the_package(step) for step in run_steps) == 1
    workspace = tmp_path / "repository"
    shutil.copytree(REPO / "examples" / "ci", workspace)
    (tmp_path / "home").mkdir()
    (tmp_path / "runner-temp").mkdir()
    terraform_dir = terraform_binary("1.15.5").parent  # what hashicorp/setup-terraform puts on PATH
    env = {
        "PATH": os.pathsep.join([str(terraform_dir), str(VENV_BIN), path_without_terraform()]),
        "HOME": str(tmp_path / "home"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_ENV": str(tmp_path / "github-env"),
        "GITHUB_WORKSPACE": str(workspace),
        "CHECKPOINT_DISABLE": "1",
        **{name: str(value) for name, value in job["env"].items()},
    }

    transcripts = []
    try:
        for step in run_steps:
            if not installs_the_package(step):
                transcripts.append(run_step(step, job, workspace, env))
    finally:
        pid = read_github_env(Path(env["GITHUB_ENV"])).get("EMULATOR_PID")
        if pid and alive(int(pid)):  # a failed step skipped the workflow's own stop step
            os.kill(int(pid), 15)
    log = "\n".join(transcripts)

    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in log, log
    assert "No changes." in log.split("--- A second plan shows no changes")[1], log
    assert stopped(int(read_github_env(Path(env["GITHUB_ENV"]))["EMULATOR_PID"]))
    state = json.loads((workspace / "test" / "terraform.tfstate").read_text())
    assert sorted(state["outputs"]["registry_ids"]["value"]) == ["team-a-charts", "team-a-packs", "team-a-zarf"]
    assert state["outputs"]["sync_status"]["value"] == {"team-a-charts": "Completed", "team-a-packs": "Completed"}
    # `install` wrote the job's own mirror and a CLI config that keeps palette/oci off the public registry.
    assert (tmp_path / "runner-temp" / "plugins" / "registry.terraform.io" / "palette" / "oci").is_dir()
    assert not (tmp_path / "home" / ".terraform.d").exists()
    config = read_github_env(Path(env["GITHUB_ENV"]))["TF_CLI_CONFIG_FILE"]
    assert 'exclude = ["registry.terraform.io/palette/oci"]' in Path(config).read_text()
