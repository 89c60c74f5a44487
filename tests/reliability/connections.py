"""Counting TCP connections to a local server from the kernel's table (/proc/net/tcp), so a test can
see how many connections a client really holds open, whatever process it runs in."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import TracebackType

ESTABLISHED = "01"


def established_clients(server_port: int, table: Path = Path("/proc/net/tcp")) -> set[int]:
    """Client ports of the established connections to 127.0.0.1:`server_port`, seen from the server side."""
    ports: set[int] = set()
    for line in table.read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if state == ESTABLISHED and int(local.rsplit(":", 1)[1], 16) == server_port:
            ports.add(int(remote.rsplit(":", 1)[1], 16))
    return ports


class ConnectionWatch:
    """Samples the connections to `server_port` every `interval` seconds while in the `with` block:
    `peak` (most open at once, less those open before it started) and `seen` (every client port)."""

    def __init__(self, server_port: int, interval: float = 0.02) -> None:
        self.server_port = server_port
        self.interval = interval
        self.before: set[int] = set()
        self.peak = 0
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ConnectionWatch:
        self.before = established_clients(self.server_port)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _sample(self) -> None:
        while not self._stop.is_set():
            now = established_clients(self.server_port) - self.before
            self.peak = max(self.peak, len(now))
            self.seen |= now
            time.sleep(self.interval)
