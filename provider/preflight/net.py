"""Connections to a registry: which certificates are trusted, the test seam's host override, and
what a failed connection means to the user (unknown host, closed port, untrusted certificate...).

Imports httpx: loaded only when a preflight runs.
"""

from __future__ import annotations

import functools
import socket
import ssl
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx

from provider.exception_chain import causes
from provider.preflight.findings import CA_CERTIFICATE, ENDPOINT, OFF_HINT, Failed, error
from provider.preflight.resolve import split
from provider.problems import Problem

E = TypeVar("E", bound=BaseException)

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH: the certificate is
# trusted but names another host, which a CA cannot fix.
_NAME_MISMATCH = (62, 64)


def verify(tls: Mapping[str, Any] | None) -> ssl.SSLContext | bool:
    """What Palette trusts: the public CAs plus `tls.ca_certificate`; nothing with insecure_skip_verify."""
    tls = tls or {}
    if tls.get("insecure_skip_verify"):
        return False
    return _trust(str(tls.get("ca_certificate") or "").strip())


@functools.lru_cache(maxsize=8)
def _trust(ca: str) -> ssl.SSLContext:
    # Cached: loading the public CAs takes tens of milliseconds, and one provider process checks
    # every registry of the configuration. A context is only read once built.
    context = ssl.create_default_context()  # the system's CAs (and SSL_CERT_FILE)
    if not context.cert_store_stats()["x509_ca"]:
        _add_certifi(context)  # a system without a CA bundle: httpx's own bundle of the public CAs
    if ca:
        try:
            context.load_verify_locations(cadata=ca)
        except (ssl.SSLError, ValueError) as exc:
            raise Failed(
                error(
                    CA_CERTIFICATE,
                    "Unusable CA certificate",
                    f"tls.ca_certificate could not be loaded as PEM certificates ({exc.__class__.__name__}). "
                    "Give the PEM text of the CA certificates (-----BEGIN CERTIFICATE----- ...).",
                )
            ) from None
    return context


def _add_certifi(context: ssl.SSLContext) -> None:
    try:
        import certifi

        context.load_verify_locations(cafile=certifi.where())
    except (ImportError, OSError, ssl.SSLError):
        pass


class ResolvingTransport(httpx.HTTPTransport):
    """Connects to an override address for some host:port, keeping the Host header and TLS name."""

    def __init__(self, overrides: Mapping[str, str], **kwargs: Any):
        super().__init__(**kwargs)
        self.overrides = dict(overrides)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        target = self.overrides.get(f"{url.host}:{port_of(url)}".lower())
        if target is None:
            return super().handle_request(request)
        host, port = split(target)
        request.url = url.copy_with(host=host, port=port)
        request.extensions = {**request.extensions, "sni_hostname": url.host}
        try:
            return super().handle_request(request)
        finally:
            request.url = url  # redirects and messages see the registry's own address


# Loopback hosts never go through a proxy (provider.proxies says why); httpx applies HTTP(S)_PROXY and
# NO_PROXY to every other host of a preflight (the registry, its token service, blob redirects).
DIRECT = ("all://localhost", "all://*.localhost", "all://127.0.0.1", "all://[::1]")


def client(tls: Mapping[str, Any] | None, overrides: Mapping[str, str], timeout: float) -> httpx.Client:
    trust = verify(tls)
    transport = ResolvingTransport(overrides, verify=trust) if overrides else None
    direct: dict[str, httpx.BaseTransport | None] = dict.fromkeys(DIRECT)
    return httpx.Client(verify=trust, transport=transport, mounts=direct, timeout=timeout, follow_redirects=True)


def port_of(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def first(exc: BaseException, kind: type[E]) -> E | None:
    return next((cause for cause in causes(exc) if isinstance(cause, kind)), None)


def is_reset(exc: BaseException) -> bool:
    """A connection the peer dropped: worth one retry, unlike a refusal or a timeout."""
    if first(exc, ConnectionResetError) or first(exc, BrokenPipeError):
        return True
    return isinstance(exc, httpx.RemoteProtocolError) and "disconnected" in str(exc).lower()


def explain(exc: httpx.TransportError, url: httpx.URL, timeout: float, what: str = "the registry") -> Problem:
    """The error finding for a request to `url` that failed before any answer."""
    where = f"{url.host}:{port_of(url)}"
    certificate = first(exc, ssl.SSLCertVerificationError)
    if certificate is not None:
        return _untrusted(certificate, where, what)
    handshake = first(exc, ssl.SSLError)
    if handshake is not None:
        reason = getattr(handshake, "reason", None) or handshake
        return error(
            ENDPOINT,
            "TLS handshake failed",
            f"The TLS handshake with {what} at {where} failed ({reason}). If the registry "
            f"serves plain HTTP, write the endpoint as http://{where}.",
        )
    unresolved = first(exc, socket.gaierror)
    if unresolved is not None:
        return error(
            ENDPOINT,
            "Registry host not found",
            f'The name "{url.host}" of {what} does not resolve from this machine ({unresolved.strerror}). '
            f"Check the spelling of the endpoint. {OFF_HINT}",
        )
    if first(exc, ConnectionRefusedError) is not None:
        return error(
            ENDPOINT,
            "Registry port closed",
            f"{where} refused the connection: nothing listens on port {port_of(url)} there. Check the port in "
            f"the endpoint (https defaults to 443, http to 80) and that {what} is running. {OFF_HINT}",
        )
    if is_reset(exc):
        return error(
            ENDPOINT,
            "Registry dropped the connection",
            f"{what.capitalize()} at {where} closed the connection without answering, twice. A proxy or firewall "
            "may cut the traffic, or the port serves another protocol.",
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return error(
            ENDPOINT,
            "Registry unreachable",
            f"No connection to {what} at {where} within {timeout:g} s: a firewall may drop the traffic, or the "
            f"host is down. {OFF_HINT}",
        )
    if isinstance(exc, httpx.TimeoutException):
        return error(
            ENDPOINT,
            "Registry did not answer",
            f"{what.capitalize()} at {where} accepted the connection but did not answer GET {url.path} within "
            f"{timeout:g} s.",
        )
    return error(
        ENDPOINT,
        "Cannot connect to the registry",
        f"Contacting {what} at {where} failed: {exc.__class__.__name__}: {exc}.",
    )


def _untrusted(certificate: ssl.SSLCertVerificationError, where: str, what: str) -> Problem:
    reason = certificate.verify_message or str(certificate)
    if certificate.verify_code in _NAME_MISMATCH:
        return error(
            ENDPOINT,
            "Registry certificate does not match the endpoint",
            f"The TLS certificate of {what} at {where} is not issued for that name ({reason}). Use the host name "
            "the certificate names in the endpoint, or have the certificate reissued with this name.",
        )
    return error(
        CA_CERTIFICATE,
        "Registry certificate not trusted",
        f"The TLS certificate of {what} at {where} is not trusted ({reason}). Put the PEM of the CA that signs "
        "it in tls.ca_certificate (public CAs are trusted already); for a test registry only, "
        "tls.insecure_skip_verify = true skips the check.",
    )
