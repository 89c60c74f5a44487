"""A warm server (`terraform-provider-oci warm --foreground`) for tests, in a socket directory of its own.

    with WarmServer() as warm:
        ws = Workspace(..., env={**palette_env, **warm.env})   # Terraform's launches are forked from it
        warm.status()["launches"]

`env` is what a Terraform run needs to use it: XDG_RUNTIME_DIR (where launchers look for the socket;
short, a unix socket path has ~100 bytes) and PALETTE_OCI_WARM=1. The server is started with only the
environment a server keeps, is this process's child, and is stopped by its pid.

Acceptance tests run warm: tests/conftest.py starts one server per session (per xdist worker) and
every `Workspace` of a test not marked `cold` gets its `env` (`tests.harness.terraform.WARM_ENV`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from provider.launch import handover
from provider.version import __version__

PROVIDER = Path(sys.executable).parent / "terraform-provider-oci"


def server_environment(runtime_dir: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, "XDG_RUNTIME_DIR": str(runtime_dir)}


class WarmServer:
    """A warm server in the foreground, as this process's child."""

    def __init__(self, idle_timeout: float = 3600, runtime_dir: Path | None = None):
        self.idle_timeout = idle_timeout
        self.own_dir = runtime_dir is None
        self.runtime_dir = runtime_dir or Path(tempfile.mkdtemp(prefix="w", dir="/tmp"))
        self.process: subprocess.Popen[str] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {"XDG_RUNTIME_DIR": str(self.runtime_dir), "PALETTE_OCI_WARM": "1"}

    @property
    def directory(self) -> Path:
        return self.runtime_dir / "terraform-provider-oci"

    @property
    def socket(self) -> Path:
        return self.directory / handover.socket_name(__version__)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> WarmServer:
        self.process = subprocess.Popen(
            [str(PROVIDER), "warm", "--foreground", "--idle-timeout", str(self.idle_timeout)],
            env=server_environment(self.runtime_dir),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "listening on ..." once it accepts launches
        if "listening on" not in line:
            self.process.kill()
            _, errors = self.process.communicate(timeout=30)
            raise RuntimeError(f"the warm server did not start: {line}{errors}")
        return self

    def status(self) -> dict[str, Any]:
        return json.loads(ask(self.socket, b"S"))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
            assert self.process.stderr is not None
            self.process.stderr.close()
        if self.own_dir:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)

    def log(self) -> str:
        """What the server wrote to stderr (its log), after it stopped."""
        assert self.process is not None and self.process.stderr is not None
        return self.process.stderr.read()

    def __enter__(self) -> WarmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def ask(path: Path, request: bytes) -> bytes:
    """One request (b"S" status) to the server at `path`: its answer line."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        lines = handover.Lines(sock)
        lines.next()  # hello
        sock.sendall(request)
        return lines.next()


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False
