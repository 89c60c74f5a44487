"""Terraform's `h1:` package hash, the mirror package, and the `install` command on the file system.

The hash is checked against two independent sources: lines of Go's own checksum database (go.sum
`/go.mod` hashes are dirhash Hash1 over one file named go.mod), and the coreutils pipeline the
Go documentation defines Hash1 by. The acceptance test compares it with what Terraform writes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import provider
from provider import files
from provider.identity import installed_identity, package_identity
from provider.launch import install
from provider.version import __version__

PROVIDER_DIR = Path("registry.terraform.io/palette/oci")


# Published in countless go.sum files; computed by the Go toolchain, not by us.
@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("golang.org/x/text", "h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ="),
        ("golang.org/x/sys", "h1:STP8DvDyc/dI5b8T5hshtkjS+E42TnysNCUPdjciGhY="),
    ],
)
def test_hash1_matches_go_sum_lines(module: str, expected: str) -> None:
    go_mod = f"module {module}\n".encode()
    assert install.hash1([("go.mod", go_mod)]) == expected


def _hash1_by_coreutils(root: Path) -> str:
    """`find . -type f | sort | xargs sha256sum | sha256sum`, as Go documents Hash1, minus `./`."""
    listing = subprocess.run(
        "find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum --",
        shell=True,
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout
    return "h1:" + base64.b64encode(hashlib.sha256(listing).digest()).decode()


def test_hash1_matches_the_sha256sum_pipeline(tmp_path: Path) -> None:
    # Upper case sorts before lower case in byte order; a subdirectory and a space in a name.
    files = {"b.txt": b"second\n", "B.txt": b"first\n", "sub/a file": b"\x00\xff", "empty": b""}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    assert install.hash1(files.items()) == _hash1_by_coreutils(tmp_path)


def test_hash1_depends_on_names_and_contents() -> None:
    base = install.hash1([("a", b"x")])
    assert install.hash1([("a", b"y")]) != base
    assert install.hash1([("b", b"x")]) != base


def test_hash1_refuses_newlines_in_names() -> None:
    with pytest.raises(install.InstallError, match="newline"):
        install.hash1([("a\nb", b"")])


def test_hash_zip_counts_directory_entries_like_go(tmp_path: Path) -> None:
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("d/", b"")
        zf.writestr("d/f", b"content")
    assert install.hash_zip(archive) == install.hash1([("d/", b""), ("d/f", b"content")])


@pytest.fixture(autouse=True)
def private_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`install` records the interpreter under XDG_CONFIG_HOME: never the developer's own."""
    config_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    return config_home


def test_package_zip_is_one_deterministic_executable_entry() -> None:
    first = install.package_zip("1.2.3")
    assert first == install.package_zip("1.2.3")
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        (entry,) = zf.infolist()
        assert entry.filename == "terraform-provider-oci_v1.2.3"
        assert entry.external_attr >> 16 == 0o100755
        assert entry.date_time == (1980, 1, 1, 0, 0, 0)
        assert zf.read(entry) == install.launcher("1.2.3")
    assert b"/" + b"usr" not in install.launcher("1.2.3")  # nothing of this machine: the hash holds everywhere


def test_the_package_identity_is_the_code_not_bytecode(tmp_path: Path) -> None:
    package = tmp_path / "provider"
    shutil.copytree(Path(provider.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    assert package_identity(str(package)) == installed_identity()  # the same files, another place
    original = package_identity(str(package))
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "install.cpython-311.pyc").write_bytes(b"bytecode Python writes at run time")
    assert package_identity(str(package)) == original

    edited = package / "plugin.py"
    edited.write_text(edited.read_text() + "# a local change\n")
    assert package_identity(str(package)) != original
    edited.write_text(edited.read_text().removesuffix("# a local change\n"))
    assert package_identity(str(package)) == original
    (package / "plugin.py").rename(package / "plugin_renamed.py")
    assert package_identity(str(package)) != original


def test_the_mirror_package_and_its_hash_name_the_code_not_only_the_version(tmp_path: Path) -> None:
    """Any code can be labelled 0.2.0: the `h1:` a lock file records must tell two builds of one version
    apart, so that a lock file verifies the code (the launcher used to be the same bytes for any code)."""
    one, other = "1" * 64, "2" * 64
    assert install.package_zip("1.2.3", one) == install.package_zip("1.2.3", one)
    assert install.package_zip("1.2.3", one) != install.package_zip("1.2.3", other)
    assert one.encode() in install.launcher("1.2.3", one)
    installed = install.install(tmp_path / "mirror", "1.2.3", python=sys.executable, target="linux_amd64")
    assert installed.h1 == install.hash1(
        [("terraform-provider-oci_v1.2.3", install.launcher("1.2.3", installed_identity()))]
    )
    assert installed.h1 != install.hash1([("terraform-provider-oci_v1.2.3", install.launcher("1.2.3", other))])


def test_launcher_refuses_code_changed_since_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    launcher = tmp_path / f"terraform-provider-oci_v{__version__}"
    launcher.write_bytes(install.launcher(__version__, "0" * 64))  # installed from other code
    launcher.chmod(0o755)
    monkeypatch.setenv("TERRAFORM_PROVIDER_OCI_PYTHON", sys.executable)
    changed = _one_line(subprocess.run([str(launcher), "--version"], capture_output=True, text=True))
    package = Path(provider.__file__).parent
    assert f"Terraform runs palette/oci {__version__} installed from other code" in changed
    assert f"the provider package in {package} changed since terraform-provider-oci install" in changed
    assert changed.endswith(
        "Fix: run terraform-provider-oci install, delete the registry.terraform.io/palette/oci block from "
        ".terraform.lock.hcl, then run terraform init."
    )


def _launcher(tmp_path: Path, version: str = __version__) -> Path:
    launcher = tmp_path / f"terraform-provider-oci_v{version}"
    launcher.write_bytes(install.launcher(version))
    launcher.chmod(0o755)
    return launcher


def test_launcher_runs_the_recorded_python_even_beside_a_folder_named_provider(tmp_path: Path) -> None:
    install.install(tmp_path / "mirror", "1.2.3", python=sys.executable, target="linux_amd64")
    assert install.python_record().read_text() == f"{sys.executable}\n{files.package_site()}\n"
    decoy = tmp_path / "work" / "provider"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("")
    (decoy / "__main__.py").write_text("print('decoy')\n")
    result = subprocess.run([str(_launcher(tmp_path)), "--version"], cwd=decoy.parent, capture_output=True, text=True)
    assert result.stdout.strip() == f"terraform-provider-oci {__version__}", result.stderr


def test_launcher_honours_the_environment_and_explains_a_missing_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    launcher = str(_launcher(tmp_path))
    missing = subprocess.run([launcher, "--version"], capture_output=True, text=True)
    assert missing.returncode == 1 and "run 'terraform-provider-oci install'" in missing.stdout
    monkeypatch.setenv("TERRAFORM_PROVIDER_OCI_PYTHON", sys.executable)
    chosen = subprocess.run([launcher, "--version"], capture_output=True, text=True)
    assert chosen.stdout.strip() == f"terraform-provider-oci {__version__}", chosen.stderr


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    """A launcher failure: exit 1 and exactly one line on stdout, without three "|" (not a handshake)."""
    assert result.returncode == 1, result
    (line,) = result.stdout.splitlines()
    assert line.count("|") < 3
    return line


def test_launcher_failures_are_one_line_on_stdout_with_the_fix(tmp_path: Path) -> None:
    launcher = str(_launcher(tmp_path))
    record = install.python_record()
    record.parent.mkdir(parents=True)

    record.write_text(f"{tmp_path}/deleted-venv/bin/python\n")
    gone = _one_line(subprocess.run([launcher], capture_output=True, text=True, stdin=subprocess.DEVNULL))
    assert f"the recorded Python {tmp_path}/deleted-venv/bin/python is gone" in gone
    assert "Fix: install the provider into a Python installation and run 'terraform-provider-oci install'" in gone

    base_python = getattr(sys, "_base_executable", "") or "/usr/bin/python3"  # the venv's base: no provider
    record.write_text(f"{base_python}\n{tmp_path}/nowhere\n")
    broken = _one_line(subprocess.run([launcher], capture_output=True, text=True, stdin=subprocess.DEVNULL))
    assert "cannot load the provider package (ModuleNotFoundError" in broken
    assert "Fix: reinstall it into that Python, then run terraform-provider-oci install." in broken


def test_launcher_refuses_another_installed_version(tmp_path: Path) -> None:
    install.install(tmp_path / "mirror", "1.2.3", python=sys.executable, target="linux_amd64")
    old = _one_line(subprocess.run([str(_launcher(tmp_path, "0.0.9")), "--version"], capture_output=True, text=True))
    assert f"Terraform runs palette/oci 0.0.9 but {sys.executable} has version {__version__} installed" in old
    assert "Fix: run terraform-provider-oci install, then terraform init -upgrade." in old


def test_launcher_ignores_pythonpath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install.install(tmp_path / "mirror", "1.2.3", python=sys.executable, target="linux_amd64")
    decoy = tmp_path / "elsewhere" / "provider"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise SystemExit('decoy imported')\n")
    monkeypatch.setenv("PYTHONPATH", str(decoy.parent))
    result = subprocess.run([str(_launcher(tmp_path)), "--version"], capture_output=True, text=True)
    assert result.stdout.strip() == f"terraform-provider-oci {__version__}", result.stderr


def test_concurrent_installs_all_succeed_and_leave_one_package(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    env = {**os.environ, "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]}
    command = [sys.executable, "-m", "provider", "install", "--dir", str(mirror)]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(20)
    ]
    outcomes = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    assert [code for code, _, _ in outcomes] == [0] * 20, [err for code, _, err in outcomes if code]
    package = mirror / PROVIDER_DIR / install.package_name(__version__, install.terraform_platform())
    assert sorted(p.name for p in package.parent.iterdir()) == [package.name]  # no partial file left
    assert install.hash_zip(package) == install.hash1(
        [(install.executable_name(__version__), install.launcher(__version__))]
    )
    assert install.python_record().read_text().splitlines()[0] == sys.executable


def test_an_unwritable_config_directory_is_a_clear_error_and_the_mirror_is_untouched(
    tmp_path: Path, private_config_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private_config_home.write_text("")  # a file where the directory should be: unwritable even for root
    assert install.main(["--dir", str(tmp_path / "mirror")]) == 1
    err = capsys.readouterr().err
    config_dir = private_config_home / "terraform-provider-oci"
    assert err.startswith(f"terraform-provider-oci install: cannot write to {config_dir} (Not a directory)")
    assert "set XDG_CONFIG_HOME to a writable directory" in err and "the mirror was not changed" in err
    assert "Errno" not in err
    assert not (tmp_path / "mirror").exists()


@pytest.mark.parametrize(
    ("sys_platform", "machine", "expected"),
    [
        ("linux", "x86_64", "linux_amd64"),
        ("linux", "aarch64", "linux_arm64"),
        ("darwin", "arm64", "darwin_arm64"),
        ("freebsd14", "amd64", "freebsd_amd64"),
    ],
)
def test_terraform_platform_names(
    monkeypatch: pytest.MonkeyPatch, sys_platform: str, machine: str, expected: str
) -> None:
    monkeypatch.setattr(install.sys, "platform", sys_platform)
    monkeypatch.setattr(install.platform, "machine", lambda: machine)
    assert install.terraform_platform() == expected


def test_terraform_platform_refuses_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install.sys, "platform", "win32")
    with pytest.raises(install.InstallError, match="dev_overrides"):
        install.terraform_platform()


def test_install_writes_the_packed_layout(tmp_path: Path) -> None:
    installed = install.install(tmp_path, "1.2.3", python="/usr/bin/python3", target="linux_amd64")
    assert installed.package == tmp_path / PROVIDER_DIR / "terraform-provider-oci_1.2.3_linux_amd64.zip"
    assert sorted(p.name for p in (tmp_path / PROVIDER_DIR).iterdir()) == [installed.package.name]
    assert installed.h1 == install.hash1([("terraform-provider-oci_v1.2.3", install.launcher("1.2.3"))])
    assert installed.removed == []


def test_install_again_gives_the_same_hash_whatever_the_python(tmp_path: Path) -> None:
    first = install.install(tmp_path, "1.2.3", python="/usr/bin/python3", target="linux_amd64")
    again = install.install(tmp_path, "1.2.3", python="/opt/elsewhere/bin/python", target="linux_amd64")
    assert (again.h1, again.removed) == (first.h1, [])
    assert install.python_record().read_text().splitlines()[0] == "/opt/elsewhere/bin/python"


def test_install_replaces_other_versions_and_leaves_strangers(tmp_path: Path) -> None:
    provider_dir = tmp_path / PROVIDER_DIR
    old = install.install(tmp_path, "1.0.0", python="/usr/bin/python3", target="linux_amd64").package
    old_other_platform = provider_dir / "terraform-provider-oci_1.0.0_darwin_arm64.zip"
    old_other_platform.write_bytes(b"")
    unpacked_same_version = provider_dir / "1.2.3" / "linux_amd64"
    unpacked_same_version.mkdir(parents=True)
    stranger = provider_dir / "README.txt"
    stranger.write_text("mine")

    installed = install.install(tmp_path, "1.2.3", python="/usr/bin/python3", target="linux_amd64")

    assert installed.removed == sorted([old, old_other_platform, provider_dir / "1.2.3"])
    assert sorted(p.name for p in provider_dir.iterdir()) == sorted([installed.package.name, stranger.name])


def test_install_refuses_a_version_terraform_cannot_parse(tmp_path: Path) -> None:
    with pytest.raises(install.InstallError, match=r"MAJOR\.MINOR\.PATCH"):
        install.install(tmp_path, "1.2.dev3", python="/usr/bin/python3", target="linux_amd64")
    assert not (tmp_path / PROVIDER_DIR).exists()


def test_main_defaults_to_the_implied_mirror_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert install.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    package = (
        tmp_path
        / ".terraform.d/plugins"
        / PROVIDER_DIR
        / install.package_name(__version__, install.terraform_platform())
    )
    assert out[:2] == [
        f"Installed palette/oci {__version__} at {package} ({install.hash_zip(package)})",
        f"Terraform will run it with {sys.executable} (recorded in {install.python_record()})",
    ]
    assert out[-1] == "Then run `terraform init` (`terraform init -upgrade` if a lock file pins another version)."


def test_main_prints_the_block_that_excludes_the_public_registry_even_for_the_implied_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Terraform's implied configuration leaves palette/oci out of direct installation only while the
    # package is in ~/.terraform.d/plugins; a machine without it would ask the public registry.
    monkeypatch.setenv("HOME", str(tmp_path))
    assert install.main([]) == 0
    out = capsys.readouterr().out
    block = install.cli_config(tmp_path / ".terraform.d" / "plugins")
    assert block in out
    assert '  direct {\n    exclude = ["registry.terraform.io/palette/oci"]\n  }\n' in block
    assert "never asks the public registry" in out


def test_main_print_config_prints_only_the_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert install.main(["--dir", 'mirror "x"', "--print-config"]) == 0
    captured = capsys.readouterr()
    mirror = os.path.join(tmp_path, 'mirror \\"x\\"')
    assert captured.out == (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/palette/oci"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/palette/oci"]\n'
        "  }\n"
        "}\n"
    )
    assert "Installed palette/oci" in captured.err
    assert (tmp_path / 'mirror "x"' / PROVIDER_DIR).is_dir()


def test_main_reports_an_unwritable_mirror(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert install.main(["--dir", str(blocker)]) == 1
    assert capsys.readouterr().err.startswith("terraform-provider-oci install: ")


@pytest.mark.parametrize("broken", ["no-record", "no-package"])
def test_a_failing_launcher_outlives_its_line(tmp_path: Path, broken: str) -> None:
    # Terraform before 1.5 reads the plugin's stdout through a pipe that go-plugin's Wait closes when the
    # process exits: a launcher that printed its one line and exited at once sometimes lost it (CI saw
    # "Unrecognized remote plugin message: " with nothing after it). The launcher stays until it is killed.
    script = tmp_path / "launcher"
    script.write_bytes(install.launcher("0.0.0"))
    script.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    if broken == "no-package":  # a Python without the provider package on its path
        env["TERRAFORM_PROVIDER_OCI_PYTHON"] = getattr(sys, "_base_executable", "") or "/usr/bin/python3"
    process = subprocess.Popen([script], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "Fix:" in line, line
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=0.3)  # alive after its line: go-plugin reads it, then kills the process
    finally:
        process.kill()
        process.wait()
