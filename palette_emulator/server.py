"""Serving the emulator's ASGI app with uvicorn: bind first (so `--port 0` can report its port),
then print the one readiness line once connections are accepted. Needs the `emulator` extra."""

from __future__ import annotations

import socket

import uvicorn

from .app import create_app
from .config import EmulatorConfig
from .faults import DropCapableH11Protocol


def bind(host: str, port: int) -> socket.socket:
    """Bind before serving, so `--port 0` can report the port the system picked."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP,
    # and without it every answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints the one readiness line once it accepts connections."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(f"palette-emulator listening on {self.url}", flush=True)


def serve(
    config: EmulatorConfig, host: str, port: int, *, tls_cert: str | None, tls_key: str | None, log_level: str
) -> None:
    """Serve until interrupted."""
    app, _ = create_app(config)
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    scheme = "https" if tls_cert else "http"
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    server_config = uvicorn.Config(
        app,
        http=DropCapableH11Protocol,
        lifespan="on",
        log_level=log_level,
        access_log=False,
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
    )
    AnnouncingServer(server_config, f"{scheme}://{shown_host}:{bound_port}").run(sockets=[sock])
