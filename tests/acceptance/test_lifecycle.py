"""The life of a registry as a user lives it, on Terraform 1.0.3 and 1.15.5.

The full story, once per Terraform version (`FULL_STORY`: a basic-auth Helm registry on 1.0.3, an
ECR-keys Packs registry on 1.15.5, so each family's import paths are met): create -> a second plan
shows no changes -> import by uid and by name give the same state -> in-place update -> replacement
(name) -> out-of-band change shows as drift and is corrected -> out-of-band delete re-creates ->
destroy leaves the emulator empty.

What depends on the kind and the auth, for every kind x auth on both versions (`test_kind`): create
(what Palette stores, the family's validate and POST, the state's provider_type, scope and auto_sync),
a clean plan, an in-place update (same uid) and destroy. Import, replacement, drift and re-creation go
through code that does not look at the kind (lifecycle.py's read/import/delete), so the full story
meets them once per version; acceptance/test_warm.py runs the same full stories cold.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.scenarios import MATRIX, Parts, Scenario
from tests.harness.emulator import Emulator
from tests.harness.terraform import VERSIONS, Workspace

# What an import cannot know (secrets Palette never returns, settings that live only in Terraform),
# and what moves on its own while the test runs (the sync Palette started at create).
NOT_COMPARABLE = ("basic_auth", "ecr", "wait_for_sync", "timeouts", "sync_status", "sync_message", "last_synced_at")


def only_registry(emulator: Emulator) -> dict[str, Any]:
    stored = emulator.registries()
    assert len(stored) == 1, stored
    return stored[0]


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in NOT_COMPARABLE}


def writes(emulator: Emulator) -> list[str]:
    return [f"{r['method']} {r['route']}" for r in emulator.requests() if r["method"] != "GET"]


FULL_STORY = {"1.0.3": "helm-basic", "1.15.5": "packs-ecr-keys"}


def full_story_scenario(version: str) -> Scenario:
    (scenario,) = [s for s in MATRIX if s.id == FULL_STORY[version]]
    return scenario


def create_and_check(scenario: Scenario, ws: Workspace, emulator: Emulator, parts: Parts) -> dict[str, Any]:
    """create: validate -> POST -> GET, and what Palette stores is what was configured; then a clean plan.
    The created resource's state."""
    ws.write(scenario.config(parts))
    ws.apply()
    stored = only_registry(emulator)
    assert (stored["name"], stored["kind"], stored["providerType"]) == (
        "registry-a",
        scenario.family,
        scenario.provider_type,
    )
    assert stored["spec"]["baseContentPath"] == "content"
    if scenario.auth == "basic":
        assert stored["spec"]["auth"]["password"] == parts.registry.password
    if scenario.auth == "ecr-keys":
        assert stored["spec"]["credentials"]["secretKey"] == parts.aws_keys.secret_access_key
    assert writes(emulator) == [
        f"POST /v1/registries/oci/{scenario.family}/validate",
        f"POST /v1/registries/oci/{scenario.family}",
    ]
    created = ws.resources()[scenario.address]
    assert created["id"] == stored["uid"]
    assert (created["provider_type"], created["scope"]) == (scenario.provider_type, "tenant")
    assert created["auto_sync"] is (scenario.provider_type == "pack")
    # a second plan shows no changes
    assert ws.plan_changes() == 0
    return created


def update_in_place(scenario: Scenario, ws: Workspace, emulator: Emulator, parts: Parts, uid: str) -> None:
    ws.write(scenario.config(parts, base_content_path="content-v2"))
    assert "0 to add, 1 to change, 0 to destroy" in ws.plan().stdout
    ws.apply()
    stored = only_registry(emulator)
    assert stored["uid"] == uid and stored["spec"]["baseContentPath"] == "content-v2"
    assert ws.plan_changes() == 0


def destroy_leaves_nothing(ws: Workspace, emulator: Emulator) -> None:
    ws.destroy()
    assert emulator.registries() == []
    assert ws.resources() == {}


# Every kind x auth on both versions, but the one whose full story runs on that version (it takes the same steps).
KIND_RUNS = [(v, s) for v in VERSIONS for s in MATRIX if s.id != FULL_STORY[v]]


@pytest.mark.parametrize(
    ("tf_version", "scenario"), KIND_RUNS, ids=[f"tf{v}-{s.id}" for v, s in KIND_RUNS], indirect=["tf_version"]
)
def test_kind(scenario: Scenario, workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    """What depends on the kind and the auth: create, a clean plan, an in-place update, destroy."""
    created = create_and_check(scenario, workspace, clean_emulator, parts)
    update_in_place(scenario, workspace, clean_emulator, parts, created["id"])
    destroy_leaves_nothing(workspace, clean_emulator)


def test_full_story(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    full_story(full_story_scenario(workspace.version), workspace, clean_emulator, parts)


def full_story(scenario: Scenario, workspace: Workspace, emulator: Emulator, parts: Parts) -> None:
    """Every step of a registry's life (the module's doc); acceptance/test_warm.py runs it cold."""
    ws, address = workspace, scenario.address
    created = create_and_check(scenario, ws, emulator, parts)
    stored = only_registry(emulator)

    # import by uid and by name give the same state, the state Terraform had
    ws.state_rm(address)
    ws.import_(address, stored["uid"])
    by_uid = ws.resources()[address]
    ws.state_rm(address)
    ws.import_(address, "registry-a")
    by_name = ws.resources()[address]
    assert by_uid == by_name
    assert comparable(by_uid) == comparable(created)
    ws.apply()  # the imported state learns the configured secrets
    assert ws.plan_changes() == 0

    update_in_place(scenario, ws, emulator, parts, created["id"])

    # replacement: a new name is a new registry, and the old one is gone
    ws.write(scenario.config(parts, name="registry-b", base_content_path="content-v2"))
    assert "1 to add, 0 to change, 1 to destroy" in ws.plan().stdout
    ws.apply()
    stored = only_registry(emulator)
    assert stored["name"] == "registry-b" and stored["uid"] != created["id"]
    assert ws.resources()[address]["id"] == stored["uid"]

    # an out-of-band change shows as drift, and apply corrects it
    emulator.patch(stored["uid"], {"endpoint": scenario.other_endpoint()})
    plan = ws.plan()
    assert "1 to change" in plan.stdout and scenario.other_endpoint() in plan.stdout
    ws.apply()
    assert only_registry(emulator)["spec"]["endpoint"] == scenario.endpoint(parts)
    assert ws.plan_changes() == 0

    # an out-of-band delete plans a re-create
    emulator.delete_out_of_band(stored["uid"])
    assert "1 to add, 0 to change, 0 to destroy" in ws.plan().stdout
    ws.apply()
    recreated = only_registry(emulator)
    assert recreated["name"] == "registry-b" and recreated["uid"] != stored["uid"]

    destroy_leaves_nothing(ws, emulator)
