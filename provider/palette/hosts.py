"""The Palette host as users write it, turned into a base URL (pure, standard library only).

The plugin checks `host` with it in ValidateProviderConfig, at start-up cost (no httpx); the
client builds its base URL with it (and additionally asks httpx whether it can use the result).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from provider.palette.errors import ConfigurationError


def normalize_host(host: str, *, insecure: bool = False) -> str:
    """The base URL for `host`: "api.example.com", "host:port" (https implied) or an http(s) URL
    with nothing after the host and port (the client adds `/v1/...` itself). Plain http is refused
    unless the host is loopback or `insecure` is set, because the API key would cross the network
    in clear. Anything else that is not a usable address is a ConfigurationError; none quotes a
    host that carries credentials."""
    text = host.strip()
    if not text:
        raise ConfigurationError("the Palette host is empty; give a host name such as api.spectrocloud.com")
    # Checked first, on the raw text: every later message quotes the host.
    if "@" in text:
        raise ConfigurationError(
            "the Palette host must not contain credentials (user:password@); the API key authenticates"
        )
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        # urlsplit would silently drop tabs and line breaks: refuse them instead of guessing.
        raise ConfigurationError("the Palette host contains spaces, line breaks or control characters")
    if "://" not in text:
        text = f"https://{_bracket_bare_ipv6(text.rstrip('/'))}"
    parts = _split(host, text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ConfigurationError(
            f"the Palette host {host!r} uses the scheme {parts.scheme!r}; use https://host or host[:port]"
        )
    _check_url_parts(host, parts)
    base = f"{scheme}://{parts.netloc}"
    if parts.path.strip("/"):
        raise ConfigurationError(
            f"the Palette host {host!r} has a path ({parts.path}); the provider adds /v1/... itself, "
            f"so give only the scheme, host and port: {base}"
        )
    if scheme == "http" and not insecure and not is_loopback(parts.hostname or ""):
        raise ConfigurationError(
            f"the Palette host {base} uses plain http, which would send the API key unencrypted; "
            f"use https{base[4:]}, or set insecure to allow plain http to a non-loopback host"
        )
    return base


def _split(host: str, text: str) -> SplitResult:
    try:
        return urlsplit(text)
    except ValueError as exc:  # e.g. an unclosed or invalid [IPv6] address
        raise ConfigurationError(f"the Palette host {host!r} is not a valid URL ({exc})") from None


def _bracket_bare_ipv6(text: str) -> str:
    try:
        return f"[{ipaddress.IPv6Address(text)}]"
    except ValueError:
        return text


def _check_url_parts(host: str, parts: SplitResult) -> None:
    if not parts.hostname:
        raise ConfigurationError(f"the Palette host {host!r} has no host name")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"the Palette host {parts.hostname!r} must not have a query or fragment")
    try:
        parts.port  # noqa: B018 - urlsplit validates the port lazily, on access
    except ValueError:
        raise ConfigurationError(f"the Palette host {host!r} has an invalid port") from None


def is_loopback(hostname: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_key(endpoint: str) -> str:
    """An endpoint as the provider reaches it, for comparing (a list filter against Palette's endpoints,
    a registry read back against the one a create sent): `https://` unless it says `http://` (as
    preflight does), without surrounding spaces or trailing slashes, in one case (host names are
    case-insensitive, and Palette may answer an endpoint in another case than it was sent)."""
    endpoint = endpoint.strip().rstrip("/")
    url = endpoint if "://" in endpoint else f"https://{endpoint}"
    return url.lower()
