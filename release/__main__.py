"""`scripts/release` (`python -m release`): build this platform's package and lay out the release.

scripts/release --gpg-key KEY [--gpg-home DIR] [--out DIR] [--add-package ZIP ...]
scripts/release --unsigned ...      no SHA256SUMS.sig (a local mirror; not for a registry)
scripts/release --snapshot ...      from the tree as it is (tests): skips the release checks

Before building, a release is refused when its version is already released in CHANGELOG.md (and
HEAD is not that version's tag) or the tree has uncommitted changes (release/checks.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from provider.install import package_name
from provider.version import __version__
from release.build import REPO, BuildError, build_bundle, buildable, check_bundle, check_excluded, package
from release.checks import refusals
from release.layout import ReleaseError, Signer, make_release


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/release",
        description="Build palette/oci's self-contained package for this platform (PyInstaller) and write the "
        "release directory: zips, SHA256SUMS and its GPG signature, the registry manifest, a filesystem mirror "
        "and a network mirror.",
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "dist" / "release", help="release directory (default dist/release)"
    )
    parser.add_argument("--gpg-key", help="the GPG key that signs SHA256SUMS (id, fingerprint or e-mail)")
    parser.add_argument("--gpg-home", type=Path, help="the GnuPG home holding it (default: gpg's, $GNUPGHOME)")
    parser.add_argument("--gpg-passphrase-file", type=Path, help="the key's passphrase, if it has one")
    parser.add_argument("--unsigned", action="store_true", help="write no signature (mirrors for your own use)")
    parser.add_argument(
        "--add-package",
        type=Path,
        action="append",
        default=[],
        metavar="ZIP",
        help="a package of another platform, built by scripts/release on such a machine",
    )
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="build from the tree as it is (tests, your own mirror): skip the checks that the version is not "
        "released yet and that the tree is committed",
    )
    parser.add_argument(
        "--bundle", type=Path, help="an already built bundle directory of this platform (skips PyInstaller)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.gpg_key and not args.unsigned:
        print("scripts/release: give --gpg-key (and --gpg-home) to sign SHA256SUMS, or --unsigned", file=sys.stderr)
        return 2
    signer = Signer(args.gpg_key, args.gpg_home, args.gpg_passphrase_file) if args.gpg_key else None
    version = __version__
    try:
        refused = [] if args.snapshot else refusals(REPO, version)
    except OSError as error:
        print(f"scripts/release: {error} (--snapshot builds without the release checks)", file=sys.stderr)
        return 1
    for reason in refused:
        print(f"scripts/release: refused: {reason}", file=sys.stderr)
    if refused:
        return 1
    targets, others = buildable()
    for target, why in others.items():
        print(f"not built: {target}: {why}")
    if not targets:
        print("scripts/release: this machine can build no release platform", file=sys.stderr)
        return 1
    (target,) = targets
    out = args.out.absolute()
    try:
        with tempfile.TemporaryDirectory(prefix="release-build-") as scratch:
            bundle = args.bundle
            if bundle is None:
                started = time.monotonic()
                print(f"building {target} with PyInstaller ...", flush=True)
                bundle = build_bundle(version, Path(scratch) / "dist", Path(scratch) / "work")
                print(f"built {bundle.name} in {time.monotonic() - started:.0f} s")
            check_bundle(bundle, version)
            check_excluded(bundle)
            zipped = package(bundle, version, target, Path(scratch) / "zips")
            release = make_release(out, version, [zipped, *args.add_package], signer)
    except (BuildError, ReleaseError, OSError) as error:
        print(f"scripts/release: {error}", file=sys.stderr)
        return 1
    print(f"release {version} in {release.directory}:")
    for path in sorted(release.directory.iterdir()):
        print(f"  {path.name}{'/' if path.is_dir() else ''}")
    print(f"packages: {', '.join(package_name(version, t) for t in sorted(release.packages))}")
    if release.signature is None:
        print("unsigned (--unsigned): no registry accepts this release")
    return 0


if __name__ == "__main__":
    sys.exit(main())
