"""What the client puts on the wire per request (issue 25): the request each call builds is the one
httpx's `request(json=...)` would build, byte for byte; no cookie Palette (or a load balancer in front
of it) sets is kept or sent back; a connection the server closed while idle is never used again (our
transport on http.client, `provider.palette.connections`). A real HTTP server on 127.0.0.1 (the
standard library's) records what arrives."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from provider.palette.client import PaletteClient
from provider.palette.transport import Transport

pytestmark = pytest.mark.palette

METADATA = {"items": [{"metadata": {"name": "Default", "uid": "p1"}}]}


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Palette
    seen: list[dict[str, str]]
    close_after_answer = False  # close the connection after each answer, without saying so

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = json.dumps(METADATA).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "AWSALB=sticky-session; Path=/")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = type(self).close_after_answer

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(params=[False, True], ids=["keep-alive", "closed-when-idle"])
def recorder(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[dict[str, str]]]]:
    handler = type("Handler", (_Recorder,), {"seen": [], "close_after_answer": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.seen
    finally:
        server.shutdown()
        server.server_close()


def test_a_cookie_palette_sets_is_never_sent_back(recorder: tuple[str, list[dict[str, str]]]) -> None:
    """Also: with no retries allowed, every request is answered where the server closes each connection
    after its answer without saying so (a stale keep-alive connection is never written to)."""
    url, seen = recorder
    with PaletteClient(url, "a-key", max_retries=0) as client:
        for _ in range(3):
            assert client.answer("/v1/dashboard/projects/metadata").status_code == 200
            time.sleep(0.05)  # the server's close reaches the client's socket
        assert not client._http.cookies
    assert len(seen) == 3
    assert [h.get("cookie") for h in seen] == [None, None, None]
    assert all(h["apikey"] == "a-key" for h in seen)


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("GET", "/v1/registries/oci/a%2Fb/basic", None, None),
        ("POST", "/v1/registries/oci/basic/validate", {"name": "é", "n": [1, 2.5, None]}, None),
        ("PUT", "/v1/registries/oci/u1/ecr", {"spec": {"isPrivate": True}}, None),
        ("DELETE", "/v1/registries/oci/u1/basic", None, None),
        ("GET", "/v1/registries/oci/summary", None, {"filter": "a b&c"}),
    ],
)
@pytest.mark.parametrize("host", ["http://127.0.0.1:9", "https://bücher.example:8443"])
def test_each_request_is_the_one_httpx_json_would_build(
    host: str, method: str, path: str, body: Any, params: dict[str, str] | None
) -> None:
    """The client builds each request from parts made once (origin, headers): the same URL, the same
    headers in the same order, the same body as `httpx.Client.build_request(json=...)`."""
    transport = Transport(host, "a-key")
    try:
        ours = transport.request(method, path, body=body, params=params)
        httpx_own = httpx.Client.build_request(transport.http, method, path, json=body, params=params)
        assert str(ours.url) == str(httpx_own.url)
        assert ours.headers.multi_items() == httpx_own.headers.multi_items()
        assert ours.read() == httpx_own.read()
    finally:
        transport.close()
