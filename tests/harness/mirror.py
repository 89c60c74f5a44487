"""A static HTTPS server on 127.0.0.1 for a provider network mirror, with a certificate from the test CA.

    with StaticHttps(directory, ca) as server:
        server.url          # https://127.0.0.1:PORT/
        server.requests     # the paths asked for, in order

Terraform requires https:// for a network mirror and checks the certificate against the host name:
the certificate names IP:127.0.0.1 and DNS:localhost, and Terraform trusts the CA through
SSL_CERT_FILE. Served from a thread of the test process (the standard library's http.server).
"""

from __future__ import annotations

import functools
import http.server
import ssl
import tempfile
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.harness.certs import CertificateAuthority


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        self.server.requests.append(self.path)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    requests: list[str]


class StaticHttps:
    def __init__(self, directory: Path, ca: CertificateAuthority):
        self.directory = directory
        self.ca = ca
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def server(self) -> _Server:
        assert self._server is not None, "not started"
        return self._server

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def requests(self) -> list[str]:
        return self.server.requests

    def __enter__(self) -> StaticHttps:
        handler = functools.partial(_Handler, directory=str(self.directory))
        server = _Server(("127.0.0.1", 0), handler)
        server.requests = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory(prefix="mirror-cert-") as tmp:
            cert_file, key_file = self.ca.write_server_cert(Path(tmp))
            context.load_cert_chain(cert_file, key_file)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="network-mirror", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
