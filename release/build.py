"""The self-contained provider package: a PyInstaller onedir bundle, zipped as Terraform expects.

    bundle = build_bundle(version, out_dir, work_dir)        # out_dir/terraform-provider-oci_v<version>/
    zip_path = package(bundle, version, "linux_amd64", out)  # terraform-provider-oci_<version>_linux_amd64.zip

The bundle is a directory holding the executable `terraform-provider-oci_v<version>` (the name
Terraform looks for) and `_internal/`: the Python interpreter, the standard library, the provider
and its dependencies (tf, grpcio, protobuf, httpx, pydantic, boto3/botocore with the ECR and STS
models, cryptography). onedir, not onefile: a one-file bundle unpacks itself into a temporary
directory at every start, and Terraform starts a provider 3-5 times per command.

Not in it: the emulator (`palette_emulator`) and what only it or the tests use (starlette,
uvicorn, jsonschema, moto, pytest, hypothesis); `check_excluded` proves it on the built bundle.

PyInstaller does not cross-compile: a machine builds the package of its own platform only
(`buildable`). The zip holds regular files only (no directory entries, symlinks stored as the
files they point to), in sorted order with a fixed time, so that its `h1:` hash over the zip
(dirhash.HashZip) equals the `h1:` Terraform computes over the unpacked directory (HashDir), and
the same bundle always zips to the same bytes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from provider.files import atomic_output, write_zip
from provider.launch.install import InstallError, executable_name, package_name, terraform_platform

REPO = Path(__file__).resolve().parent.parent
RELEASE = Path(__file__).resolve().parent
ENTRY = RELEASE / "entry.py"
HOOKS = RELEASE / "hooks"

# The platforms a release of palette/oci names, as Terraform spells them; each is built on a machine
# of its own (.github/workflows/release.yml runs one runner per platform).
TARGETS = ("linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64")
# Platforms Terraform runs on that no release names yet, and why: building there would be easy,
# running is not. The provider serves Terraform over a unix socket (provider/tfx/serving.py), its warm
# server forks and passes descriptors (SCM_RIGHTS), `install` writes a `#!/bin/sh` launcher, and no
# test here runs Terraform on such a machine.
NOT_SUPPORTED = {
    "windows_amd64": "not supported yet: the provider serves Terraform over a unix socket and has never run "
    "under Terraform on Windows, so no Windows package is built (use WSL2 and its linux_amd64 package)",
}

# Modules that must not be in the bundle: the emulator and what only the emulator or the tests use.
EXCLUDED = (
    "palette_emulator",
    "starlette",
    "uvicorn",
    "jsonschema",
    "jsonschema_specifications",
    "rfc3339_validator",
    "moto",
    "pytest",
    "_pytest",
    "hypothesis",
    "tests",
    "release",
    "PyInstaller",
    # The protobuf compiler, for scripts/gen-proto. grpc's __init__ imports it when it is installed, so
    # PyInstaller would follow it to pkg_resources, whose runtime hook then runs at every launch (~40 ms).
    "grpc_tools",
    "pkg_resources",
)
# Modules a dependency imports only for a feature the provider does not use: left out for size
# (~20 MB). pydantic's mypy plugin (and mypy with it), httpx's command line (click, rich, pygments),
# cryptography's SSH key support (bcrypt), dotenv's IPython magic.
TRIMMED = (
    "mypy",
    "pydantic.mypy",
    "ast_serialize",
    "librt",
    "bcrypt",
    "click",
    "rich",
    "pygments",
    "dotenv",
    "IPython",
    "tkinter",
)

# What every launch imports, collected as .pyc files in _internal/ rather than into the executable's
# compressed archive (PYZ): Python's own path finder loads them without PyInstaller's importer and
# zlib, which brings the bundle's start-up from ~1.15x to ~1.05x the virtualenv's (bench/RESULTS.md).
# grpc's hook (hooks/hook-grpc.py) sets the same for grpc.
ON_DISK = (
    "provider",
    "tf",
    "google.protobuf",
    "msgpack",
    "typing_extensions",
    "asyncio",
    "concurrent",
    "logging",
    "json",
    "urllib",
    "ssl",
    "socket",
    "selectors",
    "ipaddress",
    "datetime",
    "inspect",
    "ast",
    "dataclasses",
    "pickle",
    "textwrap",
    "tokenize",
    "pathlib",
    "subprocess",
    "tempfile",
    "threading",
)


class BuildError(Exception):
    """The bundle cannot be built or is not what it should be; the message says why."""


def buildable(targets: tuple[str, ...] = TARGETS) -> tuple[list[str], dict[str, str]]:
    """(the targets this machine can build, {other target: why not}), the unsupported ones included."""
    unsupported = {target: why for target, why in NOT_SUPPORTED.items() if target not in targets}
    try:
        host = terraform_platform()
    except InstallError as error:
        return [], {**{target: str(error) for target in targets}, **unsupported}
    why_not = (
        f"PyInstaller builds only for the platform it runs on (this machine is {host}: "
        f"{platform.system()} {platform.machine()}); run scripts/release on a {{target}} machine "
        "and add its zip with --add-package"
    )
    can = [target for target in targets if target == host]
    return can, {**{target: why_not.format(target=target) for target in targets if target != host}, **unsupported}


def provider_modules() -> list[str]:
    """Every module of the `provider` package (the emulator is a package of its own, `palette_emulator`):
    hidden imports, so that a module imported lazily (inside a function, by name) is in the bundle too."""
    modules = []
    for path in sorted((REPO / "provider").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def write_mode_hooks(directory: Path) -> Path:
    """One hook per ON_DISK module that sets its collection mode (modules whose hook is in HOOKS set it there)."""
    directory.mkdir(parents=True, exist_ok=True)
    for module in ON_DISK:
        if not (HOOKS / f"hook-{module}.py").exists():
            (directory / f"hook-{module}.py").write_text('module_collection_mode = "pyc"\n')
    return directory


def pyinstaller_args(version: str, out_dir: Path, work_dir: Path) -> list[str]:
    args = [
        "--noconfirm",
        "--onedir",
        "--console",
        "--log-level=WARN",
        f"--name={executable_name(version)}",
        f"--distpath={out_dir}",
        f"--workpath={work_dir}",
        f"--specpath={work_dir}",
        f"--paths={REPO}",
        f"--additional-hooks-dir={HOOKS}",
        f"--additional-hooks-dir={write_mode_hooks(work_dir / 'mode-hooks')}",
        "--noupx",
    ]
    args += [f"--hidden-import={module}" for module in provider_modules()]
    args += [f"--exclude-module={module}" for module in (*EXCLUDED, *TRIMMED)]
    return [*args, str(ENTRY)]


def build_bundle(version: str, out_dir: Path, work_dir: Path, python: str = sys.executable) -> Path:
    """Run PyInstaller with `python` (which has the provider's dependencies and PyInstaller installed);
    returns the bundle directory."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    command = [python, "-m", "PyInstaller", *pyinstaller_args(version, out_dir, work_dir)]
    completed = subprocess.run(command, cwd=work_dir, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BuildError(
            f"PyInstaller failed (exit {completed.returncode}); is it installed (pip install -e '.[release]')?\n"
            f"{completed.stdout}{completed.stderr}"
        )
    bundle = out_dir / executable_name(version)
    if not (bundle / executable_name(version)).is_file():
        raise BuildError(f"PyInstaller did not write {bundle / executable_name(version)}")
    return bundle


def check_bundle(bundle: Path, version: str) -> None:
    """Fail, saying what is wrong, unless `bundle` is a bundle directory of `version` as `build_bundle`
    writes it: named `terraform-provider-oci_v<version>` and holding the executable of that name."""
    name = executable_name(version)
    if not bundle.is_dir():
        raise BuildError(f"--bundle {bundle}: no such directory; give the directory PyInstaller wrote ({name}/)")
    if bundle.name != name:
        raise BuildError(
            f"--bundle {bundle}: a bundle of version {version} is a directory named {name} (holding the executable "
            f"{name}), not {bundle.name}; give that directory, or leave --bundle out to build one"
        )
    if not (bundle / name).is_file():
        raise BuildError(f"--bundle {bundle}: the executable {name} is missing from it; rebuild the bundle")


def bundled_modules(bundle: Path) -> set[str]:
    """The Python modules frozen into the bundle's executable (its PYZ archive)."""
    from PyInstaller.archive.readers import CArchiveReader

    archive = CArchiveReader(str(bundle / bundle.name))
    names = [name for name in archive.toc if name.endswith(".pyz") or name == "PYZ"]
    modules: set[str] = set()
    for name in names:
        modules.update(archive.open_embedded_archive(name).toc)
    return modules


def check_excluded(bundle: Path) -> None:
    """Fail when a module left out (EXCLUDED, TRIMMED) is frozen into the bundle or lies in it as files."""
    found = sorted(
        module
        for module in bundled_modules(bundle)
        if any(module == excluded or module.startswith(excluded + ".") for excluded in (*EXCLUDED, *TRIMMED))
    )
    internal = bundle / "_internal"
    found += sorted(
        str(path.relative_to(bundle))
        for excluded in (*EXCLUDED, *TRIMMED)
        for path in [internal / excluded.replace(".", "/")]
        if path.exists()
    )
    if found:
        raise BuildError(f"the bundle holds what it must not: {', '.join(found)}")


def _files(bundle: Path) -> Iterator[tuple[str, Path]]:
    """(slash-separated name in the package, path) for every file, symlinks followed."""
    for root, dirs, files in os.walk(bundle, followlinks=True):
        dirs.sort()
        for name in files:
            path = Path(root, name)
            yield path.relative_to(bundle).as_posix(), path


def package(bundle: Path, version: str, target: str, out_dir: Path) -> Path:
    """Zip the bundle as Terraform's provider package `terraform-provider-oci_<version>_<target>.zip`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    destination = out_dir / package_name(version, target)
    members = [(name, path, os.access(path, os.X_OK)) for name, path in _files(bundle)]
    with atomic_output(destination) as sink:
        write_zip(sink, members, compresslevel=6)  # level 6: 9 takes twice as long for ~1% of tens of MB
    return destination


def source_digest() -> str:
    """What the bundle is built from, as one hash: the provider's and this package's sources, the
    Python version and every installed distribution's version. Tests key their bundle cache on it."""
    digest = hashlib.sha256()
    digest.update(f"python {sys.version}\n".encode())
    sources = [REPO / "pyproject.toml", *sorted((REPO / "provider").rglob("*.py")), *sorted(RELEASE.rglob("*.py"))]
    for path in sources:  # not palette_emulator's: the bundle leaves it out
        digest.update(f"{path.relative_to(REPO)}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    installed = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    digest.update("\n".join(installed).encode())
    return digest.hexdigest()[:16]
