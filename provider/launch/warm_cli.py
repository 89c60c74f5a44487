"""`terraform-provider-oci warm`: the warm server's command line, and starting a server on first use.

    terraform-provider-oci warm [--idle-timeout 10m] [--foreground [--log FILE]]
    terraform-provider-oci warm --status | --stop

The server itself is `provider.launch.warm`. This side starts it (detached in its own session, or
in the foreground) with only the environment it needs (`clean_environment`: no API key or AWS
secret in its /proc/PID/environ, re-executing itself without them when started from a shell that
has them), asks running servers their status or to stop, and starts one on a cold launch when
PALETTE_OCI_WARM=1 (`start_on_first_use`, which never fails the launch).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from provider.files import package_site
from provider.launch import handover
from provider.launch.warm import (
    REQUEST_TIMEOUT,
    WarmError,
    current_version,
    private_directory,
    run_server,
    server_lock,
)

DEFAULT_IDLE_TIMEOUT = 600.0
# The environment the server keeps (and passes to nothing): where its socket and caches are, locale.
KEPT_ENVIRONMENT = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME")
KEPT_PREFIXES = ("LC_",)
# What the release package's bootloader (PyInstaller) sets in its own process at every start: a
# server that re-executed itself to be rid of them would do so forever.
BOOTLOADER_VARIABLES = ("LD_LIBRARY_PATH", "LD_LIBRARY_PATH_ORIG")
BOOTLOADER_PREFIXES = ("_PYI_", "_MEI")
# How long `warm` waits for a detached server to listen, and `--stop` for one to exit.
START_WAIT = 30.0
STOP_WAIT = 10.0

_SERVER_BOOT = (
    "import sys\n"
    "site = sys.argv.pop(1)\n"
    "if site not in sys.path:\n"
    "    sys.path.append(site)\n"
    "from provider.__main__ import main\n"
    "sys.exit(main())\n"
)


def clean_environment(environment: dict[str, str]) -> dict[str, str]:
    """Only what the server needs: no credentials, no TF_*, no PALETTE_*, no AWS_*."""
    return {k: v for k, v in environment.items() if k in KEPT_ENVIRONMENT or k.startswith(KEPT_PREFIXES)}


def needs_cleaning(environment: dict[str, str], is_frozen: bool) -> bool:
    """The environment holds more than a server keeps (beyond what the bundle's bootloader adds itself)."""
    extra = set(environment) - set(clean_environment(environment))
    if is_frozen:
        extra = {
            name for name in extra if name not in BOOTLOADER_VARIABLES and not name.startswith(BOOTLOADER_PREFIXES)
        }
    return bool(extra)


def parse_duration(text: str) -> float:
    """Seconds from a number of seconds ("600") or a duration as Terraform writes one ("90s", "10m", "1h30m")."""
    from provider.durations import parse_duration as go_duration

    text = text.strip()
    seconds = float(text) if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text) else go_duration(text)
    if seconds is None or seconds < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 600, 90s, 10m or 1h30m")
    return seconds


def socket_path(version: str | None = None) -> Path:
    return Path(handover.socket_dir()) / handover.socket_name(version or current_version())


def _server_command(idle_timeout: float, log: Path | None) -> list[str]:
    if handover.frozen():
        command = [sys.executable, "warm", "--foreground"]
    else:  # isolated (-I): no PYTHONPATH, no user site, not the working directory
        command = [sys.executable, "-I", "-c", _SERVER_BOOT, package_site(), "warm", "--foreground"]
    command += ["--idle-timeout", f"{idle_timeout:g}"]
    return command + (["--log", str(log)] if log else [])


def start_detached(idle_timeout: float) -> Any:
    """Start a server in its own session with a clean environment; its output goes to its log file."""
    import subprocess

    directory = private_directory()
    name = handover.socket_name(current_version()).removesuffix(".sock")
    log = directory / (name + ".log")
    # The log from the first instruction on: a server that fails before it opens its log itself
    # (`--log`, which starts the file anew) leaves its reason where `warm` points.
    handle = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    try:
        return subprocess.Popen(
            _server_command(idle_timeout, log),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=handle,
            env=clean_environment(dict(os.environ)),
            start_new_session=True,
            close_fds=True,
        )
    finally:
        os.close(handle)


def start_on_first_use() -> None:
    """PALETTE_OCI_WARM=1 on a cold start: start a server for the next launches, unless one is
    starting or running. Never fails the launch: a server that cannot start is only a slower launch."""
    try:
        directory = private_directory()
        name = handover.socket_name(current_version()).removesuffix(".sock")
        lock = server_lock(directory, name)
        if lock is None:
            return  # a server holds it: running, or starting
        lock.close()
        timeout = os.environ.get("PALETTE_OCI_WARM_IDLE_TIMEOUT")
        start_detached(parse_duration(timeout) if timeout else DEFAULT_IDLE_TIMEOUT)
    except (WarmError, OSError, argparse.ArgumentTypeError) as error:
        import logging

        logging.getLogger("provider.warm").warning("the warm server was not started: %s", error)


def servers() -> Iterator[Path]:
    """This user's warm server sockets, of every version and Python."""
    directory = Path(handover.socket_dir())
    if not handover.private_dir(str(directory)):
        return iter(())
    return iter(sorted(directory.glob("warm-*.sock")))


def ask(path: Path, request: bytes) -> tuple[str, bytes] | None:
    """Send a status (b"S") or stop (b"Q") request: the server's hello and answer, or None (stale socket)."""
    import socket

    if not handover.usable_socket(str(path)):
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(REQUEST_TIMEOUT)
        try:
            sock.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            path.unlink(missing_ok=True)  # stale
            return None
        if handover.peer_uid(sock) != os.getuid():
            return None
        lines = handover.Lines(sock)
        hello = lines.next().decode("utf-8", "replace")
        sock.sendall(request)
        return hello, lines.next()


def _pid_of(hello: str) -> int:
    fields = hello.split("\t")
    return int(fields[4]) if len(fields) == 8 and fields[4].isdigit() else 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own child, not reaped yet) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def status_all() -> list[dict[str, Any]]:
    found = []
    for path in servers():
        answer = ask(path, b"S")
        if answer is not None and answer[1]:
            found.append(json.loads(answer[1]))
    return found


def stop_all() -> list[dict[str, Any]]:
    """Stop every warm server of this user; wait until their processes are gone."""
    stopped = []
    for path in servers():
        answer = ask(path, b"Q")
        if answer is None:
            continue
        pid = _pid_of(answer[0])
        deadline = time.monotonic() + STOP_WAIT
        while pid and _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        stopped.append({"pid": pid, "socket": str(path), "gone": not (pid and _alive(pid))})
    return stopped


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="terraform-provider-oci warm",
        description=(
            "Keep a warm provider server: each launch Terraform makes is forked from it instead of "
            "starting Python, grpc and protobuf again. Stops by itself after --idle-timeout without launches."
        ),
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--foreground", action="store_true", help="run in this terminal (Ctrl-C stops it)")
    group.add_argument("--stop", action="store_true", help="stop this user's warm servers")
    group.add_argument("--status", action="store_true", help="list this user's warm servers")
    parser.add_argument(
        "--idle-timeout",
        type=parse_duration,
        default=DEFAULT_IDLE_TIMEOUT,
        help="stop after this long without a launch: seconds, or 90s, 10m, 1h (default 10m)",
    )
    parser.add_argument("--log", type=Path, help="with --foreground: write the log to this file, not stderr")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.status:
            found = status_all()
            for server in found:
                print(
                    f"pid {server['pid']}: palette/oci {server['version']} on {server['python']}, "
                    f"{server['socket']}, {server['launches']} launches, idle {server['idle_for']:g} s "
                    f"of {server['idle_timeout']:g} s"
                    + (
                        f"; {server['declined']} launches sent cold (last: {server['last_declined']} differed)"
                        if server.get("declined")
                        else ""
                    )
                )
            if not found:
                print(f"no warm server is running (sockets in {handover.socket_dir()})")
            return 0
        if args.stop:
            stopped = stop_all()
            for server in stopped:
                print(f"stopped the warm server pid {server['pid']} ({server['socket']})")
            if not stopped:
                print("no warm server was running")
            return 0 if all(server["gone"] for server in stopped) else 1
        if args.foreground:
            return _foreground(args.idle_timeout, args.log, argv)
        return _detached(args.idle_timeout)
    except WarmError as error:
        print(f"terraform-provider-oci warm: {error}", file=sys.stderr)
        return 1


def _foreground(idle_timeout: float, log: Path | None, argv: list[str]) -> int:
    if needs_cleaning(dict(os.environ), handover.frozen()):
        # Our environment may hold credentials (a shell with PALETTE_API_KEY exported): run again
        # with only what the server needs, so that none stays in /proc/PID/environ.
        command = _server_command(idle_timeout, log)
        os.execve(command[0], command, clean_environment(dict(os.environ)))
    if log is not None:
        handle = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        os.dup2(handle, 2)
        os.close(handle)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    status = run_server(idle_timeout)
    # The socket is gone (run_server's finally). End without the interpreter's teardown: grpc's, after
    # forks, can wait on its own threads, and a SIGTERM'd server must exit promptly.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _detached(idle_timeout: float) -> int:
    path = socket_path()
    answer = ask(path, b"S")
    if answer is not None and answer[1]:
        print(f"a warm server is already running (pid {_pid_of(answer[0])}), listening on {path}")
        return 0
    process = start_detached(idle_timeout)
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        answer = ask(path, b"S")
        if answer is not None and answer[1]:
            print(
                f"warm server started (pid {_pid_of(answer[0])}), listening on {path}; it stops after "
                f"{idle_timeout:g} s without a launch, or with `terraform-provider-oci warm --stop`"
            )
            return 0
        if process.poll() is not None:
            break
        time.sleep(0.05)
    log = path.with_suffix(".log")
    print(f"terraform-provider-oci warm: the server did not start; see {log}", file=sys.stderr)
    return 1
