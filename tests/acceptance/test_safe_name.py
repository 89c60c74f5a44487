"""`terraform init` with the CLI config `terraform-provider-oci install` prints asks no public registry.

`source = "palette/oci"` is `registry.terraform.io/palette/oci`, a public namespace this project does
not hold. Terraform 1.0.3 and 1.15.5 run with every proxy variable pointing at a `RecordingProxy` on
127.0.0.1: Go's HTTP client sends each request for a host outside loopback through it as
`CONNECT host:443`, which the proxy records and refuses. So an empty record means Terraform asked no
one outside this machine, and the control case (a `direct {}` without the exclusion) shows the record
catching the registry request the exclusion prevents.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from provider import install
from tests.harness.terraform import VERSIONS, terraform_binary

MAIN_TF = 'terraform {\n  required_providers {\n    oci = { source = "palette/oci" }\n  }\n}\n'
NOT_FOUND = "provider registry.terraform.io/palette/oci was not found in any of the search locations"


@dataclass
class RecordingProxy:
    """A listener standing in for an HTTPS proxy: records each client's first line, then hangs up."""

    requests: list[str] = field(default_factory=list)
    _server: socket.socket = field(default_factory=lambda: socket.create_server(("127.0.0.1", 0)))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def serve(self) -> None:
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

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    recorder = RecordingProxy()
    thread = threading.Thread(target=recorder.serve, daemon=True)
    thread.start()
    yield recorder
    recorder.close()
    thread.join(timeout=5)


def environment(tmp_path: Path, proxy: RecordingProxy, cli_config: Path) -> dict[str, str]:
    """A machine with nothing but this CLI config: an empty HOME, no TF_* settings, the proxy."""
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") and k.lower() not in proxies}
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        CHECKPOINT_DISABLE="1",  # Terraform's version check would be a request of its own
        HTTPS_PROXY=proxy.url,
        HTTP_PROXY=proxy.url,
        ALL_PROXY=proxy.url,
    )
    return env


def printed_config(tmp_path: Path, env: dict[str, str]) -> Path:
    """What a user does: `terraform-provider-oci install --dir DIR --print-config >terraformrc`."""
    mirror = tmp_path / "mirror"
    script = Path(sys.executable).parent / "terraform-provider-oci"
    done = subprocess.run(
        [str(script), "install", "--dir", str(mirror), "--print-config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config = Path(env["TF_CLI_CONFIG_FILE"])
    config.write_text(done.stdout)
    return mirror


def init(version: str, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "main.tf").write_text(MAIN_TF)
    return subprocess.run(
        [str(terraform_binary(version)), "init", "-no-color", "-input=false"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_init_with_the_printed_config_asks_no_public_registry(
    version: str, tmp_path: Path, proxy: RecordingProxy
) -> None:
    env = environment(tmp_path, proxy, tmp_path / "terraformrc")
    printed_config(tmp_path, env)
    result = init(version, tmp_path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "palette/oci" in (tmp_path / "work" / ".terraform.lock.hcl").read_text()
    assert proxy.requests == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_machine_without_the_package_fails_init_and_asks_no_public_registry(
    version: str, tmp_path: Path, proxy: RecordingProxy
) -> None:
    # The runner the issue describes: the CLI config is there, the package is not (a skipped install step).
    env = environment(tmp_path, proxy, tmp_path / "terraformrc")
    mirror = printed_config(tmp_path, env)
    for package in (mirror / install.HOSTNAME / install.NAMESPACE / install.TYPE).iterdir():
        package.unlink()
    result = init(version, tmp_path, env)
    assert result.returncode == 1
    assert NOT_FOUND in " ".join((result.stdout + result.stderr).split())
    assert proxy.requests == []


@pytest.mark.parametrize("version", VERSIONS)
def test_without_the_exclusion_the_same_machine_asks_the_public_registry(
    version: str, tmp_path: Path, proxy: RecordingProxy
) -> None:
    # The control: what the two tests above would see if the exclusion did nothing.
    env = environment(tmp_path, proxy, tmp_path / "terraformrc")
    mirror = printed_config(tmp_path, env)
    config = Path(env["TF_CLI_CONFIG_FILE"])
    config.write_text(config.read_text().replace('exclude = ["registry.terraform.io/palette/oci"]', ""))
    assert "exclude" not in config.read_text()
    for package in (mirror / install.HOSTNAME / install.NAMESPACE / install.TYPE).iterdir():
        package.unlink()
    result = init(version, tmp_path, env)
    assert result.returncode == 1
    assert "CONNECT registry.terraform.io:443 HTTP/1.1" in proxy.requests, proxy.requests
