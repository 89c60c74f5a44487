"""Which HTTP proxy, if any, a request to a URL goes through (stdlib only, pure).

httpx, left to itself, sends every request through `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`, loopback
included unless `NO_PROXY` names it: a plain-http Palette on 127.0.0.1 then has its ApiKey header read
in clear by the proxy. The provider decides instead, with `route`, and hands httpx the answer:

- a loopback host (`localhost`, `*.localhost`, 127.0.0.0/8, ::1) never goes through a proxy: it is this
  machine, which no proxy can reach better, and a proxy only adds a party that reads the request;
- a host that `NO_PROXY` (or `no_proxy`) names goes direct: `*`, a host name (which also covers its
  subdomains; a leading `.` or `*.` is the same), an IP address or a CIDR range, each optionally with
  `:port`, as curl and Go read it;
- otherwise the proxy of the URL's scheme (`HTTPS_PROXY` for https, `HTTP_PROXY` for http, lower case
  first, as curl does), else `ALL_PROXY`.

`Route.shown` names the proxy without its credentials, for error messages: a failure through a proxy
says so, and which variable chose it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Route:
    """A proxy to go through: the environment variable that named it, and its URL."""

    variable: str  # e.g. "HTTPS_PROXY", as spelled in the environment
    url: str  # as given, credentials included: for httpx only, never for messages

    @property
    def shown(self) -> str:
        """The proxy's scheme, host and port, without credentials."""
        parts = urlsplit(self.url)
        host = parts.hostname or "?"
        host = f"[{host}]" if ":" in host else host
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            port = ""
        return f"{parts.scheme}://{host}{port}"

    def words(self) -> str:
        """How messages say that a request went through it."""
        return f"through the proxy {self.shown} (from {self.variable})"


def route(url: str, environ: Mapping[str, str]) -> Route | None:
    """The proxy a request to `url` goes through, or None to connect directly."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or is_loopback(host):
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if bypassed(host, port, _variable(environ, "no_proxy")[1]):
        return None
    for name in (f"{parts.scheme}_proxy", "all_proxy"):
        variable, value = _variable(environ, name)
        if value:  # without a scheme, an http proxy (as curl and httpx read it)
            return Route(variable, value if "://" in value else f"http://{value}")
    return None


def is_loopback(host: str) -> bool:
    """`localhost`, a name under `.localhost` (RFC 6761), or a loopback address (brackets allowed)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bypassed(host: str, port: int, no_proxy: str) -> bool:
    """Whether `NO_PROXY`'s value names `host` (and `port`, when an entry gives one)."""
    host = host.strip("[]").lower().rstrip(".")
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if entry == "*":
            return True
        name, entry_port = _split_port(entry)
        if not name or (entry_port is not None and entry_port != port):
            continue
        if _matches(host, name):
            return True
    return False


def _matches(host: str, entry: str) -> bool:
    try:
        network = ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        network = None
    if network is not None:
        try:
            return ipaddress.ip_address(host) in network
        except ValueError:
            return False
    name = entry.removeprefix("*").lstrip(".").rstrip(".")
    return bool(name) and (host == name or host.endswith(f".{name}"))


def _split_port(entry: str) -> tuple[str, int | None]:
    """`host:port`, `[v6]:port`, or no port (a bare IPv6 address or CIDR keeps its colons)."""
    if entry.startswith("["):
        name, _, rest = entry[1:].partition("]")
        return name, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    name, colon, port = entry.rpartition(":")
    if colon and port.isascii() and port.isdigit() and ":" not in name:
        return name, int(port)
    return entry, None


def _variable(environ: Mapping[str, str], lower: str) -> tuple[str, str]:
    """(the name as set, its value) of an environment variable, lower case first; ("", "") when unset."""
    for name in (lower, lower.upper()):
        value = environ.get(name, "").strip()
        if value:
            return name, value
    return "", ""
