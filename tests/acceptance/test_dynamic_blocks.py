"""`dynamic` blocks whose `for_each` Terraform learns only at apply (issue 21, item 9), on both Terraform
versions: the block is unknown at plan, so is every value derived from it (`auth_type`), and the apply
gives what the for_each then says, with no "inconsistent final plan" and a clean plan after."""

from __future__ import annotations

import re

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace


def configuration(parts: Parts) -> str:
    # `oci_registry_helm.a.id` is known only after apply: it decides the blocks of b and c.
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "a" {{
  name     = "first"
  endpoint = "{parts.public_registry.url}"
}}

resource "oci_registry_helm" "b" {{
  name     = "with-credentials"
  endpoint = "{parts.registry.url}"
  dynamic "basic_auth" {{
    for_each = oci_registry_helm.a.id != "" ? [1] : []
    content {{
      username = "{parts.registry.username}"
      password = "{parts.registry.password}"
    }}
  }}
}}

resource "oci_registry_helm" "c" {{
  name     = "without-ecr"
  endpoint = "{parts.public_registry.url}"
  dynamic "ecr" {{
    for_each = oci_registry_helm.a.id == "" ? [1] : []
    content {{}}
  }}
}}
"""


def test_a_dynamic_block_known_only_at_apply(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.write(configuration(parts))
    plan = workspace.plan()  # failed: "Unexpected failure ... '_Unknown' object has no attribute 'get'"
    assert "3 to add" in plan.stdout
    # a's auth is known at plan; b's and c's depend on a's id.
    assert re.findall(r"auth_type\s+= (.+)", plan.stdout) == ['"none"', "(known after apply)", "(known after apply)"]

    workspace.apply()  # with the crash patched: "Provider produced inconsistent final plan" (auth_type)
    state = workspace.resources()
    assert state["oci_registry_helm.b"]["auth_type"] == "basic"
    assert state["oci_registry_helm.b"]["basic_auth"][0]["username"] == parts.registry.username
    assert state["oci_registry_helm.c"]["auth_type"] == "none" and state["oci_registry_helm.c"]["ecr"] == []
    stored = {r["name"]: r for r in clean_emulator.registries()}
    assert stored["with-credentials"]["spec"]["auth"]["type"] == "basic"
    assert stored["without-ecr"]["kind"] == "basic"
    assert workspace.plan_changes() == 0
    workspace.destroy()
    assert clean_emulator.registries() == []


def synchronizing(parts: Parts, auto_sync: str) -> str:
    """A registry that syncs, and a new one whose uid (known only after apply) may decide its auto_sync."""
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "b" {{
  name              = "syncing"
  endpoint          = "{parts.public_registry.url}"
  base_content_path = "charts"
  auto_sync         = {auto_sync}
}}
"""


NEW = """
resource "oci_registry_helm" "c" {{
  name     = "third"
  endpoint = "{endpoint}"
}}
"""


def test_auto_sync_of_a_synchronizing_registry_known_only_at_apply_fails_the_plan(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """Turning sync off replaces the registry: an auto_sync known only at apply on a registry that syncs is
    an error at plan, not an update that Terraform stops at apply ("inconsistent final plan": the provider
    changed the planned action from update to replace)."""
    workspace.write(synchronizing(parts, "true"))
    workspace.apply()
    before = {r["name"]: r["uid"] for r in clean_emulator.registries()}

    workspace.write(
        synchronizing(parts, 'oci_registry_helm.c.id == ""') + NEW.format(endpoint=parts.public_registry.url)
    )
    plan = workspace.plan(check=False)
    assert plan.returncode == 1, plan
    assert "Whether synchronization stays on is not known until apply" in plan.output
    assert 'auto_sync of registry "syncing"' in " ".join(plan.output.split())
    assert {r["name"]: r["uid"] for r in clean_emulator.registries()} == before
