"""Terraform on a machine that must ask nothing of a public registry, and the proof that it did not.

`RecordingProxy` is a listener on 127.0.0.1 that every proxy variable points at: Go's HTTP client sends
each request for a host outside loopback through it (`CONNECT registry.terraform.io:443 HTTP/1.1`),
and it records the first line and hangs up. An empty record means Terraform asked no one outside
this machine; a control case shows the record catching the request.
`offline_env` is such a machine: an empty HOME, no TF_* settings, its own CLI config file.
`printed_config` runs `terraform-provider-oci install --dir DIR --print-config >CONFIG`, as a user does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


class RecordingProxy:
    """A listener standing in for an HTTPS proxy: records each client's first line, then hangs up."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:  # closed: the test is over
                return
            with client:
                client.settimeout(5)
                try:
                    first = client.recv(4096).split(b"\r\n", 1)[0]
                except OSError:
                    first = b"(nothing sent)"
                self.requests.append(first.decode(errors="replace"))


@contextmanager
def recording_proxy() -> Iterator[RecordingProxy]:
    proxy = RecordingProxy()
    proxy._thread.start()
    try:
        yield proxy
    finally:
        # shutdown wakes the accept() that close() alone leaves blocked (the join then waited its 5 s out,
        # after every test that used the proxy)
        with contextlib.suppress(OSError):
            proxy._server.shutdown(socket.SHUT_RDWR)
        proxy._server.close()
        proxy._thread.join(timeout=5)
        assert not proxy._thread.is_alive(), "the recording proxy did not stop"


def offline_env(root: Path, proxy: RecordingProxy, cli_config: Path) -> dict[str, str]:
    """A machine with nothing but this CLI config: an empty HOME, no TF_* settings, the proxy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") and k.lower() not in PROXY_VARIABLES}
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(root / "config"),
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        CHECKPOINT_DISABLE="1",  # Terraform's version check would be a request of its own
        HTTPS_PROXY=proxy.url,
        HTTP_PROXY=proxy.url,
        ALL_PROXY=proxy.url,
        # Loopback is this test's own parts (the emulator): Go never proxies it, httpx (the provider's
        # Palette client) does unless NO_PROXY says otherwise.
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


def printed_config(mirror: Path, env: dict[str, str]) -> str:
    """`terraform-provider-oci install --dir MIRROR --print-config >$TF_CLI_CONFIG_FILE`; returns the block."""
    script = Path(sys.executable).parent / "terraform-provider-oci"
    done = subprocess.run(
        [str(script), "install", "--dir", str(mirror), "--print-config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    Path(env["TF_CLI_CONFIG_FILE"]).write_text(done.stdout)
    return done.stdout
