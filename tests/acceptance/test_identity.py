"""Resource identity (Terraform 1.12+): a registry made in the UI is imported by its name alone
(`import { identity = { name = ... } }`), the state records `{ name, uid }`, and the identity stays
the same across refreshes and applies."""

from __future__ import annotations

import json

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.terraform import Workspace


def identity(ws: Workspace) -> dict[str, str]:
    state = json.loads((ws.dir / "terraform.tfstate").read_text())
    (instance,) = state["resources"][0]["instances"]
    return dict(instance["identity"])


@pytest.mark.parametrize("tf_version", ["1.15.5"], indirect=True)
def test_import_by_identity_and_stable_identity(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    endpoint = parts.public_registry.url
    uid = clean_emulator.seed("basic", basic_registry("charts", endpoint, base_content_path="charts"))
    workspace.write(f"""{PROVIDER_BLOCK}
import {{
  to       = oci_registry_helm.charts
  identity = {{ name = "charts" }}
}}

resource "oci_registry_helm" "charts" {{
  name              = "charts"
  endpoint          = "{endpoint}"
  base_content_path = "charts"
}}
""")
    plan = workspace.plan()
    assert "1 to import, 0 to add, 0 to change, 0 to destroy" in plan.stdout, plan.stdout
    workspace.apply()
    assert identity(workspace) == {"name": "charts", "uid": uid}
    assert workspace.resources()["oci_registry_helm.charts"]["id"] == uid
    for _ in range(2):
        workspace.apply("-refresh-only")
        assert identity(workspace) == {"name": "charts", "uid": uid}
    assert workspace.plan_changes() == 0
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]  # adopted, not registered again
