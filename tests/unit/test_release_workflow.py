""".github/workflows/release.yml: actionlint passes it, its matrix is the platforms a release names,
and scripts/release's modes for it (`--package-only` on each runner, `--no-build` to assemble) refuse
what they cannot do. tests/acceptance/test_release_assembly.py runs the assembly job's commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from release import build
from release.__main__ import _parser, main, usage_problem

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
ACTIONLINT = Path(sys.executable).with_name("actionlint")  # the test extra's wheel installs it beside python


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.is_file(), "actionlint is missing: pip install -e '.[test]'"
    return subprocess.run([str(ACTIONLINT), "-color=false", str(path)], capture_output=True, text=True, timeout=60)


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return loaded


def test_the_release_workflow_passes_actionlint() -> None:
    linted = actionlint(WORKFLOW)
    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (("runner: macos-15\n", "runner: macos-15-arm\n"), 'label "macos-15-arm" is unknown'),
        (("${{ matrix.target }}\n", "${{ matrix.platform }}\n"), 'property "platform" is not defined'),
    ],
)
def test_actionlint_finds_a_broken_copy(tmp_path: Path, change: tuple[str, str], finding: str) -> None:
    """The check above can fail: a wrong runner label and a matrix typo are found."""
    text = WORKFLOW.read_text()
    assert change[0] in text
    broken = tmp_path / "release.yml"
    broken.write_text(text.replace(change[0], change[1], 1))
    linted = actionlint(broken)
    assert linted.returncode == 1 and finding in linted.stdout, linted.stdout


def test_a_tag_starts_it_and_the_matrix_is_every_platform_a_release_names() -> None:
    document = workflow()
    assert document[True]["push"] == {"tags": ["v*"]}  # YAML 1.1 reads the key `on` as True
    matrix = document["jobs"]["package"]["strategy"]["matrix"]["include"]
    assert sorted(row["target"] for row in matrix) == sorted(build.TARGETS)
    assert len({row["runner"] for row in matrix}) == len(matrix)  # one runner per platform
    assert "windows_amd64" not in build.TARGETS and "windows_amd64" in build.NOT_SUPPORTED
    assert document["jobs"]["release"]["needs"] == "package"
    steps = [step.get("run", "") for step in document["jobs"]["package"]["steps"]]
    assert any("scripts/release --package-only" in run for run in steps)


def test_windows_is_named_as_not_supported_not_as_another_machine_to_build_on() -> None:
    _, cannot = build.buildable()
    assert cannot["windows_amd64"].startswith("not supported yet: ")
    assert "run scripts/release on a windows_amd64 machine" not in cannot["windows_amd64"]


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--package-only"], None),
        (["--package-only", "--add-package", "x.zip"], "--package-only builds one zip"),
        (["--package-only", "--gpg-key", "k"], "--package-only builds one zip"),
        (["--no-build", "--gpg-key", "k", "--add-package", "x.zip"], None),
        (["--no-build", "--gpg-key", "k"], "--no-build releases the --add-package zips"),
        (["--no-build", "--unsigned", "--add-package", "x.zip", "--bundle", "b"], "--bundle has no use"),
        (["--add-package", "x.zip"], "give --gpg-key"),
    ],
)
def test_release_options(argv: list[str], problem: str | None) -> None:
    found = usage_problem(_parser().parse_args(argv))
    assert found == problem if problem is None else found is not None and problem in found


def test_package_only_and_no_build_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--package-only", "--no-build"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_no_build_builds_nothing_and_releases_the_zips_it_is_given(tmp_path: Path) -> None:
    from provider.version import __version__ as version
    from tests.unit.test_release_layout import fake_bundle

    zipped = build.package(fake_bundle(tmp_path), version, "darwin_arm64", tmp_path / "zips")
    code = main(
        ["--no-build", "--unsigned", "--snapshot", "--out", str(tmp_path / "out"), "--add-package", str(zipped)]
    )
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.zip")) == [zipped.name]
