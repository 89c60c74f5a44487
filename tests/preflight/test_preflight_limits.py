"""Bounded time, one retry at most, read-only requests, and answers that are not a registry.

Misbehaving peers are small socket servers on 127.0.0.1: one that never answers, one that resets
every connection, web servers that answer HTML or 404, and a recording proxy in front of the real
docker-registry that notes every request line.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from provider.preflight import run_preflight
from tests.harness.registry import DockerRegistry
from tests.preflight.conftest import values

REQUEST_LINE = re.compile(rb"(?:^|\r\n)([A-Z]+) /\S* HTTP/1\.[01]\r\n")


class SocketServer:
    """Accepts connections on 127.0.0.1 and hands each to `serve` in a thread."""

    def __init__(self, serve: Callable[[socket.socket], None] | None, accept: bool = True):
        self.serve = serve
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=16)
        if accept:
            threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            if self.serve:
                self.serve(connection)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def silent_server() -> Iterator[SocketServer]:
    # Never accepts: the kernel completes the TCP handshake from the backlog, and nothing answers.
    server = SocketServer(None, accept=False)
    yield server
    server.close()


def reset(connection: socket.socket) -> None:
    connection.recv(65536)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST


def test_a_registry_that_never_answers_fails_within_the_timeout(silent_server: SocketServer):
    started = time.monotonic()
    findings = run_preflight(values_at(f"http://{silent_server.address}"), "helm", timeout=0.3)
    elapsed = time.monotonic() - started
    assert [(f.severity, f.path, f.summary) for f in findings] == [("error", ("endpoint",), "Registry did not answer")]
    assert "0.3 s" in findings[0].detail
    assert 0.3 <= elapsed < 1.0


def test_the_total_budget_ends_the_run_with_a_warning(silent_server: SocketServer):
    started = time.monotonic()
    findings = run_preflight(values_at(f"http://{silent_server.address}"), "helm", timeout=5.0, budget=0.4)
    elapsed = time.monotonic() - started
    assert [(f.severity, f.summary) for f in findings] == [("warning", "Preflight ran out of time")]
    assert 0.4 <= elapsed < 1.2


def test_a_reset_connection_is_retried_once_and_only_once():
    server = SocketServer(reset)
    try:
        findings = run_preflight(values_at(f"http://{server.address}"), "helm")
    finally:
        server.close()
    assert [(f.path, f.summary) for f in findings] == [(("endpoint",), "Registry dropped the connection")]
    assert server.connections == 2


class WebPage(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = b"<!doctype html><html><body>Welcome to Harbor</body></html>"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class NotFound(WebPage):
    status = 404


@pytest.mark.parametrize(("handler", "answer"), [(WebPage, "HTTP 200, text/html"), (NotFound, "HTTP 404, text/html")])
def test_a_web_server_is_not_an_oci_registry(handler: type[WebPage], answer: str):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        findings = run_preflight(values_at(f"http://127.0.0.1:{server.server_port}"), "helm")
    finally:
        server.shutdown()
        server.server_close()
    assert [(f.severity, f.path, f.summary) for f in findings] == [("error", ("endpoint",), "Not an OCI registry")]
    assert answer in findings[0].detail


def test_only_get_requests_reach_the_registry(plain_registry: DockerRegistry):
    methods: list[str] = []
    proxy = SocketServer(lambda client: relay(client, plain_registry.port, methods))
    try:
        assert run_preflight(values(plain_registry, endpoint=f"http://{proxy.address}"), "helm") == []
    finally:
        proxy.close()
    assert methods and set(methods) == {"GET"}, methods


def relay(client: socket.socket, port: int, methods: list[str]) -> None:
    """Copy bytes both ways between `client` and 127.0.0.1:port, noting each request's method."""
    with socket.create_connection(("127.0.0.1", port)) as upstream:
        threading.Thread(target=_copy, args=(upstream, client, None), daemon=True).start()
        _copy(client, upstream, methods)


def _copy(source: socket.socket, target: socket.socket, methods: list[str] | None) -> None:
    try:
        while data := source.recv(65536):
            if methods is not None:
                methods.extend(m.decode() for m in REQUEST_LINE.findall(data))
            target.sendall(data)
    except OSError:
        pass


def values_at(endpoint: str) -> dict[str, Any]:
    return {
        "name": "r",
        "endpoint": endpoint,
        "base_content_path": "charts",
        "basic_auth": None,
        "ecr": None,
        "tls": None,
    }
