"""Small helpers shared by the emulator tests."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

UID = re.compile(r"^[0-9a-f]{24}$")


def create(client: httpx.Client, kind: str, body: dict[str, Any]) -> str:
    """POST a registry, assert 201 + AuditUid, return its uid."""
    answer = client.post(f"/v1/registries/oci/{kind}", json=body)
    assert answer.status_code == 201, answer.text
    assert UID.match(answer.headers["AuditUid"])
    uid = answer.json()["uid"]
    assert UID.match(uid)
    return str(uid)


def error_of(answer: httpx.Response, status: int) -> dict[str, Any]:
    """The v1Error body of an answer that must have `status`."""
    assert answer.status_code == status, f"expected {status}, got {answer.status_code}: {answer.text}"
    body = answer.json()
    assert isinstance(body["code"], str) and isinstance(body["message"], str)
    return dict(body)


def wait_for_sync(client: httpx.Client, kind: str, uid: str, timeout: float = 15.0) -> dict[str, Any]:
    """Poll the sync status until it leaves InProgress; returns the final v1RegistrySyncStatus."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/v1/registries/oci/{uid}/{kind}/sync/status").json()
        if status["status"] != "InProgress" or time.monotonic() > deadline:
            return dict(status)
        time.sleep(0.05)
