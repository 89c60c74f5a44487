"""The warm server's checks as pure functions, and the launcher against fake servers."""

from __future__ import annotations

import os
import socket
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provider import files
from provider.launch import handover, warm, warm_cli
from provider.version import __version__


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    short = Path(os.environ.get("TMPDIR", "/tmp")) / f"wu{os.getpid()}"
    short.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short))
    yield short
    import shutil

    shutil.rmtree(short, ignore_errors=True)


def test_socket_dir_prefers_the_runtime_dir_then_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/user/1000")
    assert handover.socket_dir() == "/run/user/1000/terraform-provider-oci"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/u/.cache")
    assert handover.socket_dir() == "/home/u/.cache/terraform-provider-oci"
    monkeypatch.setenv("XDG_RUNTIME_DIR", "relative")  # not a path: ignored
    assert handover.socket_dir() == "/home/u/.cache/terraform-provider-oci"


def test_one_socket_per_version_and_python(monkeypatch: pytest.MonkeyPatch) -> None:
    name = handover.socket_name("1.2.3")
    assert name == handover.socket_name("1.2.3") and name.startswith("warm-1.2.3-") and name.endswith(".sock")
    assert handover.socket_name("1.2.4") != name
    monkeypatch.setattr(sys, "executable", "/other/venv/bin/python")
    assert handover.socket_name("1.2.3") != name


def test_the_hello_names_version_and_python() -> None:
    _, hexversion, python = handover.identity(__version__).split("\t", 2)
    hello = f"palette-oci-warm\t2\t{__version__}\t{hexversion}\t4242\t{python}".encode()
    assert handover.server_identity(hello) == handover.identity(__version__)
    assert handover.server_identity(hello.replace(__version__.encode(), b"9.9.9")) != handover.identity(__version__)
    assert handover.server_identity(hello.replace(b"\t2\t", b"\t1\t", 1)) is None  # another protocol
    assert handover.server_identity(b"palette-oci-warm\t1\tx\ty\t1\tz") is None  # protocol 1's shorter hello
    assert handover.server_identity(b"SSH-2.0-OpenSSH") is None
    assert handover.server_identity(b"") is None


def test_the_identity_names_the_provider_packages_directory() -> None:
    # Two installs of one version in one Python (a checkout and a copy of it) are two servers.
    package = handover.identity(__version__).split("\t")[-1]
    assert package == str(Path(files.package_site()) / "provider")


def test_python_and_python3_of_one_virtualenv_are_one_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A virtualenv's bin/: python3 -> the base interpreter, python -> python3. The console script runs
    # bin/python, `install` may record bin/python3: one server must serve both (issue 21, item 5).
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python3").symlink_to(os.path.realpath(sys.executable))
    (venv / "bin" / "python").symlink_to("python3")
    monkeypatch.setattr(sys, "prefix", str(venv))
    names = set()
    for python in ("python", "python3"):
        monkeypatch.setattr(sys, "executable", str(venv / "bin" / python))
        names.add(handover.socket_name(__version__))
    assert len(names) == 1
    # Another virtualenv of the same base Python resolves to the same interpreter, but is another Python.
    other = tmp_path / "other"
    (other / "bin").mkdir(parents=True)
    (other / "bin" / "python").symlink_to(os.path.realpath(sys.executable))
    monkeypatch.setattr(sys, "prefix", str(other))
    monkeypatch.setattr(sys, "executable", str(other / "bin" / "python"))
    assert handover.socket_name(__version__) not in names


def test_the_execution_context_compares_every_item_by_name_only() -> None:
    mine = warm.execution_context(os.getpid())
    for item in ("net namespace", "mnt namespace", "user namespace", "pid namespace", "Uid", "Gid", "Groups"):
        assert item in mine, item
    for item in ("CapEff", "CapBnd", "CapAmb", "CapPrm", "CapInh", "NoNewPrivs", "Seccomp", "cgroup"):
        assert item in mine, item
    assert "rlimit Max open files" in mine and "root directory" in mine and "nice" in mine
    assert (
        mine["nice"] == str(os.getpriority(os.PRIO_PROCESS, 0)) and mine["oom_score_adj"].strip().lstrip("-").isdigit()
    )
    assert warm.context_difference(mine, dict(mine)) == []
    theirs = {**mine, "net namespace": "net:[1]", "CapEff": "0000000000000000", "new item": "x"}
    theirs.pop("Seccomp")
    assert warm.context_difference(mine, theirs) == ["net namespace", "CapEff", "Seccomp", "new item"]
    assert warm.context_difference(mine, {}) == list(mine), "an unreadable launcher matches nothing"


@pytest.mark.skipif(os.getuid() != 0, reason="setpriv and unshare need root (CI runs as root)")
@pytest.mark.parametrize(
    ("wrapper", "differs"),
    [
        ([], []),
        (["unshare", "-n"], ["net namespace"]),
        (["unshare", "-m"], ["mnt namespace"]),
        (["setpriv", "--regid", "65534", "--clear-groups"], ["Gid"]),
        (["setpriv", "--inh-caps=-all", "--bounding-set=-all"], ["CapPrm", "CapEff", "CapBnd"]),
        (["setpriv", "--no-new-privs"], ["NoNewPrivs"]),
        (["prlimit", "--nofile=512:512"], ["rlimit Max open files"]),
        (["chroot", "/"], []),  # the same root directory
        (["nice", "-n", "5"], ["nice"]),
        (["choom", "-n", "300", "--"], ["oom_score_adj"]),
        (["chrt", "--batch", "0"], ["scheduling policy"]),
    ]
    + ([(["taskset", "-c", "0"], ["Cpus_allowed_list"])] if len(os.sched_getaffinity(0)) > 1 else []),
)
def test_a_process_in_another_context_is_told_apart(wrapper: list[str], differs: list[str]) -> None:
    import subprocess

    process = subprocess.Popen([*wrapper, "sleep", "30"])
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{process.pid}/exe").resolve().name != "sleep":  # the wrapper has exec'd sleep
            assert time.monotonic() < deadline
            time.sleep(0.01)
        why = warm.why_not_served(process.pid)
        if not differs:
            assert why is None
        else:
            assert why is not None and set(why.split(", ")) == set(differs), why
            assert "[" not in why and "0000" not in why, "names only, never values"
    finally:
        process.kill()
        process.wait()


def test_a_process_the_server_cannot_see_is_not_served() -> None:
    assert warm.why_not_served(0) is not None


def test_a_directory_or_socket_of_another_uid_is_not_trusted(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = runtime / "terraform-provider-oci"
    directory.mkdir(mode=0o700)
    path = directory / "warm.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        assert handover.private_dir(str(directory)) and handover.usable_socket(str(path))
        directory.chmod(0o750)
        assert not handover.private_dir(str(directory)), "open to the group"
        directory.chmod(0o700)
        # The same stat, seen by another user: what a launcher finds in a directory that is not its own.
        monkeypatch.setattr(os, "getuid", lambda: os.geteuid() + 1)
        assert not handover.private_dir(str(directory))
        assert not handover.usable_socket(str(path))
        assert not path.exists(), "a socket of another owner is removed"


def test_a_file_at_the_socket_name_is_removed(runtime: Path) -> None:
    directory = runtime / "terraform-provider-oci"
    directory.mkdir(mode=0o700)
    path = directory / handover.socket_name(__version__)
    path.write_text("not a socket")
    assert handover.connect(__version__) is None
    assert not path.exists()


def test_a_stale_socket_is_removed_and_the_launch_starts_cold(runtime: Path) -> None:
    directory = runtime / "terraform-provider-oci"
    directory.mkdir(mode=0o700)
    path = directory / handover.socket_name(__version__)
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(path))  # bound, never listening: its server is gone
    assert stat.S_ISSOCK(path.lstat().st_mode)
    assert handover.handover(__version__) is None
    assert not path.exists()


def fake_server(path: Path, hello: bytes) -> tuple[threading.Thread, list[bytes]]:
    """A server that says `hello` and records what it is sent."""
    received: list[bytes] = []
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, listener:
            conn.sendall(hello + b"\n")
            while chunk := conn.recv(4096):
                received.append(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread, received


@pytest.mark.parametrize("version", ["9.9.9", "other-python"])
def test_a_server_of_another_version_or_python_gets_nothing(version: str, runtime: Path) -> None:
    directory = runtime / "terraform-provider-oci"
    directory.mkdir(mode=0o700)
    python = "/elsewhere/bin/python" if version == "other-python" else sys.executable
    announced = __version__ if version == "other-python" else version
    hello = f"palette-oci-warm\t1\t{announced}\t{sys.hexversion:x}\t1\t{python}".encode()
    thread, received = fake_server(directory / handover.socket_name(__version__), hello)
    assert handover.handover(__version__) is None
    thread.join(timeout=10)
    assert received == [], "no descriptors, no environment"


def test_palette_oci_warm_0_never_hands_over(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = runtime / "terraform-provider-oci"
    directory.mkdir(mode=0o700)
    path = directory / handover.socket_name(__version__)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        listener.listen(1)
        monkeypatch.setenv("PALETTE_OCI_WARM", "0")
        assert handover.handover(__version__) is None
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected


def test_the_server_refuses_a_peer_of_another_uid(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = warm.Server(idle_timeout=60)
    try:
        monkeypatch.setattr(handover, "peer_uid", lambda sock: os.getuid() + 1)
        ours, theirs = socket.socketpair(socket.AF_UNIX)
        with ours, theirs:
            assert server.answer(ours) == "refused"
            theirs.settimeout(1)
            ours.close()
            assert theirs.recv(100) == b"", "not even the hello"
    finally:
        server.close()
        if server.lock:
            server.lock.close()


def test_the_servers_environment_keeps_no_secret() -> None:
    environment = {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "LC_ALL": "C.UTF-8",
        "XDG_RUNTIME_DIR": "/run/user/1",
        "PALETTE_API_KEY": "secret",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "TF_VAR_password": "secret",
        "PYTHONPATH": "/tmp/evil",
        "TF_PLUGIN_MAGIC_COOKIE": "x",
    }
    assert warm_cli.clean_environment(environment) == {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "LC_ALL": "C.UTF-8",
        "XDG_RUNTIME_DIR": "/run/user/1",
    }


def test_the_bundles_own_variables_do_not_make_the_server_re_execute_itself() -> None:
    # The release package's bootloader sets these at every start: re-executing to be rid of them looped.
    bootloader = {"_PYI_ARCHIVE_FILE": "/b/x", "_PYI_PARENT_PROCESS_LEVEL": "-1", "LD_LIBRARY_PATH": "/b/_internal"}
    clean = {"PATH": "/usr/bin", "HOME": "/home/u"}
    assert not warm_cli.needs_cleaning({**clean, **bootloader}, is_frozen=True)
    assert warm_cli.needs_cleaning({**clean, **bootloader, "PALETTE_API_KEY": "secret"}, is_frozen=True)
    assert warm_cli.needs_cleaning({**clean, **bootloader}, is_frozen=False)  # a Python: LD_LIBRARY_PATH is the user's
    assert not warm_cli.needs_cleaning(clean, is_frozen=False)


@pytest.mark.parametrize(("text", "seconds"), [("600", 600), ("90s", 90), ("10m", 600), ("1h", 3600), ("0.5", 0.5)])
def test_idle_timeouts(text: str, seconds: float) -> None:
    assert warm_cli.parse_duration(text) == seconds


def test_a_bad_idle_timeout_says_what_is_expected() -> None:
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match="such as 600, 90s, 10m or 1h"):
        warm_cli.parse_duration("ten minutes")


def test_the_launchers_side_imports_nothing_heavy() -> None:
    import subprocess

    code = (
        "import sys; before = set(sys.modules); import provider.launch.handover, provider.__main__; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True).stdout
    # The entry, the command line and serving's checks: os and sys only, which the interpreter has loaded.
    launch_side = {"provider.launch", "provider.launch.handover", "provider.launch.cli", "provider.launch.serve"}
    assert set(loaded.split()) <= {"provider", "provider.__main__", "__future__", *launch_side}, loaded
