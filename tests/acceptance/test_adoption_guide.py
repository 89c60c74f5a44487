"""docs/guides/adopting-ui-registries.md, run: a registry seeded as if made in the UI is adopted with
an import block and -generate-config-out (Terraform 1.15.5), its secret supplied, applied once, and
then shows no changes; and with `terraform import` on both versions."""

from __future__ import annotations

import re

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace


def seed(emulator: Emulator, endpoint: str, password: str) -> str:
    return emulator.seed(
        "basic",
        {
            "metadata": {"name": "platform-charts"},
            "spec": {
                "endpoint": endpoint,
                "providerType": "helm",
                "auth": {"type": "basic", "username": "robot", "password": password},
            },
        },
    )


@pytest.mark.parametrize("tf_version", ["1.15.5"], indirect=True)
def test_import_block_and_generated_config(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    uid = seed(clean_emulator, parts.public_registry.url, "ui-password")
    workspace.write(f'{PROVIDER_BLOCK}\nimport {{\n  to = oci_registry_helm.charts\n  id = "platform-charts"\n}}\n')
    generated = workspace.run("plan", "-no-color", "-generate-config-out=generated.tf", check=False)
    text = (workspace.dir / "generated.tf").read_text()
    # Terraform aligns the `=` of a block's attributes (password, password_wo, password_wo_version).
    assert re.search(r"\bpassword +?= null # sensitive", text), text
    assert generated.returncode == 1
    errors = " ".join(generated.stderr.split())
    assert "Error: Empty basic_auth.password" in errors and "imported from Palette" in errors

    # The guide's step: supply the secret.
    supplied = re.sub(r"\bpassword( +)= null # sensitive", r'password\1= "ui-password"', text)
    (workspace.dir / "generated.tf").write_text(supplied)
    plan = workspace.plan()
    assert re.search(r"1 to import, 0 to add, 1 to change, 0 to destroy", plan.stdout), plan.stdout
    workspace.apply()
    assert workspace.resources()["oci_registry_helm.charts"]["id"] == uid  # the same registry, adopted
    assert workspace.plan_changes() == 0


def test_terraform_import(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    uid = seed(clean_emulator, parts.public_registry.url, "ui-password")
    workspace.write(
        f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "charts" {{
  name     = "platform-charts"
  endpoint = "{parts.public_registry.url}"
  basic_auth {{
    username = "robot"
    password = "ui-password"
  }}
}}
"""
    )
    workspace.import_("oci_registry_helm.charts", "platform-charts")
    assert workspace.plan_changes() == 2  # the first apply sends the secret Palette never returned
    workspace.apply()
    assert workspace.resources()["oci_registry_helm.charts"]["id"] == uid
    assert workspace.plan_changes() == 0
