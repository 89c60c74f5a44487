"""Pins where the emulator subclasses another library's internals (issue 13).

`palette_emulator.faults.DropCapableH11Protocol` subclasses uvicorn's H11Protocol, which is not a
public API: pyproject.toml bounds uvicorn below the next major, and this test fails when the
installed uvicorn is of a major the subclass was not tested with. On a new major: run the emulator
tests (tests/emulator/test_faults.py drops connections through the subclass), then raise
UVICORN_TESTED_MAJOR and the bound together."""

from __future__ import annotations

import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.version import Version

from palette_emulator.faults import UVICORN_TESTED_MAJOR
from tests.harness.terraform import REPO


def pinned(name: str) -> Requirement:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    requirements = [*project["dependencies"], *(r for extra in extras for r in extra)]
    (requirement,) = [Requirement(r) for r in requirements if Requirement(r).name == name]
    return requirement


def test_uvicorn_is_bounded_below_the_next_major_in_pyproject() -> None:
    specifier = pinned("uvicorn").specifier
    bounds = [Version(spec.version) for spec in specifier if spec.operator == "<"]
    next_major = UVICORN_TESTED_MAJOR + 1
    assert bounds == [Version(f"{next_major}")], f"uvicorn{specifier}: bound it <{next_major}"


def test_the_installed_uvicorn_is_of_the_major_the_subclass_was_tested_with() -> None:
    installed = Version(metadata.version("uvicorn"))
    assert installed.major <= UVICORN_TESTED_MAJOR, (
        f"uvicorn {installed} is installed; DropCapableH11Protocol was tested with uvicorn {UVICORN_TESTED_MAJOR}.x"
    )
    assert installed in pinned("uvicorn").specifier
