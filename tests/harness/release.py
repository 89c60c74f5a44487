"""The self-contained provider package for tests: built once, cached by what it is built from.

    bundle = cached_bundle()                     # .cache/bundle/<digest>/terraform-provider-oci_v<version>/
    with throwaway_gpg_key(tmp) as key: ...      # a GnuPG home holding one RSA signing key, agent stopped after
    release_dir(bundle, out, key)                # `python -m release --snapshot --bundle ...`

Building takes PyInstaller half a minute to a minute on two busy cores, so the bundle is kept in
`.cache/bundle/<digest>` (`$RELEASE_BUNDLE_CACHE` overrides the directory), where the digest covers
the provider's and release/'s sources, the Python and every installed distribution's version
(`release.build.source_digest`): a change to any of them builds anew, a re-run reuses it. pytest-xdist
workers share the build through an fcntl lock. Each build writes `last-build.json` (how long it took)
for the session summary (tests/conftest.py).

The `release` tests (the bundle, its mirror, the release workflow) are a stage of their own:
`release_stage_key` is the bundle's digest with the release tests' own files and scripts/release, and
`scripts/test` (`--release-stage=auto`) leaves them out once a key has passed (`record_release_stage`
writes `.cache/bundle/passed/<key>`). `.ci/run` runs them always, as its last stage.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from provider.files import lock
from provider.launch.install import executable_name
from provider.version import __version__
from release.build import build_bundle, check_excluded, source_digest

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("RELEASE_BUNDLE_CACHE", REPO / ".cache" / "bundle"))
LAST_BUILD = CACHE / "last-build.json"
PASSED = CACHE / "passed"
# What the release tests run besides the bundle and their own files: a change here runs them again.
RELEASE_TEST_INPUTS = (
    REPO / "scripts" / "release",
    REPO / "tests" / "harness" / "release.py",
    REPO / "tests" / "harness" / "mirror.py",
    REPO / "tests" / "harness" / "terraform.py",
    REPO / ".github" / "workflows" / "release.yml",
)


def release_stage_key(nodeids: list[str]) -> str:
    """The bundle's source digest, the release tests' node ids and the contents of their files, as one hash."""
    digest = hashlib.sha256(source_digest().encode())
    files = sorted({REPO / "tests" / nodeid.split("::")[0].removeprefix("tests/") for nodeid in nodeids})
    for nodeid in sorted(nodeids):
        digest.update(f"{nodeid}\n".encode())
    for path in [*files, *RELEASE_TEST_INPUTS]:
        digest.update(f"{path.relative_to(REPO)}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes() if path.is_file() else b"").digest())
    return digest.hexdigest()[:16]


def release_stage_passed(key: str) -> bool:
    return (PASSED / key).is_file()


def record_release_stage(key: str) -> None:
    PASSED.mkdir(parents=True, exist_ok=True)
    (PASSED / key).write_text(f"{time.time()}\n")


def cached_bundle(version: str = __version__) -> Path:
    """The bundle of the sources as they are, built now unless the cache has it."""
    digest = source_digest()
    home = CACHE / digest
    bundle = home / executable_name(version)
    CACHE.mkdir(parents=True, exist_ok=True)
    with lock(CACHE / ".lock"):  # one build at a time; a waiting worker then finds it built
        if (bundle / executable_name(version)).is_file():
            return bundle
        for stale in CACHE.iterdir():  # bundles of older sources: tens of MB each
            if stale.is_dir() and stale.name not in (digest, PASSED.name):
                shutil.rmtree(stale, ignore_errors=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{digest}.", dir=CACHE))
        try:
            started = time.monotonic()
            built = build_bundle(version, scratch / "dist", scratch / "work")
            seconds = time.monotonic() - started
            check_excluded(built)
            home.mkdir()
            built.rename(bundle)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        LAST_BUILD.write_text(json.dumps({"digest": digest, "seconds": round(seconds, 1), "at": time.time()}))
        return bundle


@dataclass(frozen=True)
class GpgKey:
    home: Path
    email: str

    def gpg(self, *args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["gpg", "--batch", "--no-tty", "--homedir", str(home or self.home), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )


@contextlib.contextmanager
def throwaway_gpg_key(email: str = "release-test@example.invalid", passphrase: str = "") -> Iterator[GpgKey]:
    """A new GnuPG home (short path: gpg-agent's socket lives in it) with an RSA 2048 signing key,
    without passphrase unless one is given (Terraform's openpgp verifies RSA and DSA signatures only).
    The gpg-agent it starts is stopped and the home removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix="gpg-", dir="/tmp"))
    home.chmod(0o700)
    key = GpgKey(home, email)
    try:
        made = key.gpg(
            *("--pinentry-mode", "loopback", "--passphrase", passphrase),
            *("--quick-gen-key", f"Release Test <{email}>", "rsa2048", "sign", "never"),
        )
        assert made.returncode == 0, made.stderr
        yield key
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def release_dir(bundle: Path, out: Path, key: GpgKey) -> subprocess.CompletedProcess[str]:
    """`scripts/release`'s program with a prebuilt bundle, signed with `key`."""
    command = [
        sys.executable,
        "-m",
        "release",
        "--snapshot",  # the tests' tree may be uncommitted, its version released: not a release
        "--bundle",
        str(bundle),
        "--out",
        str(out),
        "--gpg-key",
        key.email,
        "--gpg-home",
        str(key.home),
    ]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
