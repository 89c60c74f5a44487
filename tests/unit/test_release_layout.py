"""release/: the zip Terraform gets, the network mirror's documents, the names and what is built where.
Pure file work on small fake bundles; the real bundle is tested through Terraform in
tests/acceptance/test_release_mirror.py."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from provider.launch.install import hash1, hash_zip
from release import build, layout


def fake_bundle(root: Path) -> Path:
    bundle = root / "terraform-provider-oci_v0.1.0"
    (bundle / "_internal" / "pkg").mkdir(parents=True)
    executable = bundle / "terraform-provider-oci_v0.1.0"
    executable.write_bytes(b"\x7fELF fake")
    executable.chmod(0o755)
    (bundle / "_internal" / "pkg" / "mod.pyc").write_bytes(b"code")
    (bundle / "_internal" / "libfake.so.1").write_bytes(b"library")
    os.symlink("../libfake.so.1", bundle / "_internal" / "pkg" / "libfake.so.1")  # as PyInstaller links
    return bundle


def hash_dir(directory: Path) -> str:
    """What Terraform computes over an unpacked package (dirhash.HashDir): regular files, links followed."""
    return hash1(
        (path.relative_to(directory).as_posix(), path.read_bytes()) for path in directory.rglob("*") if path.is_file()
    )


def test_the_package_zip_is_files_only_deterministic_and_hashes_like_the_unpacked_directory(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path)
    first = build.package(bundle, "0.1.0", "linux_amd64", tmp_path / "a")
    second = build.package(bundle, "0.1.0", "linux_amd64", tmp_path / "b")
    assert first.name == "terraform-provider-oci_0.1.0_linux_amd64.zip"
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        entries = {info.filename: info for info in archive.infolist()}
        assert sorted(entries) == [
            "_internal/libfake.so.1",
            "_internal/pkg/libfake.so.1",
            "_internal/pkg/mod.pyc",
            "terraform-provider-oci_v0.1.0",
        ]
        assert archive.read("_internal/pkg/libfake.so.1") == b"library"  # the link's target, as a file
        assert (entries["terraform-provider-oci_v0.1.0"].external_attr >> 16) == 0o100755
        assert (entries["_internal/pkg/mod.pyc"].external_attr >> 16) == 0o100644
        archive.extractall(tmp_path / "unpacked")
    assert hash_zip(first) == hash_dir(tmp_path / "unpacked") == hash_dir(bundle)


def test_version_and_index_documents_follow_the_network_mirror_protocol(tmp_path: Path) -> None:
    package = tmp_path / "terraform-provider-oci_0.1.0_linux_amd64.zip"
    package.write_bytes(b"zip bytes")
    assert layout.version_document({"linux_amd64": package}) == {
        "archives": {
            "linux_amd64": {
                "url": "terraform-provider-oci_0.1.0_linux_amd64.zip",
                "hashes": ["zh:" + hashlib.sha256(b"zip bytes").hexdigest()],
            }
        }
    }
    for name in ("0.1.0.json", "0.2.0-rc.1.json", "index.json", "notes.json"):
        (tmp_path / name).write_text("{}")
    assert layout.index_document(tmp_path) == {"versions": {"0.1.0": {}, "0.2.0-rc.1": {}}}


def test_releases_into_one_directory_accumulate_in_the_index(tmp_path: Path) -> None:
    out = tmp_path / "release"
    for version in ("0.1.0", "0.2.0"):
        zipped = build.package(fake_bundle(tmp_path / version), version, "linux_amd64", tmp_path / version)
        made = layout.make_release(out, version, [zipped], signer=None)
        assert made.signature is None
    index = json.loads((out / "network-mirror/registry.terraform.io/palette/oci/index.json").read_text())
    assert index == {"versions": {"0.1.0": {}, "0.2.0": {}}}
    sums = (out / "terraform-provider-oci_0.2.0_SHA256SUMS").read_text().splitlines()
    assert [line.split("  ")[1] for line in sums] == [
        "terraform-provider-oci_0.2.0_linux_amd64.zip",
        "terraform-provider-oci_0.2.0_manifest.json",
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("terraform-provider-oci_0.2.0_linux_amd64.zip", "is version 0.2.0, not 0.1.0"),
        ("terraform-provider-oci_0.1.0.zip", "is not named"),
        ("other_0.1.0_linux_amd64.zip", "is not named"),
    ],
)
def test_packages_of_another_version_or_name_are_refused(tmp_path: Path, name: str, problem: str) -> None:
    package = tmp_path / name
    package.write_bytes(b"")
    with pytest.raises(layout.ReleaseError, match=problem):
        layout.make_release(tmp_path / "out", "0.1.0", [package], signer=None)


def test_two_packages_for_one_platform_are_refused(tmp_path: Path) -> None:
    zipped = build.package(fake_bundle(tmp_path), "0.1.0", "linux_amd64", tmp_path / "a")
    with pytest.raises(layout.ReleaseError, match="two packages for linux_amd64"):
        layout.make_release(tmp_path / "out", "0.1.0", [zipped, zipped], signer=None)


def test_the_build_names_what_it_cannot_make_here_and_why() -> None:
    can, cannot = build.buildable()
    assert can == ["linux_amd64"]  # the only platform the tests run on
    assert sorted(cannot) == ["darwin_amd64", "darwin_arm64", "linux_arm64", "windows_amd64"]
    assert cannot.pop("windows_amd64").startswith("not supported yet")  # tests/unit/test_release_workflow.py
    assert all("PyInstaller builds only for the platform it runs on" in why for why in cannot.values())


def test_the_emulator_is_neither_a_hidden_import_nor_missing_from_the_excludes(tmp_path: Path) -> None:
    modules = build.provider_modules()
    assert "provider.plugin" in modules and "provider.preflight.ecr" in modules
    assert not [m for m in modules if m.startswith("palette_emulator")]
    assert "palette_emulator" in build.EXCLUDED
    args = build.pyinstaller_args("0.1.0", tmp_path / "out", tmp_path / "work")
    assert "--exclude-module=palette_emulator" in args and "--onedir" in args
    assert "--name=terraform-provider-oci_v0.1.0" in args


def test_an_added_package_is_copied_so_a_later_rewrite_of_it_changes_nothing(tmp_path: Path) -> None:
    """Issue 21, item 16: a hard link made the released zip the input file itself, so rewriting the input
    in place (the next build into the same path) changed the release and `sha256sum --check` failed."""
    zipped = build.package(fake_bundle(tmp_path), "0.1.0", "linux_amd64", tmp_path / "other-platform")
    out = tmp_path / "release"
    layout.make_release(out, "0.1.0", [zipped], signer=None)
    with zipped.open("r+b") as rewritten:  # in place: the same inode, as a build overwriting its output does
        rewritten.write(b"changed")
    checked = subprocess.run(
        ["sha256sum", "--check", "terraform-provider-oci_0.1.0_SHA256SUMS"], cwd=out, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("wrong", ["bundle", "terraform-provider-oci_v9.9.9", "missing"])
def test_a_bundle_directory_of_the_wrong_name_says_what_is_wrong(
    tmp_path: Path, wrong: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 21, item 16: `--bundle` with another directory failed "[Errno 2] .../bundle"."""
    from provider.version import __version__
    from release.__main__ import main

    bundle = tmp_path / wrong
    if wrong != "missing":
        bundle.mkdir()
    if not build.buildable()[0]:
        pytest.skip("this machine builds no release platform")
    assert main(["--unsigned", "--snapshot", "--bundle", str(bundle), "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert "Errno" not in error, error
    assert f"terraform-provider-oci_v{__version__}" in error and "--bundle" in error, error
