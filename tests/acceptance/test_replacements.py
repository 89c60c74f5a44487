"""Changes Palette cannot make in place: basic <-> ECR, sync true -> false, and the re-registration of
a Helm registry created before Palette 4.5.0."""

from __future__ import annotations

from tests.acceptance.scenarios import Parts, Scenario
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.terraform import Workspace

HELM_BASIC = Scenario("oci_registry_helm", "basic")
HELM_ECR = Scenario("oci_registry_helm", "ecr-keys")
PACKS_BASIC = Scenario("oci_registry_packs", "basic")
PACKS_STS = Scenario("oci_registry_packs", "ecr-sts")


def only(emulator: Emulator) -> dict:
    [stored] = emulator.registries()
    return stored


def test_switching_between_basic_and_ecr_replaces(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.write(HELM_BASIC.config(parts))
    workspace.apply()
    basic_uid = only(clean_emulator)["uid"]

    workspace.write(HELM_ECR.config(parts))
    plan = workspace.plan().stdout
    assert "must be replaced" in plan and "1 to add, 0 to change, 1 to destroy" in plan
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["kind"] == "ecr" and stored["uid"] != basic_uid
    assert workspace.plan_changes() == 0

    workspace.write(HELM_BASIC.config(parts))
    workspace.apply()
    assert only(clean_emulator)["kind"] == "basic"


def test_packs_switch_to_sts_replaces(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.write(PACKS_BASIC.config(parts))
    workspace.apply()
    workspace.write(PACKS_STS.config(parts))
    assert "1 to add, 0 to change, 1 to destroy" in workspace.plan().stdout
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["kind"] == "ecr" and stored["spec"]["credentials"]["sts"]["externalId"] == parts.external_id


def test_turning_sync_on_is_in_place_and_off_replaces(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = false"))
    workspace.apply()
    uid = only(clean_emulator)["uid"]

    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = true\n  wait_for_sync = true"))
    assert "0 to add, 1 to change, 0 to destroy" in workspace.plan().stdout
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["uid"] == uid and stored["spec"]["isSyncSupported"] is True
    state = workspace.resources()[HELM_BASIC.address]
    assert state["sync_status"] == "Success" and state["last_synced_at"]
    assert workspace.plan_changes() == 0

    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = false"))
    plan = workspace.plan().stdout
    assert "1 to add, 0 to change, 1 to destroy" in plan and "forces replacement" in plan
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["uid"] != uid and stored["spec"]["isSyncSupported"] is False


def test_legacy_helm_registry_is_reregistered_to_sync(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    body = basic_registry(
        "registry-a",
        parts.registry.url,
        username=parts.registry.username,
        password=parts.registry.password,
        base_content_path="content",
    )
    legacy_uid = clean_emulator.seed("basic", body, legacy=True)
    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = false"))
    workspace.import_(HELM_BASIC.address, legacy_uid)
    workspace.apply()  # the imported state learns the password
    assert workspace.resources()[HELM_BASIC.address]["sync_supported"] is False
    assert workspace.plan_changes() == 0

    workspace.write(HELM_BASIC.config(parts, extra="\n  auto_sync = true"))
    plan = workspace.plan()
    assert "1 to add, 0 to change, 1 to destroy" in plan.stdout
    warning = " ".join(plan.output.split())
    assert "Registry will be re-registered to enable synchronization" in warning
    assert "created before Palette 4.5.0" in warning
    workspace.apply()
    stored = only(clean_emulator)
    assert stored["uid"] != legacy_uid and stored["legacy"] is False and stored["spec"]["isSyncSupported"] is True
    assert workspace.resources()[HELM_BASIC.address]["sync_supported"] is True
    assert workspace.plan_changes() == 0
