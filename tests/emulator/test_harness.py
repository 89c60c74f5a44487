"""The real-parts harness itself: pushing artifacts, process start failures, moto's environment."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.harness.moto import MotoServer
from tests.harness.processes import ManagedProcess, ProcessStartError, free_port
from tests.harness.registry import HELM_CHART_LAYER, HELM_CONFIG, OCI_MANIFEST, ZARF_CONFIG, DockerRegistry


def test_push_helm_chart_and_zarf_package(docker_registry: DockerRegistry) -> None:
    digest = docker_registry.push_helm_chart("harness/charts/nginx", "nginx", "1.2.3")
    zarf_digest = docker_registry.push_zarf_package("harness/zarf/init", "v0.1.0")
    with docker_registry.client() as client:
        assert client.get("/v2/harness/charts/nginx/tags/list").json()["tags"] == ["1.2.3"]
        manifest = client.get("/v2/harness/charts/nginx/manifests/1.2.3", headers={"Accept": OCI_MANIFEST})
        assert manifest.headers["docker-content-digest"] == digest
        assert manifest.json()["config"]["mediaType"] == HELM_CONFIG
        assert manifest.json()["layers"][0]["mediaType"] == HELM_CHART_LAYER
        zarf = client.get("/v2/harness/zarf/init/manifests/v0.1.0", headers={"Accept": OCI_MANIFEST})
        assert zarf.headers["docker-content-digest"] == zarf_digest
        assert zarf.json()["config"]["mediaType"] == ZARF_CONFIG
        assert "harness/charts/nginx" in client.get("/v2/_catalog").json()["repositories"]


def test_push_through_the_token_flow(docker_registry_token: DockerRegistry) -> None:
    docker_registry_token.push_helm_chart("harness/token/chart", "chart", "0.1.0")
    with docker_registry_token.client() as client:
        assert client.get("/v2/harness/token/chart/tags/list").json()["tags"] == ["0.1.0"]
    with docker_registry_token.client(auth=None) as anonymous:
        challenge = anonymous.get("/v2/").headers["www-authenticate"]
        assert challenge.startswith("Bearer realm=")


def test_tls_registry_needs_its_ca(docker_registry_tls: DockerRegistry) -> None:
    import httpx

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{docker_registry_tls.url}/v2/")
    with docker_registry_tls.client() as client:
        assert client.get("/v2/").status_code == 200


def test_start_failure_reports_stderr() -> None:
    script = "import sys; print('about to fail', file=sys.stderr); sys.exit(3)"
    process = ManagedProcess.start([sys.executable, "-c", script], name="failing")
    with pytest.raises(ProcessStartError, match=r"(?s)failing: did not print.*exited with 3.*about to fail"):
        process.wait_for_line("never", timeout=10)


def test_stop_escalates_to_sigkill() -> None:
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"
    )
    process = ManagedProcess.start([sys.executable, "-c", script], name="stubborn")
    process.wait_for_line("ready")
    assert process.stop(timeout=0.5) == -9


def test_wait_for_port_times_out() -> None:
    process = ManagedProcess.start([sys.executable, "-c", "import time; time.sleep(30)"], name="silent")
    with pytest.raises(ProcessStartError, match="did not accept connections"):
        process.wait_for_port(free_port(), timeout=0.5)
    assert process.popen.poll() is not None  # a failed start stops the process


def test_moto_env_reaches_moto(moto_server: MotoServer) -> None:
    script = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**moto_server.env(), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == moto_server.admin.arn


def test_moto_initial_no_auth_action_count() -> None:
    from botocore.exceptions import ClientError

    from tests.harness.moto import AwsKeys

    with MotoServer(initial_no_auth_action_count=1) as moto:
        unknown = AwsKeys("AKIAUNKNOWNKEY000000", "unknown-secret")
        assert moto.client("sts", unknown).get_caller_identity()["Account"]  # the first action is free
        with pytest.raises(ClientError, match="InvalidClientTokenId"):
            moto.client("sts", unknown).get_caller_identity()
