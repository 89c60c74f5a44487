"""examples/ci runs as written: its GitHub Actions workflow's steps, in order, on this machine.

No GitHub: the YAML is parsed and each `run:` step goes through `bash -eo pipefail` in a copy of
examples/ci, in the step's working directory, with the job's environment, GITHUB_ENV and
RUNNER_TEMP as a runner provides them. The `uses:` steps are stood in for: the copy is the checkout,
a fresh virtualenv's python is setup-python, Terraform 1.15.5 on PATH is setup-terraform. The one
substitution is PROVIDER_SOURCE: this checkout's file:// URL instead of the git URL (pip builds both the
same way).
The fresh virtualenv sees the project's dependencies from .venv (no download), not the provider:
that comes from the install step, as on a runner. Nothing here talks to more than 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness.terraform import REPO, terraform_binary

# Cold (examples/ci installs and launches as a runner does): tests/conftest.py
pytestmark = pytest.mark.cold

WORKFLOW = REPO / "examples" / "ci" / ".github" / "workflows" / "terraform.yml"
STOOD_IN_FOR = ("actions/checkout@", "actions/setup-python@", "hashicorp/setup-terraform@")


def fresh_python(directory: Path) -> Path:
    """A virtualenv whose python sees .venv's dependencies but not the provider itself."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    (site_packages,) = directory.glob("lib/python*/site-packages")
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (site_packages / "_ci_example_deps.pth").write_text("\n".join(deps) + "\n")
    # pip itself from .venv, run by the fresh interpreter: `python -m pip` installs into the fresh one.
    return directory / "bin"


def parse_env_file(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_the_ci_example_workflow_runs_as_written(tmp_path: Path) -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "examples" / "ci", repo)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_env = tmp_path / "github-env"
    github_env.touch()
    bin_dir = fresh_python(tmp_path / "venv")
    env: dict[str, Any] = {
        "PATH": os.pathsep.join([str(bin_dir), str(terraform_binary("1.15.5").parent), "/usr/bin", "/bin"]),
        "HOME": str(tmp_path / "home"),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ENV": str(github_env),
        "CHECKPOINT_DISABLE": "1",
        **{k: str(v) for k, v in job["env"].items()},
        "PROVIDER_SOURCE": REPO.as_uri(),  # the checkout instead of the git URL
    }
    for name in ("PIP_CONFIG_FILE", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        if name in os.environ:
            env[name] = os.environ[name]
    default_dir = job.get("defaults", {}).get("run", {}).get("working-directory", ".")

    failed: str | None = None
    ran = []
    for step in job["steps"]:
        if "uses" in step:
            assert step["uses"].startswith(STOOD_IN_FOR), f"no stand-in for {step['uses']}"
            continue
        if failed and step.get("if") != "always()":
            continue
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repo / step.get("working-directory", default_dir),
            env={**env, **parse_env_file(github_env)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        ran.append(step["name"])
        if result.returncode != 0 and failed is None:
            failed = f"step {step['name']!r} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    assert failed is None, failed
    assert (bin_dir / "terraform-provider-oci").exists()  # installed by the workflow's step, not the test
    (install,) = [s["run"] for s in job["steps"] if s.get("name") == "Install the provider and palette-emulator"]
    assert "terraform-provider-oci[emulator] @" in install  # the emulator is an extra (issue 13)
    assert ran[-2:] == ["A second plan shows no changes", "Stop palette-emulator"]
