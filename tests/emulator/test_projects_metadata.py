"""`GET /v1/dashboard/projects/metadata`: the key proof (a stand-in until the key proof's own change lands)."""

from __future__ import annotations

import httpx

from tests.harness.emulator import Emulator


def test_a_known_key_gets_the_projects_metadata(palette: httpx.Client) -> None:
    answer = palette.get("/v1/dashboard/projects/metadata")
    assert answer.status_code == 200 and answer.json() == {"items": []}


def test_an_unknown_key_is_refused(clean_emulator: Emulator) -> None:
    with clean_emulator.client(api_key="not-a-key") as client:
        answer = client.get("/v1/dashboard/projects/metadata")
    assert answer.status_code == 401 and answer.json()["code"] == "Unauthorized"
