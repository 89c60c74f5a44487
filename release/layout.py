"""The release directory: what a registry, a private registry or a mirror needs, from the zips.

    OUT/
      terraform-provider-oci_<v>_<os>_<arch>.zip       one per platform (release/build.py)
      terraform-provider-oci_<v>_manifest.json         terraform-registry-manifest.json, renamed
      terraform-provider-oci_<v>_SHA256SUMS            sha256 of the zips and the manifest
      terraform-provider-oci_<v>_SHA256SUMS.sig        detached binary GPG signature of SHA256SUMS
      signing-key.asc                                  the public key that verifies it (ASCII armour)
      filesystem-mirror/registry.terraform.io/palette/oci/<zip>    packed filesystem mirror layout
      network-mirror/registry.terraform.io/palette/oci/index.json  provider network mirror protocol
      network-mirror/registry.terraform.io/palette/oci/<v>.json    archives with their zh: hashes
      network-mirror/registry.terraform.io/palette/oci/<zip>

The names follow what the Terraform Registry and private registries expect of a provider release
(the same as GoReleaser's provider template). `index.json` lists every `<version>.json` present, so
releases made into one network-mirror directory accumulate. The network mirror answers with
relative archive URLs: any static HTTPS server serving `network-mirror/` at a base URL is a mirror.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from provider.launch.install import HOSTNAME, NAMESPACE, TYPE, hash_zip

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "terraform-registry-manifest.json"
PROVIDER_PATH = Path(HOSTNAME, NAMESPACE, TYPE)
_PACKAGE = re.compile(rf"terraform-provider-{TYPE}_(?P<version>[^_]+)_(?P<target>[a-z0-9]+_[a-z0-9]+)\.zip")
_VERSION_JSON = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?\.json")


class ReleaseError(Exception):
    """The release directory cannot be made; the message says why."""


@dataclass(frozen=True)
class Signer:
    """A GPG key (id, fingerprint or e-mail) in a GnuPG home (None: gpg's default, $GNUPGHOME)."""

    key: str
    home: Path | None = None
    passphrase_file: Path | None = None

    def gpg(self, *args: str, stdout: int | None = None) -> subprocess.CompletedProcess[bytes]:
        command = ["gpg", "--batch", "--yes", "--no-tty"]
        if self.home:
            command += ["--homedir", str(self.home)]
        if self.passphrase_file:
            command += ["--pinentry-mode", "loopback", "--passphrase-file", str(self.passphrase_file)]
        try:
            completed = subprocess.run([*command, *args], capture_output=True, timeout=120)
        except FileNotFoundError:
            raise ReleaseError("gpg is not installed (apt-get install -y gnupg)") from None
        if completed.returncode != 0:
            raise ReleaseError(
                gpg_failure(args, completed.stderr.decode(errors="replace").strip(), self.passphrase_file)
            )
        return completed

    def sign(self, path: Path) -> Path:
        """A detached binary signature `<path>.sig`, checked with gpg --verify before it is kept."""
        signature = path.with_name(path.name + ".sig")
        self.gpg("--local-user", self.key, "--detach-sign", "--output", str(signature), str(path))
        self.gpg("--verify", str(signature), str(path))
        return signature

    def public_key(self) -> bytes:
        exported = self.gpg("--armor", "--export", self.key).stdout
        if not exported.strip():
            raise ReleaseError(f"gpg has no public key {self.key!r}")
        return exported


def gpg_failure(args: tuple[str, ...], stderr: str, passphrase_file: Path | None) -> str:
    """gpg's own words, and the fix when it is a passphrase: in batch mode, a key that has one and was
    given none fails with "Inappropriate ioctl for device" (gpg tried to ask on a terminal)."""
    message = f"gpg {' '.join(args[:2])} failed: {stderr}"
    if "--detach-sign" not in args:
        return message
    if passphrase_file is None and ("Inappropriate ioctl" in stderr or "No passphrase" in stderr):
        return f"{message}\nThe key has a passphrase: give it in a file with --gpg-passphrase-file FILE."
    if passphrase_file is not None and "Bad passphrase" in stderr:
        return f"{message}\nThe passphrase in {passphrase_file} is not the key's: check --gpg-passphrase-file."
    return message


@dataclass(frozen=True)
class Release:
    directory: Path
    version: str
    packages: dict[str, Path]  # target -> zip in `directory`
    sums: Path
    signature: Path | None
    manifest: Path
    filesystem_mirror: Path
    network_mirror: Path


def zh(path: Path) -> str:
    """The `zh:` hash of a package: sha256 of the zip file itself, hex (what SHA256SUMS lists)."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return "zh:" + digest.hexdigest()


def target_of(package: Path, version: str) -> str:
    match = _PACKAGE.fullmatch(package.name)
    if not match:
        raise ReleaseError(f"{package.name} is not named terraform-provider-{TYPE}_<version>_<os>_<arch>.zip")
    if match["version"] != version:
        raise ReleaseError(f"{package.name} is version {match['version']}, not {version}")
    return match["target"]


def _copy(source: Path, destination: Path) -> None:
    """A copy of a package given to the release: never a link, which would let a later rewrite of the
    source change the released zip under its SHA256SUMS line."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.unlink(missing_ok=True)  # it may be a link to `source` left by an earlier release
    shutil.copyfile(source, destination)


def _place(source: Path, destination: Path) -> None:
    """A hard link where the filesystem allows it (the zips are tens of MB), a copy elsewhere: for the
    mirrors' copies of a zip the release directory already holds (one file, one SHA256SUMS line)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.unlink(missing_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)


def version_document(packages: dict[str, Path]) -> dict[str, object]:
    """`<version>.json` of the network mirror protocol: each platform's archive, by relative URL."""
    return {
        "archives": {
            target: {"url": package.name, "hashes": [zh(package)]} for target, package in sorted(packages.items())
        }
    }


def index_document(provider_dir: Path) -> dict[str, object]:
    """`index.json`: every version whose `<version>.json` is in the mirror directory."""
    versions = sorted(p.name.removesuffix(".json") for p in provider_dir.iterdir() if _VERSION_JSON.fullmatch(p.name))
    return {"versions": {version: {} for version in versions}}


def _write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def make_release(out: Path, version: str, packages: list[Path], signer: Signer | None) -> Release:
    """Lay out the release directory `out` for `version` from its zips (any platforms)."""
    if not packages:
        raise ReleaseError("no package to release")
    out.mkdir(parents=True, exist_ok=True)
    placed: dict[str, Path] = {}
    for package in packages:
        target = target_of(package, version)
        if target in placed:
            raise ReleaseError(f"two packages for {target}: {placed[target].name} and {package}")
        destination = out / package.name
        if package.resolve() != destination.resolve():
            _copy(package, destination)
        hash_zip(destination)  # a readable zip, or fail here rather than in someone's terraform init
        placed[target] = destination

    prefix = f"terraform-provider-{TYPE}_{version}"
    manifest = out / f"{prefix}_manifest.json"
    shutil.copyfile(MANIFEST, manifest)
    sums = out / f"{prefix}_SHA256SUMS"
    listed = sorted([*placed.values(), manifest], key=lambda p: p.name)
    sums.write_text("".join(f"{zh(path).removeprefix('zh:')}  {path.name}\n" for path in listed))
    signature = None
    if signer is not None:
        signature = signer.sign(sums)
        (out / "signing-key.asc").write_bytes(signer.public_key())

    filesystem_mirror = out / "filesystem-mirror"
    network_mirror = out / "network-mirror"
    for package in placed.values():
        _place(package, filesystem_mirror / PROVIDER_PATH / package.name)
        _place(package, network_mirror / PROVIDER_PATH / package.name)
    provider_dir = network_mirror / PROVIDER_PATH
    _write_json(provider_dir / f"{version}.json", version_document(placed))
    _write_json(provider_dir / "index.json", index_document(provider_dir))
    return Release(out, version, placed, sums, signature, manifest, filesystem_mirror, network_mirror)
