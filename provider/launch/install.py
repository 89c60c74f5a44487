"""`terraform-provider-oci install`: a Terraform filesystem mirror holding this provider.

Terraform installs `palette/oci` from the mirror with a plain `terraform init` (no registry, no
dev_overrides) and records the package's `h1:` hash in `.terraform.lock.hcl`. The hash must be the
one Terraform computes itself, or the next `init` rejects the package: Go's dirhash "Hash1" over
the files inside the package (see `hash1`).

The package is a zip in the mirror's *packed* layout,
    DIR/registry.terraform.io/palette/oci/terraform-provider-oci_VERSION_OS_ARCH.zip
holding one file, a launcher that execs the Python interpreter that ran this command, recorded in
~/.config/terraform-provider-oci/python. The launcher carries the installed package's identity, a hash
of its files (`provider.identity`), so its bytes, hence the `h1:` hash a lock file records, are the
same for the same code and differ for any other code of the same version: a lock file made on one
developer's machine verifies that code, not a version label. Teams use the release package, whose
hashes are the same everywhere. The launcher runs Python isolated (`-I`: no PYTHONPATH, no user site,
not the working directory), checks that the package it finds is the version and the code it was
installed from, and reports its own failures as one line on stdout, the one
place Terraform shows before the plugin handshake (go-plugin: "Unrecognized remote plugin
message: <line>"; stderr is only logged at TF_LOG=debug). Both layouts
get the same, correct hash from Terraform 1.0.3 and 1.15.5; the packed one is chosen because
`init` unpacks a copy into each working directory's .terraform/ (an unpacked mirror directory is
symlinked instead), so replacing a version in the mirror never breaks initialised directories,
and a single file can be replaced atomically.

`install` is safe to run concurrently (CI jobs sharing a HOME): one lock (fcntl) in the config
directory, unique temporary names, atomic renames. The Python record is written before the mirror
is touched, so a failure leaves the record alone, or the record and the mirror in step, never a
package whose launcher finds no Python.

Standard library only: this module is imported by the `install` command alone.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import platform
import re
import shutil
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from provider.files import lock, package_site, write_atomically, write_zip

HOSTNAME = "registry.terraform.io"
NAMESPACE = "palette"
TYPE = "oci"
SOURCE = f"{HOSTNAME}/{NAMESPACE}/{TYPE}"

# Go's names for the platforms Terraform runs on (GOOS from sys.platform, GOARCH from the machine).
_GOOS = {"linux": "linux", "darwin": "darwin", "freebsd": "freebsd", "openbsd": "openbsd"}
_GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "armv6l": "arm",
    "armv7l": "arm",
}

_SEMVER = re.compile(r"\d+\.\d+\.\d+")
_PACKED_NAME = re.compile(rf"terraform-provider-{TYPE}_(?P<version>[^_]+)_(?P<platform>[^_]+_[^_]+)\.zip")


class InstallError(Exception):
    """The mirror cannot be written; the message says why and what to do."""


# `install` writes a launcher that runs a Python installation; the release package's executable
# (PyInstaller) is none: recorded as one, every launch would fail.
FROZEN = (
    "this is the release package's executable, which needs no install and is not a Python installation "
    "the mirror's launcher could run. Use the release's filesystem mirror instead: copy "
    "filesystem-mirror/registry.terraform.io into a directory your CLI config names in a filesystem_mirror "
    'block, with direct { exclude = ["registry.terraform.io/palette/oci"] } so that no runner asks the public '
    "registry for it; or let terraform init take the package from your network mirror. Nothing was written"
)


@dataclass(frozen=True)
class Installed:
    """What `install` wrote and what it removed."""

    package: Path
    h1: str
    removed: list[Path] = field(default_factory=list)


def default_mirror_dir() -> Path:
    """The implied local mirror Terraform searches on every Unix without any CLI config."""
    return Path.home() / ".terraform.d" / "plugins"


def terraform_platform() -> str:
    """This machine as Terraform names it: `linux_amd64`, `darwin_arm64`..."""
    goos = next((name for prefix, name in _GOOS.items() if sys.platform.startswith(prefix)), None)
    goarch = _GOARCH.get(platform.machine().lower())
    if goos is None or goarch is None:
        raise InstallError(
            f"install supports Linux, macOS and BSD on amd64/arm64/386/arm, not {sys.platform} "
            f"{platform.machine()}; point Terraform at the provider with dev_overrides instead"
        )
    return f"{goos}_{goarch}"


def hash1(files: Iterable[tuple[str, bytes]]) -> str:
    """Go's `dirhash.Hash1`: sha256 over "sha256hex  name\\n" lines sorted by name, base64, "h1:".

    Names are slash-separated paths relative to the package root. Python sorts str by code point,
    which is the byte order of their UTF-8 encoding, the order Go's sort.Strings uses.
    """
    summary = hashlib.sha256()
    for name, content in sorted(files):
        if "\n" in name:
            raise InstallError(f"file name {name!r} contains a newline, which h1 hashes cannot express")
        summary.update(f"{hashlib.sha256(content).hexdigest()}  {name}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode("ascii")


def hash_zip(archive: Path) -> str:
    """`dirhash.HashZip` with Hash1: every entry of the zip counts, directory entries included."""
    with zipfile.ZipFile(archive) as zf:
        return hash1((info.filename, zf.read(info)) for info in zf.infolist())


def executable_name(version: str) -> str:
    return f"terraform-provider-{TYPE}_v{version}"


def package_name(version: str, target: str) -> str:
    return f"terraform-provider-{TYPE}_{version}_{target}.zip"


# The provider executable in the package. Its bytes depend on the version and the code's identity
# only, never on this machine, so the `h1:` hash a lock file records holds wherever the same code is
# installed; the machine's own part, the Python installation that runs the provider (and the
# directory its package is in), is read from the record when Terraform starts it. Every failure is
# one line on stdout, so that Terraform shows it; no line may hold three "|" (go-plugin would read
# it as a handshake). After that line the launcher waits a second before exiting (Terraform kills it
# at once anyway): the
# go-plugin in Terraform before 1.5 reads stdout through a pipe that its Wait closes when the process
# exits, so a launcher that exits at once can lose the line, and the user sees an empty "Unrecognized
# remote plugin message:" or "plugin exited before we could connect" instead of the fix.
_LAUNCHER = """#!/bin/sh
# palette/oci @VERSION@: runs the Python installation that `terraform-provider-oci install` recorded
# (or $TERRAFORM_PROVIDER_OCI_PYTHON), isolated (-I) from PYTHONPATH and the working directory, if its
# provider package is the code installed (identity: a hash of the package's files).
# Failures are one line on stdout: Terraform shows it ("Unrecognized remote plugin message").
version=@VERSION@
identity=@IDENTITY@
config_home="${XDG_CONFIG_HOME:-}"
case "$config_home" in /*) ;; *) config_home="$HOME/.config" ;; esac  # relative XDG paths are ignored
record="$config_home/terraform-provider-oci/python"
python="${TERRAFORM_PROVIDER_OCI_PYTHON:-}"
site=
if [ -z "$python" ] && [ -f "$record" ]; then
  { IFS= read -r python; IFS= read -r site; } < "$record"
fi
if [ -z "$python" ]; then
  echo "terraform-provider-oci $version: no Python installation is recorded in $record." \
    "Fix: run 'terraform-provider-oci install' with the Python that has the provider installed."
  [ -t 1 ] || sleep 1
  exit 1
fi
if [ ! -x "$python" ]; then
  echo "terraform-provider-oci $version: the recorded Python $python is gone (recorded in $record)." \
    "Fix: install the provider into a Python installation and run 'terraform-provider-oci install' from it."
  [ -t 1 ] || sleep 1
  exit 1
fi
boot='
import sys
want, identity, site = sys.argv[1:4]
del sys.argv[1:4]
if site and site not in sys.path:
    sys.path.append(site)
def fail(problem):
    print(f"terraform-provider-oci {want}: {problem}".replace("\\n", " "), flush=True)
    if not sys.stdout.isatty():
        import time
        time.sleep(1)
    sys.exit(1)
try:
    from provider.version import __version__ as have
except Exception as exc:
    fail(f"{sys.executable} cannot load the provider package ({type(exc).__name__}: {exc}). "
         "Fix: reinstall it into that Python, then run terraform-provider-oci install.")
if have != want:
    fail(f"Terraform runs palette/oci {want} but {sys.executable} has version {have} installed. "
         "Fix: run terraform-provider-oci install, then terraform init -upgrade.")
from provider.identity import installed_identity
if installed_identity() != identity:
    import provider
    fail(f"Terraform runs palette/oci {want} installed from other code: the provider package in "
         f"{provider.__path__[0]} changed since terraform-provider-oci install, and the hash a lock file "
         "records names the code installed. Fix: run terraform-provider-oci install, delete the "
         "registry.terraform.io/palette/oci block from .terraform.lock.hcl, then run terraform init.")
from provider.__main__ import main
sys.exit(main())
'
exec "$python" -I -c "$boot" "$version" "$identity" "$site" "$@"
"""


def launcher(version: str, identity: str | None = None) -> bytes:
    """The provider executable of `version` for the code whose identity is given (default: this
    package's): the same bytes on every machine for the same code."""
    from provider.identity import installed_identity

    code = identity or installed_identity()
    return _LAUNCHER.replace("@VERSION@", version).replace("@IDENTITY@", code).encode()


def python_record() -> Path:
    """Where `install` records the Python installation the launcher runs (one per user)."""
    from provider.xdg import base_directory

    return base_directory("XDG_CONFIG_HOME", ".config") / "terraform-provider-oci" / "python"


def package_zip(version: str, identity: str | None = None) -> bytes:
    """The mirror package: one executable launcher entry, the same bytes for the same version and code."""
    buffer = io.BytesIO()
    write_zip(buffer, [(executable_name(version), launcher(version, identity), True)], compresslevel=9)
    return buffer.getvalue()


def stale_packages(provider_dir: Path, version: str) -> list[Path]:
    """Everything in the mirror that would compete with `version` of palette/oci.

    Other versions in the packed layout (any platform), and every unpacked `VERSION/` directory:
    this command never writes the unpacked layout, and a copy of the same version there would
    compete with the new zip. Files that are not palette/oci packages are left alone.
    """
    if not provider_dir.is_dir():
        return []
    stale = []
    for entry in sorted(provider_dir.iterdir()):
        packed = _PACKED_NAME.fullmatch(entry.name)
        other_version = packed is not None and packed["version"] != version
        unpacked = entry.is_dir() and _SEMVER.match(entry.name) is not None
        if other_version or unpacked:
            stale.append(entry)
    return stale


def _remove(path: Path) -> None:
    """Remove a file or a directory; one that another `install` removed first is fine."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


@contextlib.contextmanager
def _config_locked(directory: Path) -> Iterator[None]:
    """One `install` at a time per user: an exclusive fcntl lock on a file in the config directory."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        held = lock(directory / "install.lock")
    except OSError as error:
        raise InstallError(
            f"cannot write to {directory} ({_why(error)}), where the launcher finds the Python to run. "
            "Make it writable, or set XDG_CONFIG_HOME to a writable directory, and run install again; "
            "the mirror was not changed"
        ) from None
    with held:
        yield  # closing the file releases the lock


def _why(error: OSError) -> str:
    return error.strerror or str(error)


def install(mirror_dir: Path, version: str, python: str | None = None, target: str | None = None) -> Installed:
    """Write `version` of palette/oci into the mirror, replacing every other version.

    The Python record first, then the mirror: a failure leaves no package without a record.
    """
    if not _SEMVER.fullmatch(version):
        raise InstallError(f"version {version!r} is not MAJOR.MINOR.PATCH, which Terraform requires")
    from provider.launch.handover import frozen

    if python is None and frozen():
        raise InstallError(FROZEN)
    python = python or sys.executable
    if not python or not os.path.isabs(python):
        raise InstallError("cannot tell which Python runs this command (sys.executable is not absolute)")
    target = target or terraform_platform()
    record = python_record()
    with _config_locked(record.parent):
        # Why the interpreter rather than the console script: both survive `pip install -U` in place,
        # but only sys.executable is certainly the installation running this command.
        try:
            write_atomically(record, f"{python}\n{package_site()}\n".encode())
        except OSError as error:
            raise InstallError(
                f"cannot write {record} ({_why(error)}). Make {record.parent} writable, or set XDG_CONFIG_HOME "
                "to a writable directory, and run install again; the mirror was not changed"
            ) from None
        return _write_mirror(mirror_dir, version, target)


def _write_mirror(mirror_dir: Path, version: str, target: str) -> Installed:
    provider_dir = mirror_dir / HOSTNAME / NAMESPACE / TYPE
    package = provider_dir / package_name(version, target)
    data = package_zip(version)
    try:
        removed = stale_packages(provider_dir, version)
        for path in removed:
            _remove(path)
        provider_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(package, data)  # a concurrent `terraform init` reads the old or the new
    except OSError as error:
        raise InstallError(
            f"cannot write the mirror at {provider_dir} ({_why(error)}). Make it writable or choose another "
            "directory with --dir, and run install again"
        ) from None
    # The hash of what we wrote, from memory: the file may already be another install's (same bytes).
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        h1 = hash1((info.filename, zf.read(info)) for info in zf.infolist())
    return Installed(package=package, h1=h1, removed=removed)


def cli_config(mirror_dir: Path) -> str:
    """The `provider_installation` block that takes palette/oci from `mirror_dir` and nowhere else.

    `registry.terraform.io/palette/oci` is what Terraform makes of `source = "palette/oci"` (its default
    registry host), a public namespace this project does not hold: `direct`'s exclusion keeps `init`
    from asking that registry on a machine whose mirror lacks the package (it fails instead)."""
    path = json.dumps(str(mirror_dir))  # an HCL string literal: quotes and backslashes escaped
    source = json.dumps(SOURCE)
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {path}\n"
        f"    include = [{source}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{source}]\n"
        "  }\n"
        "}\n"
    )


def _summary(installed: Installed, version: str, mirror_dir: Path, with_config: bool) -> list[str]:
    lines = [f"Removed {path}" for path in installed.removed]
    lines.append(f"Installed {NAMESPACE}/{TYPE} {version} at {installed.package} ({installed.h1})")
    lines.append(f"Terraform will run it with {sys.executable} (recorded in {python_record()})")
    lines.append(
        "That hash names this code (the package's files, not only its version): a lock file holds where "
        "the same code is installed. For a team, use the release package and one `terraform providers lock`."
    )
    if not with_config:
        return lines
    # The block, even for the mirror Terraform searches by itself: its implied configuration leaves
    # palette/oci out of direct installation only while the package is there, and a machine without
    # it asks the public registry, where whoever holds the `palette` namespace decides what installs.
    lines.append(
        f"Add this block to your CLI config (~/.terraformrc, or the file TF_CLI_CONFIG_FILE names; Terraform "
        f"reads one provider_installation block, so merge it with yours): `terraform init` then takes "
        f"{SOURCE} from this mirror only and never asks the public registry for it."
    )
    lines.extend(cli_config(mirror_dir).splitlines())
    lines.append("Then run `terraform init` (`terraform init -upgrade` if a lock file pins another version).")
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="terraform-provider-oci install",
        description=(
            f"Install {NAMESPACE}/{TYPE} into a Terraform filesystem mirror, so that `terraform init` "
            "finds it without a registry and records its hash in .terraform.lock.hcl."
        ),
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="mirror directory (default: ~/.terraform.d/plugins, which Terraform searches by itself)",
    )
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="print only a CLI config provider_installation block using the mirror (install still runs; "
        "notes go to stderr)",
    )
    return parser


def main(argv: list[str]) -> int:
    """`terraform-provider-oci install [--dir DIR] [--print-config]`; returns the exit status."""
    from provider.version import __version__

    args = _parser().parse_args(argv)
    mirror_dir = (args.dir.expanduser() if args.dir else default_mirror_dir()).absolute()
    try:
        installed = install(mirror_dir, __version__)
    except (InstallError, OSError) as error:
        print(f"terraform-provider-oci install: {error}", file=sys.stderr)
        return 1
    if args.print_config:
        # stdout carries the block alone, ready for `>> ~/.terraformrc`; the notes go to stderr.
        print(cli_config(mirror_dir), end="")
    notes = sys.stderr if args.print_config else sys.stdout
    for line in _summary(installed, __version__, mirror_dir, with_config=not args.print_config):
        print(line, file=notes)
    return 0
