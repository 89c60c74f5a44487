"""Starting and stopping the real parts the tests talk to (emulator, docker-registry, moto, ...).

    proc = ManagedProcess.start(["docker-registry", "serve", "config.yml"], name="docker-registry")
    proc.wait_for_http("http://127.0.0.1:5000/v2/", timeout=10)
    ...
    proc.stop()

Each process runs in its own process group (so whatever it spawns stops with it) and is stopped
by its own pid: SIGTERM to its group, then SIGKILL if it has not exited in time. Its stdout lines
and the tail of its stderr are captured by reader threads, so a failed start raises with what
the process said.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any


class ProcessStartError(RuntimeError):
    """A process did not become ready; the message ends with the tail of its stderr."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ManagedProcess:
    """One child process with captured output; see the module docstring."""

    def __init__(self, popen: subprocess.Popen[bytes], name: str) -> None:
        self.popen = popen
        self.name = name
        self._stdout: list[str] = []
        self._stderr: deque[str] = deque(maxlen=200)
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._pump, args=(popen.stdout, self._stdout.append), daemon=True),
            threading.Thread(target=self._pump, args=(popen.stderr, self._stderr.append), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @classmethod
    def start(
        cls,
        argv: Sequence[str | Path],
        *,
        name: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        unset_env_prefixes: Sequence[str] = (),
    ) -> ManagedProcess:
        """Start `argv` in its own process group. `env` is added to os.environ, minus the variables
        whose names start with one of `unset_env_prefixes`."""
        inherited = {key: value for key, value in os.environ.items() if not key.startswith(tuple(unset_env_prefixes))}
        popen = subprocess.Popen(
            [str(arg) for arg in argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**inherited, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
        return cls(popen, name or Path(str(argv[0])).name)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _pump(self, stream: IO[bytes] | None, sink: Any) -> None:
        if stream is None:
            return
        for raw in stream:
            with self._changed:
                sink(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    # Output

    @property
    def stdout_lines(self) -> list[str]:
        with self._changed:
            return list(self._stdout)

    def stderr_tail(self, lines: int = 40) -> str:
        with self._changed:
            return "\n".join(list(self._stderr)[-lines:])

    def _fail(self, what: str) -> ProcessStartError:
        exit_note = f" (exited with {self.popen.returncode})" if self.popen.poll() is not None else ""
        self.stop()
        return ProcessStartError(f"{self.name}: {what}{exit_note}; its stderr ends with:\n{self.stderr_tail()}")

    # Readiness

    def wait_for_line(self, pattern: str | re.Pattern[str], timeout: float = 15.0) -> re.Match[str]:
        """The first stdout line matching `pattern` (searched), waiting for it up to `timeout` seconds."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self._stdout[seen:]:
                    match = regex.search(line)
                    if match:
                        return match
                seen = len(self._stdout)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.popen.poll() is not None and not self._readers[0].is_alive()):
                    break
                self._changed.wait(min(remaining, 0.1))
        raise self._fail(f"did not print a line matching {regex.pattern!r} within {timeout:g}s")

    def wait_for_port(self, port: int, host: str = "127.0.0.1", timeout: float = 15.0) -> None:
        """Wait until something accepts TCP connections on host:port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.popen.poll() is None:
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise self._fail(f"did not accept connections on {host}:{port} within {timeout:g}s")

    def wait_for_http(self, url: str, timeout: float = 15.0, verify: Any = True) -> None:
        """Wait until `url` answers any HTTP status (a 401 means the server is up)."""
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.popen.poll() is None:
            try:
                httpx.get(url, timeout=1.0, verify=verify)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise self._fail(f"did not answer HTTP at {url} within {timeout:g}s")

    # Stopping

    def _signal_group(self, sig: signal.Signals) -> None:
        # The child leads its own group (start_new_session); signal only that group, by its id.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout` seconds; returns the exit code. Safe to call twice."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(timeout)
        for reader in self._readers:
            reader.join(timeout=1.0)
        return self.popen.returncode

    def __enter__(self) -> ManagedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
