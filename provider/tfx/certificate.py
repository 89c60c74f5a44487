"""The plugin's TLS certificate (package docstring, item 8).

Terraform trusts exactly the certificate in the handshake line, so one reused for its lifetime is as good
as a new one and costs nothing at start-up. It is cached with its expiry beside the PEMs, so a start
reads JSON instead of importing `cryptography.x509` (as tf's runner does) to check the expiry; a new one
is made on a P-256 key (a millisecond; RSA takes far longer).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger("provider.tfx")

_CERTIFICATE_DAYS = 30
_RENEW_WITHIN = 86400.0


class PluginCertificate(NamedTuple):
    cert_pem: str
    key_pem: str
    der_b64: str  # as the handshake line carries it: base64 DER without padding
    not_after: float  # seconds since the epoch


def plugin_certificate(cache: Path | None = None) -> PluginCertificate:
    """The plugin's TLS certificate from the user's cache; a new one (stored there) when absent or expiring."""
    path = cache or _certificate_cache()
    try:
        cached = PluginCertificate(**json.loads(path.read_text()))
        if cached.not_after - time.time() > _RENEW_WITHIN and cached.der_b64:
            return cached
    except (OSError, ValueError, TypeError):
        pass  # absent, unreadable or not ours: make a new one
    fresh = _new_certificate()
    _store_certificate(path, fresh)
    return fresh


def _certificate_cache() -> Path:
    from provider.xdg import base_directory  # a relative XDG_CACHE_HOME is ignored: never the working directory

    return base_directory("XDG_CACHE_HOME", ".cache") / "terraform-provider-oci" / "plugin-tls.json"


def _new_certificate() -> PluginCertificate:
    """A self-signed certificate for "localhost" on a P-256 key (a millisecond; RSA takes far longer)."""
    import base64
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    not_after = now + timedelta(days=_CERTIFICATE_DAYS)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return PluginCertificate(
        cert_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        key_pem=key_pem.decode(),
        der_b64=base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode().rstrip("="),
        not_after=not_after.timestamp(),
    )


def _store_certificate(path: Path, certificate: PluginCertificate) -> None:
    """Write atomically, readable by the user alone; a cache that cannot be written is only slower."""
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".plugin-tls-")  # mode 0600
        with os.fdopen(handle, "w") as out:
            json.dump(certificate._asdict(), out)
        os.replace(partial, path)
    except OSError as exc:
        log.debug("plugin certificate not cached at %s: %s", path, exc)
