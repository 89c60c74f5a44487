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
