"""scripts/release refuses a released version and an uncommitted tree; the version is written once."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provider.version import __version__
from release.checks import already_released, released_versions, uncommitted

REPO = Path(__file__).resolve().parents[2]
CHANGELOG = """# Changelog

## 0.3.0 (Unreleased)

* provider: `project` is gone.

## 0.2.0-rc.1 - 2026-12-01

## [0.1.0] - 2026-11-26

### 0.9.9 is a sub-heading, not a release
"""


def test_the_released_versions_are_the_level_two_headings_but_unreleased() -> None:
    assert released_versions(CHANGELOG) == ["0.2.0-rc.1", "0.1.0"]
    assert released_versions("## 0.2.0 (December 6, 2026)\n") == ["0.2.0"]


def test_a_released_version_is_refused_unless_head_is_its_tag() -> None:
    refused = already_released("0.1.0", CHANGELOG, [])
    assert refused is not None
    assert "0.1.0 is already released" in refused and "provider/version.py" in refused
    assert already_released("0.1.0", CHANGELOG, ["v0.1.0"]) is None  # each platform builds the tag
    assert already_released("0.2.0", CHANGELOG, []) is None
    assert already_released("0.9.9", CHANGELOG, []) is None
    assert already_released("0.3.0", CHANGELOG, []) is None  # "(Unreleased)" is the next version


def test_an_uncommitted_tree_is_refused_naming_the_files() -> None:
    assert uncommitted("") is None
    refused = uncommitted(" M provider/plugin.py\n?? notes.txt\n")
    assert refused is not None
    assert "provider/plugin.py, notes.txt" in refused and "uncommitted" in refused
    many = uncommitted("".join(f"?? f{i}\n" for i in range(8)))
    assert many is not None and "and 3 more" in many


# A user's copy of these pins the release it installs: each must name this version (bump it with
# provider/version.py), and no other file may write the version at all.
PINS = {"examples/ci/.github/workflows/terraform.yml": ("@v{v}", "terraform_provider_oci-{v}-py3")}


def test_the_version_is_semantic_and_written_in_one_place() -> None:
    """provider/version.py is the one file hatch reads for the package's version; every other part
    (the User-Agent, --version, install, the mirror, scripts/release) imports it. A second literal
    would go stale at the next bump; the examples' pins follow it."""
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?", __version__), __version__
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'path = "provider/version.py"' in pyproject
    tracked = subprocess.run(
        ["git", "ls-files", "README.md", "CONTRIBUTING.md", "provider", "release", "scripts", "examples", "docs",
         "templates", ".ci"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    literal = re.compile(rf"(?<![\d.]){re.escape(__version__)}(?![\d])")
    found = [
        name
        for name in tracked
        if name != "provider/version.py"
        and name not in PINS
        and (REPO / name).is_file()
        and literal.search((REPO / name).read_text(errors="replace"))
    ]
    assert found == [], f"{__version__} is written outside provider/version.py in {found}"
    for name, pins in PINS.items():
        text = (REPO / name).read_text()
        for pin in pins:
            assert pin.format(v=__version__) in text, f"{name}: bump its pin {pin} to {__version__}"


# -- scripts/release's program, end to end, in a copy of this checkout committed in a fresh repository --


def _git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    copy.mkdir()
    for part in ("provider", "release"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("CHANGELOG.md", "pyproject.toml", "terraform-registry-manifest.json"):
        shutil.copy2(REPO / name, copy / name)
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "commit", "-q", "-m", "copy")
    return copy


def _release(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # `-m` puts the working directory first on sys.path: the copy's release/ and provider/ run, and
    # release.build.REPO is the copy.
    command = [sys.executable, "-m", "release", "--unsigned", "--out", str(checkout / "out"), *args]
    return subprocess.run(command, cwd=checkout, capture_output=True, text=True, timeout=120)


def test_scripts_release_refuses_an_uncommitted_tree_and_a_released_version(checkout: Path) -> None:
    (checkout / "stray.txt").write_text("not committed\n")
    dirty = _release(checkout)
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    assert "refused: the working tree has uncommitted changes (stray.txt)" in dirty.stderr, dirty.stderr
    assert "building" not in dirty.stdout and "Traceback" not in dirty.stderr
    (checkout / "stray.txt").unlink()

    changelog = checkout / "CHANGELOG.md"
    unreleased = f"## {__version__} (Unreleased)"
    assert unreleased in changelog.read_text()
    changelog.write_text(changelog.read_text().replace(unreleased, f"## {__version__} (December 6, 2026)", 1))
    _git(checkout, "commit", "-q", "-am", "release")
    released = _release(checkout)
    assert released.returncode == 1, released.stdout + released.stderr
    assert f"refused: version {__version__} is already released" in released.stderr, released.stderr
    assert "uncommitted" not in released.stderr and not (checkout / "out").exists()

    # At the release's own tag the checks pass and the build goes on (here to the missing bundle).
    _git(checkout, "tag", f"v{__version__}")
    tagged = _release(checkout, "--bundle", str(checkout / "missing"))
    assert "refused" not in tagged.stderr, tagged.stderr
    assert "--bundle" in tagged.stderr and tagged.returncode == 1
