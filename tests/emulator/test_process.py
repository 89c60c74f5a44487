"""The emulator as a process: persistence with --db, settings from the environment, HTTPS, the CLI."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.emulator.helpers import create, error_of
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import READY_LINE, Emulator, basic_registry, emulator_command
from tests.harness.processes import ManagedProcess, ProcessStartError


def test_registries_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "palette.db"
    body = basic_registry(
        "kept", "oci.example.com", username="u", password="kept-password-123", base_content_path="charts", sync=True
    )
    with Emulator(db=db, validate="accept", sync_delay=0) as first, first.client() as palette:
        uid = create(palette, "basic", body)
        before = palette.get(f"/v1/registries/oci/{uid}/basic").json()
    with Emulator(db=db, validate="accept", sync_delay=0) as second, second.client() as palette:
        after = palette.get(f"/v1/registries/oci/{uid}/basic").json()
        assert after == before
        stored = second.registry(uid)
        assert stored is not None and stored["spec"]["auth"]["password"] == "kept-password-123"
        assert error_of(palette.post("/v1/registries/oci/basic", json=body), 409)


def test_in_memory_by_default(tmp_path: Path) -> None:
    with Emulator(validate="accept") as first, first.client() as palette:
        create(palette, "basic", basic_registry("gone", "oci.example.com"))
    with Emulator(validate="accept") as second:
        assert second.registries() == []


def test_settings_from_the_environment() -> None:
    env = {
        "PALETTE_EMULATOR_API_KEYS": "env-key-1, env-key-2",
        "PALETTE_EMULATOR_SYSTEM_API_KEYS": "env-admin",
        "PALETTE_EMULATOR_VARIANTS": "mask-empty,no-tls",
        "PALETTE_EMULATOR_PORT": "0",
        "PALETTE_EMULATOR_VALIDATE": "accept",
    }
    process = ManagedProcess.start(
        emulator_command(), name="palette-emulator", env=env, unset_env_prefixes=("PALETTE_EMULATOR_",)
    )
    try:
        url = process.wait_for_line(READY_LINE)["url"]
        assert url.startswith("http://127.0.0.1:")
        for key in ("env-key-1", "env-key-2", "env-admin"):
            assert httpx.get(f"{url}/v1/registries/oci/summary", headers={"ApiKey": key}).status_code == 200
        assert httpx.get(f"{url}/v1/registries/oci/summary", headers={"ApiKey": "emulator-api-key"}).status_code == 401
        assert httpx.get(f"{url}/emulator/variants").json()["active"] == ["mask-empty", "no-tls"]
    finally:
        assert process.stop() is not None


def test_default_api_key_is_announced() -> None:
    process = ManagedProcess.start(
        [*emulator_command(), "--port", "0"], name="palette-emulator", unset_env_prefixes=("PALETTE_EMULATOR_",)
    )
    try:
        url = process.wait_for_line(READY_LINE)["url"]
        assert httpx.get(f"{url}/v1/registries/oci/summary", headers={"ApiKey": "emulator-api-key"}).status_code == 200
        assert "emulator-api-key" in process.stderr_tail()
        assert len(process.stdout_lines) == 1
    finally:
        process.stop()


def test_https(tmp_path: Path, test_ca: CertificateAuthority) -> None:
    cert, key = test_ca.write_server_cert(tmp_path)
    with Emulator(tls_cert=cert, tls_key=key, ca_pem=test_ca.cert_pem, validate="accept") as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        with emu.client() as palette:
            create(palette, "basic", basic_registry("secure", "oci.example.com"))
            emu.set_faults([{"path": "summary", "kind": "drop"}])
            with pytest.raises(httpx.TransportError):
                palette.get("/v1/registries/oci/summary")  # dropping works over TLS too
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{emu.url}/emulator/health")  # the test CA is not trusted by default


def test_sigterm_stops_it_without_sigkill() -> None:
    emu = Emulator(validate="accept").start()
    assert emu.process is not None
    emu.stop()
    # uvicorn shuts down gracefully, then re-raises the signal it caught: -SIGTERM, not -SIGKILL.
    assert emu.process.popen.returncode in (0, -signal.SIGTERM)


def test_bad_options_fail_with_a_message() -> None:
    answer = subprocess.run([*emulator_command(), "--tls-cert", "x.pem"], capture_output=True, text=True, timeout=30)
    assert answer.returncode != 0 and "--tls-key" in answer.stderr
    with pytest.raises(ProcessStartError, match="--validate"):
        Emulator(extra_args=["--validate", "maybe"]).start()


def test_module_entry_point() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "palette_emulator", "--help"], capture_output=True, text=True, timeout=30
    )
    assert answer.returncode == 0 and "PALETTE_EMULATOR_" in answer.stdout
