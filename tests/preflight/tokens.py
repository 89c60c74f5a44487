"""A token service for docker-registry's `auth: token` mode: the Bearer flow of the distribution spec.

    service = TokenService(ca, "alice", "s3cret").start()
    registry = TokenAuthRegistry(workdir, ca=ca, token_service=service).start()
    ...
    service.requests      [(username or None, scope or None, status)]: what clients asked for
    service.stop()

The service checks Basic credentials and answers `{"token": <JWT>}` granting what was asked.
The JWT is signed (ES256) with a key the test CA certifies; the certificate travels in the
header's `x5c`, and the registry trusts the CA through `rootcertbundle`, as distribution 2.8
verifies tokens.
"""

from __future__ import annotations

import base64
import json
import secrets
import shutil
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.harness.certs import CertificateAuthority
from tests.harness.registry import DockerRegistry

SERVICE = "preflight-test-registry"
ISSUER = "preflight-test-token-issuer"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenService:
    def __init__(self, ca: CertificateAuthority, username: str, password: str, *, tls: bool = True):
        """`tls`: serve HTTPS with a certificate from `ca` (as real token services do); plain HTTP
        otherwise, which preflight refuses to send credentials to for an HTTPS registry."""
        self.ca = ca
        self.tls = tls
        self.username = username
        self.password = password
        cert_pem, key_pem = ca.issue_server_cert(("preflight-token-signer",))
        self._cert = x509.load_pem_x509_certificate(cert_pem.encode())
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        self._key = key
        self.requests: list[tuple[str | None, str | None, int]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def realm(self) -> str:
        assert self._server is not None
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._server.server_port}/token"

    def issue(self, subject: str, scopes: list[str]) -> str:
        header = {
            "typ": "JWT",
            "alg": "ES256",
            "x5c": [base64.b64encode(self._cert.public_bytes(serialization.Encoding.DER)).decode()],
        }
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": [_access(scope) for scope in scopes],
        }
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def _answer(self, authorization: str, query: str) -> tuple[int, dict[str, Any]]:
        username = self._user(authorization)
        scopes = parse_qs(query).get("scope", [])
        if username is None:
            self.requests.append((None, scopes[0] if scopes else None, 401))
            return 401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
        self.requests.append((username, scopes[0] if scopes else None, 200))
        return 200, {"token": self.issue(username, scopes), "expires_in": 300}

    def _user(self, authorization: str) -> str | None:
        if not authorization.startswith("Basic "):
            return None
        username, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        return username if (username, password) == (self.username, self.password) else None

    def start(self) -> TokenService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                status, body = service._answer(self.headers.get("Authorization", ""), parts.query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: pytest shows failures, not every request

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls:
            cert_pem, key_pem = self.ca.issue_server_cert()
            directory = Path(tempfile.mkdtemp(prefix="token-service-"))
            (directory / "server.crt").write_text(cert_pem)
            (directory / "server.key").write_text(key_pem)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(directory / "server.crt", directory / "server.key")
            shutil.rmtree(directory)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _access(scope: str) -> dict[str, Any]:
    """`repository:charts/nginx:pull` -> the claim that grants it (everything asked is granted)."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    return {"type": kind, "name": name, "actions": actions.split(",")}


class TokenAuthRegistry(DockerRegistry):
    """A DockerRegistry whose clients must bring a token from `token_service` (auth: token)."""

    def __init__(self, workdir: Path, *, token_service: TokenService, **kwargs: Any):
        super().__init__(workdir, username=token_service.username, password=token_service.password, **kwargs)
        self.token_service = token_service

    def _write_config(self) -> Path:
        path = super()._write_config()
        bundle = self.workdir / "token-ca.pem"
        bundle.write_text(self.token_service.ca.cert_pem)
        config = json.loads(path.read_text())
        config["auth"] = {
            "token": {
                "realm": self.token_service.realm,
                "service": SERVICE,
                "issuer": ISSUER,
                "rootcertbundle": str(bundle),
            }
        }
        path.write_text(json.dumps(config))
        return path
