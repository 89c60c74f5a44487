"""Synchronisation that progresses: InProgress, then Completed (or Failed with a message)."""

from __future__ import annotations

import time
from datetime import datetime

import httpx

from palette_emulator.store import Registry, SyncRun
from palette_emulator.sync import sync_status
from tests.emulator.helpers import create, wait_for_sync
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.processes import free_port
from tests.harness.registry import DockerRegistry


def _registry(run: SyncRun, enabled: bool = True) -> Registry:
    return Registry(
        uid="u" * 24,
        name="r",
        family="basic",
        scope="tenant",
        spec={"isSyncSupported": enabled},
        sync_capable=True,
        sync=run,
    )


def test_status_is_computed_from_timestamps() -> None:
    done = _registry(SyncRun(generation=1, started=100.0, result="Success", finished=100.5))
    assert sync_status(done, delay=2.0, now=101.0)["status"] == "InProgress"
    final = sync_status(done, delay=2.0, now=102.0)
    assert final["status"] == "Completed" and final["lastSyncedTime"].startswith("1970-01-01T00:01:42")
    failed = _registry(SyncRun(generation=1, started=100.0, result="Failed", message="boom", finished=100.1))
    assert sync_status(failed, delay=0.0, now=100.2) == {
        "isSyncSupported": True,
        "status": "Failed",
        "message": "boom",
        "lastRunTime": "1970-01-01T00:01:40.000Z",
    }
    running = _registry(SyncRun(generation=1, started=100.0))
    assert sync_status(running, delay=0.0, now=500.0)["status"] == "InProgress"  # outcome not known yet
    assert sync_status(_registry(SyncRun(), enabled=False), delay=0.0) == {"isSyncSupported": False, "status": ""}
    success = sync_status(done, delay=0.0, now=102.0, variants=frozenset({"sync-success-word"}))
    assert success["status"] == "Success" and "lastSyncedTime" in success


def test_the_sync_words_variant_sends_pending_then_running() -> None:
    """Spectro's wait lists Pending and Running (the variant "sync-words"); each must really be answered."""
    words = frozenset({"sync-words"})
    running = _registry(SyncRun(generation=1, started=100.0, result="Success", finished=100.5))
    seen = [sync_status(running, delay=2.0, now=now, variants=words)["status"] for now in (100.5, 101.5, 102.5)]
    assert seen == ["Pending", "Running", "Completed"]


def test_in_progress_then_success_in_accept_mode(accept_emulator: Emulator) -> None:
    accept_emulator.reset()
    with accept_emulator.client() as palette:
        body = basic_registry("slow", "unreachable.invalid", base_content_path="charts", sync=True)
        uid = create(palette, "basic", body)
        first = palette.get(f"/v1/registries/oci/{uid}/basic/sync/status").json()
        assert first["status"] == "InProgress" and "lastSyncedTime" not in first
        summary = palette.get("/v1/registries/oci/summary").json()["items"][0]
        assert summary["status"]["sync"]["status"] == "InProgress"
        time.sleep(1.05)
        final = palette.get(f"/v1/registries/oci/{uid}/basic/sync/status").json()
        assert final["status"] == "Completed" and final["isSyncSupported"] is True
        assert datetime.fromisoformat(final["lastSyncedTime"]) >= datetime.fromisoformat(final["lastRunTime"])


def test_success_against_a_real_registry(palette: httpx.Client, docker_registry: DockerRegistry) -> None:
    body = basic_registry(
        "real",
        docker_registry.url,
        username=docker_registry.username,
        password=docker_registry.password,
        base_content_path="charts",
        sync=True,
    )
    uid = create(palette, "basic", body)
    status = wait_for_sync(palette, "basic", uid)
    assert status["status"] == "Completed", status
    assert "lastSyncedTime" in status and "message" not in status
    got = palette.get(f"/v1/registries/oci/{uid}/basic").json()
    assert got["status"]["syncStatus"]["status"] == "Completed"


def test_failed_with_a_message_when_unreachable(palette: httpx.Client) -> None:
    body = basic_registry("gone", f"http://127.0.0.1:{free_port()}", base_content_path="charts", sync=True)
    uid = create(palette, "basic", body)
    status = wait_for_sync(palette, "basic", uid)
    assert status["status"] == "Failed" and "unreachable" in status["message"]
    assert "lastSyncedTime" not in status


def test_failed_when_credentials_are_wrong(palette: httpx.Client, docker_registry: DockerRegistry) -> None:
    body = basic_registry(
        "wrong",
        docker_registry.url,
        username=docker_registry.username,
        password="wrong-password-1234",
        base_content_path="charts",
        sync=True,
    )
    uid = create(palette, "basic", body)
    status = wait_for_sync(palette, "basic", uid)
    assert status["status"] == "Failed" and "401" in status["message"]
    assert "wrong-password-1234" not in status["message"]


def test_sync_post_and_update_restart_the_run(palette: httpx.Client, docker_registry: DockerRegistry) -> None:
    body = basic_registry(
        "again",
        docker_registry.url,
        username=docker_registry.username,
        password=docker_registry.password,
        base_content_path="charts",
        sync=True,
    )
    uid = create(palette, "basic", body)
    first = wait_for_sync(palette, "basic", uid)
    answer = palette.post(f"/v1/registries/oci/{uid}/basic/sync", params={"forceSync": "true"})
    assert answer.status_code == 202 and answer.headers["AuditUid"]
    second = wait_for_sync(palette, "basic", uid)
    assert second["status"] == "Completed" and second["lastRunTime"] > first["lastRunTime"]
    body["spec"]["auth"]["password"] = "now-wrong-password"
    assert palette.put(f"/v1/registries/oci/{uid}/basic", json=body).status_code == 204
    third = wait_for_sync(palette, "basic", uid)
    assert third["status"] == "Failed" and third["lastRunTime"] > second["lastRunTime"]


def test_the_request_log_shows_whether_a_sync_was_forced(
    palette: httpx.Client, clean_emulator: Emulator, docker_registry: DockerRegistry
) -> None:
    """Tests of the provider's sync action read `forceSync` from the log (the swagger's query parameter)."""
    body = basic_registry("forced", docker_registry.url, base_content_path="charts", sync=True)
    uid = create(palette, "basic", body)
    assert palette.post(f"/v1/registries/oci/{uid}/basic/sync", params={"forceSync": "true"}).status_code == 202
    assert palette.post(f"/v1/registries/oci/{uid}/basic/sync").status_code == 202
    syncs = [r for r in clean_emulator.requests() if r["route"] == "/v1/registries/oci/{uid}/basic/sync"]
    assert [(r["path"], r["query"], r["status"]) for r in syncs] == [
        (f"/v1/registries/oci/{uid}/basic/sync", "forceSync=true", 202),
        (f"/v1/registries/oci/{uid}/basic/sync", "", 202),
    ]
