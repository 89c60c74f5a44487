"""Sync attributes in plans: a Zarf registry (which never syncs) keeps sync_status and
last_synced_at known across updates; what a Packs registry without wait_for_sync shows after its
first sync ends."""

from __future__ import annotations

import json

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace


def zarf(endpoint: str, path: str) -> str:
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_zarf" "this" {{
  name              = "zarf"
  endpoint          = "{endpoint}"
  base_content_path = "{path}"
}}
"""


def test_a_zarf_update_plans_its_sync_attributes_as_known(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    endpoint = parts.public_registry.url
    workspace.write(zarf(endpoint, "first"))
    # Issue 24: a Zarf registry never syncs, so its sync_status is known, "", from the first plan on.
    workspace.run("plan", "-out=create.tfplan")
    [change] = json.loads(workspace.run("show", "-json", "create.tfplan").stdout)["resource_changes"]
    assert change["change"]["after"]["sync_status"] == "", change
    assert "sync_status" not in change["change"]["after_unknown"], change
    workspace.apply()  # and Palette's answer agrees: no "inconsistent result after apply"
    before = workspace.resources()["oci_registry_zarf.this"]
    assert before["sync_status"] == ""
    workspace.write(zarf(endpoint, "second"))
    plan = workspace.plan()
    assert "~ base_content_path" in plan.stdout
    assert "known after apply" not in plan.stdout, plan.stdout
    workspace.apply()
    after = workspace.resources()["oci_registry_zarf.this"]
    assert (after["sync_status"], after["last_synced_at"]) == (before["sync_status"], before["last_synced_at"])
    assert workspace.plan_changes() == 0
