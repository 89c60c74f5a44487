"""Palette's connections: an httpx transport on the standard library's `http.client`.

httpx stays the client (its Request, Response, errors and timeouts are what the retry loop and the
recovery of lost creates read); under it, this transport replaces httpcore and h11 for a direct
connection to Palette. Over loopback a GET of one registry cost 0.49 ms of CPU through httpcore and
h11 and 0.13 ms through `http.client` (bench/rpc_profile.py --profile request): three requests per
registry created. A proxy (provider.proxies) keeps httpx's own transport.

What httpcore guaranteed and the retry loop relies on, kept here:
- errors are httpx's, by phase: ConnectError / ConnectTimeout while connecting (TCP and the TLS
  handshake: nothing was sent), WriteError / WriteTimeout while sending, ReadError / ReadTimeout /
  RemoteProtocolError while waiting for or reading the answer (the request may have landed),
  PoolTimeout when no connection is free in time; each with the original exception as its cause;
- a connection is reused only while it is idle for less than KEEPALIVE seconds and the server has
  not closed it (a closed socket reads as readable): a request is never sent on a connection the
  server already dropped, which would make a create's outcome unknown for nothing;
- at most `limit` connections at once (MAX_CONNECTIONS); thread-safe, as Terraform calls in parallel.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import time

import httpx

# Seconds an idle connection is kept (httpcore's default): within a server's usual keep-alive timeout
# (uvicorn 5 s, load balancers 60 s), so a reused connection is rarely one the server is closing.
KEEPALIVE = 5.0


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """An idle connection whose socket is readable: the server closed it (or sent what no request asked)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def address(url: httpx.URL) -> tuple[str, int]:
    """Where to connect: the host as sent on the wire (IDNA, an IPv6 address without brackets) and the
    port, the scheme's default written out: `http.client` given no port reads one from the host's last
    colon, which in an IPv6 address is part of the address."""
    return url.raw_host.decode("ascii"), url.port or (443 if url.scheme == "https" else 80)


class HttpClientTransport(httpx.BaseTransport):
    """HTTP/1.1 to one Palette origin over pooled `http.client` connections."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None, limit: int) -> None:
        """`ssl_context` verifies an https origin (None: plain http)."""
        self._ssl_context = ssl_context
        self._slots = threading.BoundedSemaphore(limit)
        self._idle: list[tuple[http.client.HTTPConnection, float]] = []  # (connection, idle since)
        self._lock = threading.Lock()

    # -- connections ------------------------------------------------------------------------------

    def _reusable(self) -> http.client.HTTPConnection | None:
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection, since = self._idle.pop()
            if now - since < KEEPALIVE and not _closed_by_peer(connection):
                return connection
            connection.close()

    def _connect(self, request: httpx.Request, timeout: float | None) -> http.client.HTTPConnection:
        host, port = address(request.url)
        connection: http.client.HTTPConnection
        if request.url.scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._ssl_context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
        except OSError as exc:  # refused, unreachable, a name not found, TLS (ssl.SSLError is an OSError)
            connection.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        return connection

    # -- one request --------------------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        if not self._slots.acquire(timeout=timeouts.get("pool")):
            raise httpx.PoolTimeout("no free connection", request=request)
        try:
            return self._exchange(request, timeouts)
        finally:
            self._slots.release()

    def _exchange(self, request: httpx.Request, timeouts: dict[str, float | None]) -> httpx.Response:
        connection = self._reusable() or self._connect(request, timeouts.get("connect"))
        kept = False
        try:
            self._send(connection, request, timeouts.get("write"))
            status, reason, headers, body, closing = self._receive(connection, request, timeouts.get("read"))
            kept = not closing
        finally:
            if kept:
                with self._lock:
                    self._idle.append((connection, time.monotonic()))
            else:
                connection.close()
        return httpx.Response(
            status,
            headers=headers,
            stream=httpx.ByteStream(body),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason.encode("ascii", "replace")},
        )

    @staticmethod
    def _send(connection: http.client.HTTPConnection, request: httpx.Request, timeout: float | None) -> None:
        assert connection.sock is not None
        try:
            connection.sock.settimeout(timeout)
            connection.putrequest(
                request.method, request.url.raw_path.decode("ascii"), skip_host=True, skip_accept_encoding=True
            )
            for name, value in request.headers.raw:  # httpx's, Host included, in its order
                connection.putheader(name, value)
            connection.endheaders(request.read() or None)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(str(exc) or "write timed out", request=request) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc

    @staticmethod
    def _receive(
        connection: http.client.HTTPConnection, request: httpx.Request, timeout: float | None
    ) -> tuple[int, str, list[tuple[str, str]], bytes, bool]:
        """(status, reason, headers, the whole body, whether the server closes the connection)."""
        assert connection.sock is not None
        try:
            connection.sock.settimeout(timeout)
            response = connection.getresponse()
            body = response.read()
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except http.client.HTTPException as exc:  # RemoteDisconnected, BadStatusLine, IncompleteRead, ...
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
        except OSError as exc:  # reset, broken pipe
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
        return response.status, response.reason, response.getheaders(), body, bool(response.will_close)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection, _ in idle:
            connection.close()


__all__ = ["KEEPALIVE", "HttpClientTransport", "address"]
