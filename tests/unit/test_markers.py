"""Every test folder has its markers (tests/conftest.py FOLDER_MARKERS), and every marker used there is
registered in pyproject.toml: a new folder without markers would silently fall out of `--fast` and `-m`."""

from __future__ import annotations

import tomllib

from tests.conftest import FOLDER_MARKERS, TESTS
from tests.harness.terraform import REPO


def test_every_folder_holding_tests_has_markers() -> None:
    folders = {path.relative_to(TESTS).parts[0] for path in TESTS.rglob("test_*.py")}
    assert folders - FOLDER_MARKERS.keys() == set()


def test_every_marker_is_registered() -> None:
    registered = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    names = {line.split(":")[0] for line in registered}
    assert {marker for markers in FOLDER_MARKERS.values() for marker in markers} <= names


class FakeItem:
    """What `runs_warm` reads of a test: its marks."""

    def __init__(self, *marks: str) -> None:
        self.marks = set(marks)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.marks else None


def test_acceptance_runs_warm_unless_cold_or_switched_off() -> None:
    from tests.conftest import runs_warm

    assert runs_warm(FakeItem("acceptance", "slow"), None)
    assert not runs_warm(FakeItem("acceptance", "cold"), None)
    assert not runs_warm(FakeItem("reliability"), None)
    assert not runs_warm(FakeItem("acceptance"), "0")
    assert runs_warm(FakeItem("reliability"), "1")
    assert not runs_warm(FakeItem("reliability", "cold"), "1")


def test_the_release_stage_key_covers_which_tests_and_their_files(tmp_path, monkeypatch) -> None:
    from tests.harness import release

    monkeypatch.setattr(release, "PASSED", tmp_path / "passed")
    monkeypatch.setattr(release, "source_digest", lambda: "digest-a")
    ids = ["tests/acceptance/test_release_mirror.py::test_a", "tests/acceptance/test_warm.py::test_b[tf1.0.3]"]
    key = release.release_stage_key(ids)
    assert release.release_stage_key(list(reversed(ids))) == key  # the order xdist reports them in is no matter
    assert release.release_stage_key(ids[:1]) != key  # some of them never stand for all
    assert not release.release_stage_passed(key)
    release.record_release_stage(key)
    assert release.release_stage_passed(key)
    monkeypatch.setattr(release, "source_digest", lambda: "digest-b")  # the bundle's sources changed
    assert release.release_stage_key(ids) != key
