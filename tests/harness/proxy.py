"""A recording HTTP proxy on 127.0.0.1: it keeps what each connection sends first (the request line and
headers of a proxied request, or a CONNECT) and then answers 502 or drops the connection, never
forwarding anything. Tests point HTTP_PROXY/HTTPS_PROXY at it and check what reached it.

    with RecordingProxy() as proxy:
        env = {"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url}
        ...
        assert proxy.received == []
"""

from __future__ import annotations

import contextlib
import socket
import threading


class RecordingProxy:
    def __init__(self, *, answer: bool = True) -> None:
        """`answer`: reply 502 Bad Gateway; otherwise close the connection without a word."""
        self.answer = answer
        self.received: list[str] = []  # what each connection sent before the proxy replied
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="recording-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):  # shutdown wakes the accept() that close() alone leaves blocked
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            self.received.append(data.decode("latin-1"))
            if self.answer:
                body = b"proxy: refused by the test"
                head = f"HTTP/1.1 502 Bad Gateway\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                with contextlib.suppress(OSError):
                    connection.sendall(head.encode() + body)
