""".github/workflows/release.yml's `release` job, its `run:` steps as written, on this machine.

The job assembles what the `package` runners uploaded. Here the packages are two: the real bundle of
this machine (tests/harness/release.py, cached), zipped by `scripts/release --package-only` as a
runner does, and a small package the test makes for darwin_arm64 (no macOS here to build one). The
YAML is parsed and each `run:` step goes through `bash -eo pipefail` (a runner's default shell) in a
copy of the checkout, with the step's `env:` (its `${{ secrets.* }}`, `${{ vars.* }}` and
`${{ github.token }}` replaced by the test's values: a throw-away GPG key, without a passphrase and
with one),
GITHUB_ENV, RUNNER_TEMP and GITHUB_REF_NAME as a runner sets them. The `uses:` steps are stood in
for: the copy is the checkout, a fresh virtualenv's python is setup-python, the zips placed at
download-artifact's `path` are the download, and upload-artifact only has its `path` checked. `gh`
(GitHub's CLI, which publishes) is a stand-in on PATH that records its arguments: the shell expands
the step's file patterns, and the test checks what would be uploaded. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from provider.version import __version__
from release import build, layout
from tests.acceptance.test_ci_example import fresh_python, parse_env_file
from tests.harness.release import GpgKey, cached_bundle, throwaway_gpg_key
from tests.harness.terraform import REPO
from tests.unit.test_release_layout import fake_bundle

# Cold (the release workflow's steps on the bundle): tests/conftest.py
pytestmark = [pytest.mark.release, pytest.mark.cold]

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
STOOD_IN_FOR = ("actions/checkout@", "actions/setup-python@", "actions/download-artifact@", "actions/upload-artifact@")
OTHER_TARGET = "darwin_arm64"
PREFIX = f"terraform-provider-oci_{__version__}"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@pytest.fixture
def runner_temp() -> Iterator[Path]:
    """Short, under /tmp: gpg-agent puts its socket in the GnuPG home the job makes there."""
    path = Path(tempfile.mkdtemp(prefix="rt-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def checkout(destination: Path) -> Path:
    """The tree as a runner checks out a release tag: committed, HEAD tagged `v<version>` (scripts/release
    refuses an uncommitted tree, and a version CHANGELOG.md lists as released except at its tag)."""
    ignored = shutil.ignore_patterns(".venv", ".cache", ".git", "dist", "__pycache__", ".terraform*", "*.tfstate*")
    shutil.copytree(REPO, destination, ignore=ignored)
    identity = ["-c", "user.name=release test", "-c", "user.email=release@test.invalid"]
    for command in (
        ["init", "-q"],
        ["add", "-A"],
        [*identity, "commit", "-q", "-m", "release"],
        ["tag", f"v{__version__}"],
    ):
        subprocess.run(["git", *command], cwd=destination, check=True, capture_output=True, timeout=120)
    return destination


def step_env(step: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    """The step's `env:`, each `${{ ... }}` replaced from `values` (an unknown one fails the test)."""

    def value(match: re.Match[str]) -> str:
        assert match[1] in values, f"no stand-in for ${{{{ {match[1]} }}}}"
        return values[match[1]]

    return {name: EXPRESSION.sub(value, str(text)) for name, text in step.get("env", {}).items()}


def record_gh(bin_dir: Path, log: Path) -> None:
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >"{log}"\n')
    gh.chmod(0o755)


@pytest.mark.parametrize("passphrase", ["", "release passphrase"], ids=["no-passphrase", "passphrase"])
def test_the_release_job_assembles_signs_and_publishes_two_platforms(
    tmp_path: Path, runner_temp: Path, passphrase: str
) -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    job = jobs["release"]
    repo = checkout(tmp_path / "repo")
    bin_dir = fresh_python(tmp_path / "venv")  # setup-python
    # scripts/release makes .venv when missing; this one sees .venv's dependencies (PyInstaller, gpg's
    # caller): pip then installs only the checkout itself, as on a runner whose cache is warm.
    fresh_python(repo / ".venv")

    # What the package runners uploaded: this machine's real package made as they make it, and another.
    (download,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/download-artifact@")]
    # Where the job downloads them: under the runner's temporary directory, outside the checkout.
    packages = Path(str(download["with"]["path"]).replace("${{ runner.temp }}", str(runner_temp)))
    assert not packages.is_relative_to(repo)
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "release",
            "--package-only",
            "--snapshot",
            "--bundle",
            str(cached_bundle()),
            "--out",
            str(packages),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    (real,) = packages.glob("*.zip")
    (host,), _ = build.buildable()
    assert real.name == f"{PREFIX}_{host}.zip"
    other = build.package(fake_bundle(tmp_path / "other"), __version__, OTHER_TARGET, packages)

    gh_log = tmp_path / "gh-arguments"
    record_gh(tmp_path / "stand-ins", gh_log)
    github_env = tmp_path / "github-env"
    github_env.touch()
    with throwaway_gpg_key(passphrase=passphrase) as key:
        secret_key = key.gpg(
            *("--pinentry-mode", "loopback", "--passphrase", passphrase),
            *("--armor", "--export-secret-keys", key.email),
        )
        assert secret_key.returncode == 0 and "PRIVATE KEY" in secret_key.stdout, secret_key.stderr
        values = {
            "secrets.GPG_PRIVATE_KEY": secret_key.stdout,
            "secrets.GPG_PASSPHRASE": passphrase,
            "vars.GPG_KEY_ID": fingerprint(key),
            "github.token": "not-a-token",
        }
        env = {
            "PATH": os.pathsep.join([str(bin_dir), str(tmp_path / "stand-ins"), "/usr/bin", "/bin"]),
            "HOME": str(tmp_path / "home"),
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_ENV": str(github_env),
            "GITHUB_REF_NAME": f"v{__version__}",
        }
        for name in ("PIP_CONFIG_FILE", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
            if name in os.environ:
                env[name] = os.environ[name]
        failed: str | None = None
        ran = []
        for step in job["steps"]:
            if "uses" in step:
                assert step["uses"].startswith(STOOD_IN_FOR), f"no stand-in for {step['uses']}"
                if step["uses"].startswith("actions/upload-artifact@") and not failed:
                    assert (repo / step["with"]["path"]).exists()
                continue
            if failed and step.get("if") != "always()":
                continue
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=repo,
                env={**env, **parse_env_file(github_env), **step_env(step, values)},
                capture_output=True,
                text=True,
                timeout=600,
            )
            ran.append(step["name"])
            if result.returncode != 0 and failed is None:
                failed = f"step {step['name']!r} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        assert failed is None, failed
        assert ran[-1] == "Publish the GitHub release"

        release = repo / "dist" / "release"
        names = sorted(p.name for p in release.glob("*.zip"))
        assert names == sorted([real.name, other.name])
        assert (release / real.name).read_bytes() == real.read_bytes()
        sums = (release / f"{PREFIX}_SHA256SUMS").read_text()
        assert sorted(line.split("  ")[1] for line in sums.splitlines()) == sorted(
            [real.name, other.name, f"{PREFIX}_manifest.json"]
        )
        # The signature verifies with the published key alone, in an empty keyring.
        empty = tmp_path / "verify-home"
        empty.mkdir(mode=0o700)
        imported = key.gpg("--import", str(release / "signing-key.asc"), home=empty)
        assert imported.returncode == 0, imported.stderr
        verified = key.gpg(
            "--verify", str(release / f"{PREFIX}_SHA256SUMS.sig"), str(release / f"{PREFIX}_SHA256SUMS"), home=empty
        )
        assert verified.returncode == 0, verified.stderr
        subprocess.run(["gpgconf", "--homedir", str(empty), "--kill", "gpg-agent"], capture_output=True, timeout=30)
        mirror = (
            release / "network-mirror" / "registry.terraform.io" / "palette" / "oci" / f"{__version__}.json"
        ).read_text()
        assert host in mirror and OTHER_TARGET in mirror

    # What `gh release create` was given: the tag and every file a registry needs, nothing else.
    arguments = gh_log.read_text().splitlines()
    assert arguments[:3] == ["release", "create", f"v{__version__}"]
    uploaded = sorted(Path(a).name for a in arguments if a.startswith("dist/release/"))
    assert uploaded == sorted(
        [
            real.name,
            other.name,
            f"{PREFIX}_SHA256SUMS",
            f"{PREFIX}_SHA256SUMS.sig",
            f"{PREFIX}_manifest.json",
            "signing-key.asc",
        ]
    )
    # The signing key and its passphrase file are gone from the runner once the job ends.
    assert not (runner_temp / "gnupg").exists() and not (runner_temp / "gpg-passphrase").exists()


def fingerprint(key: GpgKey) -> str:
    listed = key.gpg("--with-colons", "--fingerprint", key.email)
    return next(line.split(":")[9] for line in listed.stdout.splitlines() if line.startswith("fpr:"))


def test_a_key_with_a_passphrase_and_none_given_or_a_wrong_one_says_what_to_give(tmp_path: Path) -> None:
    """gpg alone says "Inappropriate ioctl for device" (batch mode, it tried a terminal); real gpg, real key."""
    sums = tmp_path / "SHA256SUMS"
    sums.write_text("0" * 64 + "  x.zip\n")
    wrong = tmp_path / "wrong"
    wrong.write_text("not it")
    right = tmp_path / "right"
    right.write_text("release passphrase")
    with throwaway_gpg_key(passphrase="release passphrase") as key:
        with pytest.raises(
            layout.ReleaseError, match="The key has a passphrase: give it in a file with --gpg-passphrase-file"
        ):
            layout.Signer(key.email, key.home).sign(sums)
        with pytest.raises(layout.ReleaseError, match=f"The passphrase in {wrong} is not the key's"):
            layout.Signer(key.email, key.home, wrong).sign(sums)
        assert layout.Signer(key.email, key.home, right).sign(sums).is_file()


def test_the_package_job_builds_this_platforms_zip_as_written(tmp_path: Path) -> None:
    """The `package` job's `run:` steps for this machine's matrix row, in a copy of the checkout: a new
    .venv from setup-python's Python (the fresh virtualenv here), `pip install -e '.[release]'` into it
    by scripts/release, a PyInstaller build (no cache: this is what a runner does), and the check that
    the zip is the matrix's platform and the tag's version. About a minute."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["package"]
    (host,), _ = build.buildable()
    (row,) = [row for row in job["strategy"]["matrix"]["include"] if row["target"] == host]
    repo = checkout(tmp_path / "repo")
    bin_dir = fresh_python(tmp_path / "venv")
    env = {
        "PATH": os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]),
        "HOME": str(tmp_path / "home"),
        "GITHUB_REF_NAME": f"v{__version__}",
    }
    for name in ("PIP_CONFIG_FILE", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX"):
        if name in os.environ:
            env[name] = os.environ[name]
    for step in job["steps"]:
        if "uses" in step:
            assert step["uses"].startswith(STOOD_IN_FOR), f"no stand-in for {step['uses']}"
            if step["uses"].startswith("actions/upload-artifact@"):
                uploaded = sorted(p.name for p in repo.glob(step["with"]["path"]))
                assert uploaded == [f"{PREFIX}_{host}.zip"]
            continue
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repo,
            env={**env, **step_env(step, {"matrix.target": row["target"]})},
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert result.returncode == 0, f"step {step['name']!r} failed:\n{result.stdout}\n{result.stderr}"
