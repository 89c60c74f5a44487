"""A Docker token service, so docker-registry can demand the Bearer token flow (as Harbor, GHCR... do).

    tokens = TokenServer(users={"ci": "secret"}).start()
    DockerRegistry(tmp, token_server=tokens).start()   # the registry now answers 401 + Bearer challenge
    tokens.stop()

The registry sends `WWW-Authenticate: Bearer realm=<this server>/token,service=...`; a client
asks the realm for a token with HTTP basic auth and retries with `Authorization: Bearer <token>`.
Tokens are ES256 JWTs whose `x5c` header carries a certificate that the registry trusts through
its `rootcertbundle` (`cert_file`). Served by the standard library's HTTP server in a thread.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import secrets
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

ISSUER = "palette-test-token-issuer"
SERVICE = "palette-test-registry"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signing_identity() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


class TokenServer:
    def __init__(self, users: Mapping[str, str], *, service: str = SERVICE) -> None:
        self.users = dict(users)
        self.service = service
        self.issuer = ISSUER
        self._key, self._cert = _signing_identity()
        self._server: ThreadingHTTPServer | None = None
        self.issued = 0  # how many tokens were handed out (tests can check the flow was used)

    @property
    def realm(self) -> str:
        assert self._server is not None, "start() the token server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/token"

    def write_cert(self, path: Path) -> Path:
        """The certificate the registry must trust for token signatures (its `rootcertbundle`)."""
        path.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))
        return path

    def token(self, subject: str, scope: str | None) -> str:
        header = {
            "typ": "JWT",
            "alg": "ES256",
            "x5c": [base64.b64encode(self._cert.public_bytes(serialization.Encoding.DER)).decode()],
        }
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.service,
            "iat": now,
            "nbf": now - 60,
            "exp": now + 600,
            "jti": secrets.token_hex(8),
            "access": _access(scope),
        }
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        self.issued += 1
        return f"{signing_input}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def check(self, authorization: str | None) -> str | None:
        """The user behind a Basic Authorization header, when the password is right."""
        if not authorization or not authorization.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user if self.users.get(user) == password and password else None

    def start(self) -> TokenServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, name="token-server", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _access(scope: str | None) -> list[dict[str, Any]]:
    """`repository:name:pull,push` -> the JWT `access` claim (everything asked for is granted)."""
    if not scope:
        return []
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    return [{"type": kind, "name": name, "actions": actions.split(",")}]


def _handler_for(tokens: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            user = tokens.check(self.headers.get("Authorization"))
            if url.path != "/token" or user is None:
                self.send_response(404 if url.path != "/token" else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            scopes = parse_qs(url.query).get("scope")
            scope = scopes[0] if scopes else None
            token = tokens.token(user, scope)
            body = json.dumps({"token": token, "access_token": token, "expires_in": 600}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read failures, not logs
            pass

    return Handler
