"""What `pip install terraform-provider-oci` brings, with and without the `emulator` extra (issue 13).

The wheel is built from this checkout (hatchling, no build isolation: nothing is downloaded) and
installed with `--no-deps --no-index` into a fresh virtualenv. Its dependencies come from .venv, but
only those a plain install would bring: the closure of the wheel's own requirements (markers
evaluated without any extra) is linked into a directory the fresh virtualenv's site-packages names
in a .pth file. So the fresh environment holds exactly the provider and what it requires, as a
plain install from a package index would, in a few seconds and without a network.
"""

from __future__ import annotations

import email
import importlib.util
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from palette_emulator.__main__ import EXTRA_MODULES, INSTALL_HINT
from tests.harness.terraform import REPO

SERVER_DISTRIBUTIONS = {"starlette", "uvicorn", "jsonschema", "rfc3339-validator"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--no-index", "-w", str(out), str(REPO)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (built,) = out.glob("terraform_provider_oci-*.whl")
    return built


def wheel_requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        message = email.message_from_bytes(archive.read(name))
    return [Requirement(line) for line in message.get_all("Requires-Dist") or []]


def closure(requirements: list[Requirement], extra: str = "") -> set[str]:
    """The distributions (canonical names) a plain install of `requirements` brings, from .venv."""
    seen: set[str] = set()
    todo = [r for r in requirements if r.marker is None or r.marker.evaluate({"extra": extra})]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(requirement.name) or []:
            nested = Requirement(line)
            extras = requirement.extras or {""}
            if nested.marker is None or any(nested.marker.evaluate({"extra": e}) for e in extras):
                todo.append(nested)
    return seen


def top_level_entries(distribution: str) -> Iterator[Path]:
    """The files and packages a distribution put at the top of .venv's site-packages."""
    dist = metadata.distribution(distribution)
    for first in {Path(str(f)).parts[0] for f in dist.files or () if not Path(str(f)).is_absolute()}:
        path = Path(str(dist.locate_file(first)))
        if path.exists() and ".." not in Path(first).parts and path.name != "__pycache__":
            yield path


@pytest.fixture(scope="module")
def plain_install(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed as a plain `pip install` would; its bin directory."""
    root = tmp_path_factory.mktemp("plain-install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         "--disable-pip-version-check", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    deps = root / "deps"
    deps.mkdir()
    for distribution in closure(wheel_requirements(wheel)):
        for entry in top_level_entries(distribution):
            link = deps / entry.name
            if not link.exists():
                link.symlink_to(entry)
    (site_packages,) = venv.glob("lib/python*/site-packages")
    (site_packages / "_plain_install_deps.pth").write_text(f"{deps}\n")
    return venv / "bin"


def test_the_wheel_holds_the_provider_and_the_emulator_as_two_top_level_packages(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"provider", "palette_emulator"}
    assert not [name for name in names if name.startswith("provider/") and "emulator" in name]
    assert {"palette_emulator/__main__.py", "palette_emulator/swagger.json", "palette_emulator/FIDELITY.md"} <= set(
        names
    )
    assert "palette-emulator = palette_emulator.__main__:main" in scripts


def test_the_server_dependencies_are_in_the_emulator_extra_only(wheel: Path) -> None:
    requirements = wheel_requirements(wheel)

    def names(extra: str) -> set[str]:
        return {canonicalize_name(r.name) for r in requirements if r.marker and r.marker.evaluate({"extra": extra})}

    plain = {canonicalize_name(r.name) for r in requirements if r.marker is None}
    emulator, test = names("emulator"), names("test")
    assert not plain & SERVER_DISTRIBUTIONS
    assert emulator >= SERVER_DISTRIBUTIONS
    assert test >= emulator, "the test extra includes the emulator extra"
    assert not closure(requirements) & SERVER_DISTRIBUTIONS, "a dependency of a plain install brings the server"


def test_a_plain_install_runs_the_provider_without_the_server(plain_install: Path) -> None:
    probe = (
        "import importlib.util, sys\n"
        f"missing = [m for m in {EXTRA_MODULES!r} if importlib.util.find_spec(m) is None]\n"
        "import provider.plugin, provider.palette.client, provider.preflight.run\n"
        "print(','.join(missing), provider.plugin.__file__)\n"
    )
    result = subprocess.run(
        [str(plain_install / "python"), "-I", "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    missing, location = result.stdout.split()
    assert missing.split(",") == list(EXTRA_MODULES)
    assert str(plain_install.parent) in location  # the installed wheel, not this checkout
    version = subprocess.run(
        [str(plain_install / "terraform-provider-oci"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("terraform-provider-oci ")


def test_palette_emulator_without_the_extra_names_the_install_command(plain_install: Path) -> None:
    result = subprocess.run(
        [str(plain_install / "palette-emulator"), "--port", "0"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert INSTALL_HINT in result.stderr and "missing: starlette, uvicorn" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_extra_modules_are_the_extra_distributions() -> None:
    # EXTRA_MODULES (what palette-emulator checks) names one importable module per server distribution.
    assert {canonicalize_name(m.replace("_", "-")) for m in EXTRA_MODULES} == SERVER_DISTRIBUTIONS
    assert all(importlib.util.find_spec(m) for m in EXTRA_MODULES)  # the test extra brings them here
