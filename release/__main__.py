"""`scripts/release` (`python -m release`): build this platform's package and lay out the release.

scripts/release --gpg-key KEY [--gpg-home DIR] [--out DIR] [--add-package ZIP ...]
scripts/release --unsigned ...      no SHA256SUMS.sig (a local mirror; not for a registry)
scripts/release --package-only [--out DIR]   this platform's zip only (one runner of a release)
scripts/release --no-build --gpg-key KEY --add-package ZIP ...   the release of zips built elsewhere

A release covers several platforms and PyInstaller builds only for the one it runs on, so
.github/workflows/release.yml runs `--package-only` on one runner per platform and `--no-build`
once, on the zips they made.

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

from provider.launch.install import package_name
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
        "--out", type=Path, help="release directory (default dist/release; dist/package with --package-only)"
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
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--package-only",
        action="store_true",
        help="build this platform's zip into --out (default dist/package) and stop: no signature, no mirrors",
    )
    mode.add_argument(
        "--no-build",
        action="store_true",
        help="build nothing here: the release directory of the --add-package zips only",
    )
    return parser


def usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with this combination of options, or None."""
    if args.package_only:
        if args.add_package or args.gpg_key or args.unsigned:
            return "--package-only builds one zip: it takes no --add-package, --gpg-key or --unsigned"
        return None
    if not args.gpg_key and not args.unsigned:
        return "give --gpg-key (and --gpg-home) to sign SHA256SUMS, or --unsigned"
    if args.no_build and not args.add_package:
        return "--no-build releases the --add-package zips: give at least one"
    if args.no_build and args.bundle:
        return "--no-build builds nothing: --bundle has no use with it"
    return None


def build_package(target: str, version: str, bundle: Path | None, out: Path, scratch: Path) -> Path:
    """This platform's zip in `out`, from `bundle` or a new PyInstaller build."""
    if bundle is None:
        started = time.monotonic()
        print(f"building {target} with PyInstaller ...", flush=True)
        bundle = build_bundle(version, scratch / "dist", scratch / "work")
        print(f"built {bundle.name} in {time.monotonic() - started:.0f} s")
    check_bundle(bundle, version)
    check_excluded(bundle)
    return package(bundle, version, target, out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problem = usage_problem(args)
    if problem:
        print(f"scripts/release: {problem}", file=sys.stderr)
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
    target = None
    if not args.no_build:
        targets, others = buildable()
        for other, why in others.items():
            print(f"not built: {other}: {why}")
        if not targets:
            print("scripts/release: this machine can build no release platform", file=sys.stderr)
            return 1
        (target,) = targets
    out = (args.out or REPO / "dist" / ("package" if args.package_only else "release")).absolute()
    try:
        with tempfile.TemporaryDirectory(prefix="release-build-") as scratch:
            if args.package_only:
                assert target is not None
                zipped = build_package(target, version, args.bundle, out, Path(scratch))
                print(f"package {version} for {target}: {zipped}")
                return 0
            packages = list(args.add_package)
            if target is not None:
                packages.insert(0, build_package(target, version, args.bundle, Path(scratch) / "zips", Path(scratch)))
            release = make_release(out, version, packages, signer)
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
