"""Data sources, scopes (tenant, system; no project) and provider configuration errors, through real Terraform."""

from __future__ import annotations

import pytest

from tests.acceptance.conftest import palette_env
from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts, Scenario
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.processes import free_port
from tests.harness.terraform import Workspace

HELM_BASIC = Scenario("oci_registry_helm", "basic")


def test_data_sources(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.write(
        f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "charts" {{
  name              = "charts"
  endpoint          = "{parts.public_registry.url}"
  base_content_path = "charts"
}}

resource "oci_registry_zarf" "zarf" {{
  name     = "zarf"
  endpoint = "{parts.registry.url}"
  basic_auth {{
    username = "{parts.registry.username}"
    password = "{parts.registry.password}"
  }}
}}

data "oci_registry" "by_name" {{
  name = oci_registry_helm.charts.name
}}

data "oci_registry" "by_id" {{
  id = oci_registry_zarf.zarf.id
}}

data "oci_registries" "all" {{
  depends_on = [oci_registry_helm.charts, oci_registry_zarf.zarf]
}}

data "oci_registries" "zarf" {{
  provider_type = "zarf"
  depends_on    = [oci_registry_helm.charts, oci_registry_zarf.zarf]
}}

output "by_name" {{ value = data.oci_registry.by_name }}
output "by_id" {{ value = data.oci_registry.by_id }}
output "all" {{ value = data.oci_registries.all.registries }}
output "zarf" {{ value = data.oci_registries.zarf.registries }}
"""
    )
    workspace.apply()
    out = workspace.outputs()
    uids = {r["name"]: r["uid"] for r in clean_emulator.registries()}
    assert out["by_name"]["id"] == uids["charts"]
    assert (out["by_name"]["provider_type"], out["by_name"]["auth_type"], out["by_name"]["base_content_path"]) == (
        "helm",
        "none",
        "charts",
    )
    assert (out["by_id"]["name"], out["by_id"]["provider_type"], out["by_id"]["auth_type"]) == ("zarf", "zarf", "basic")
    assert out["by_id"]["scope"] == "tenant" and out["by_id"]["sync_supported"] is False
    assert [(r["name"], r["provider_type"], r["auth_type"]) for r in out["all"]] == [
        ("charts", "helm", "none"),
        ("zarf", "zarf", "basic"),
    ]
    assert [r["id"] for r in out["zarf"]] == [uids["zarf"]]
    assert workspace.plan_changes() == 0


def test_data_source_for_a_missing_registry_says_so(workspace: Workspace, clean_emulator: Emulator) -> None:
    workspace.write(f'{PROVIDER_BLOCK}\ndata "oci_registry" "x" {{\n  name = "nope"\n}}\n')
    result = workspace.plan(check=False)
    assert result.returncode == 1 and "Registry not found" in result.stderr and '"nope"' in result.stderr


def test_a_missing_name_names_the_registry_that_differs_only_in_case(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """Issue 24: `Registry not found: "Platform-Charts"` said nothing of the registry "platform-charts"."""
    clean_emulator.seed("basic", basic_registry("platform-charts", parts.public_registry.url))
    workspace.write(f'{PROVIDER_BLOCK}\ndata "oci_registry" "x" {{\n  name = "Platform-Charts"\n}}\n')
    result = workspace.plan(check=False)
    assert result.returncode == 1, result
    errors = " ".join(result.stderr.split())
    assert 'No OCI registry with the name "Platform-Charts" is visible to this API key.' in errors, result
    assert 'Names are case-sensitive: "platform-charts" differs only in case.' in errors, result
    assert 'name = "Platform-Charts"' in result.stderr  # at the attribute


def test_registries_are_tenant_level(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    """No setting picks a project and no call carries ProjectUid: Palette keeps registries at tenant level."""
    workspace.write(HELM_BASIC.config(parts))
    workspace.apply()
    [stored] = clean_emulator.registries()
    assert stored["scope"] == "tenant" and workspace.resources()[HELM_BASIC.address]["scope"] == "tenant"
    assert workspace.plan_changes() == 0
    workspace.destroy()
    assert clean_emulator.registries() == []
    assert all(r["project_uid"] is None for r in clean_emulator.requests())

    configured = HELM_BASIC.config(parts).replace('provider "oci" {}', 'provider "oci" {\n  project = "Team-A"\n}')
    assert "Team-A" in configured
    workspace.write(configured)
    # Removed in 0.2.0, kept one minor version as an ignored, deprecated argument: Terraform's bare
    # "Unsupported argument" said nothing of what replaced it.
    result = workspace.run("plan", "-no-color", check=False)
    assert result.returncode == 0, result
    assert "Unsupported argument" not in result.output and "Traceback" not in result.output
    warning = " ".join(result.output.split())
    assert "Warning: Argument project is deprecated" in warning, result
    assert "Registries are tenant-level in Palette; the provider ignores project; remove it" in warning, result
    assert 'project = "Team-A"' in result.output  # Terraform quotes the line: the warning is at the attribute
    assert "Plan: 1 to add" in result.output
    assert all(r["project_uid"] is None for r in clean_emulator.requests())


def test_system_registry_changes_are_refused_clearly(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    body = basic_registry("registry-a", parts.public_registry.url, base_content_path="content")
    uid = clean_emulator.seed("basic", body, scope="system")
    workspace.write(
        f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "this" {{
  name              = "registry-a"
  endpoint          = "{parts.public_registry.url}"
  base_content_path = "content-v2"
}}
"""
    )
    workspace.import_(HELM_BASIC.address, uid)
    assert workspace.resources()[HELM_BASIC.address]["scope"] == "system"
    result = workspace.apply(check=False)
    assert result.returncode == 1
    assert "Palette refused the operation" in result.stderr and "system administrator" in result.stderr
    assert clean_emulator.registry(uid)["spec"]["baseContentPath"] == "content"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PALETTE_API_KEY": ""}, "Missing Palette API key"),
        ({"PALETTE_API_KEY": "wrong-key"}, "Palette rejected the API key"),
        ({"PALETTE_HOST": f"http://127.0.0.1:{free_port()}"}, "Cannot reach Palette"),
    ],
    ids=["missing-key", "wrong-key", "unreachable"],
)
def test_provider_configuration_errors(
    env: dict[str, str], message: str, workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    workspace.env.update({**palette_env(clean_emulator), "PALETTE_MAX_RETRIES": "1", **env})
    workspace.write(HELM_BASIC.config(parts))
    result = workspace.apply(check=False)  # a plan of new registries needs no call to Palette
    assert result.returncode == 1
    assert message in " ".join(result.stderr.split()), result
    assert clean_emulator.registries() == []
    assert "Traceback" not in result.output and "Plugin error" not in result.output
    if env.get("PALETTE_API_KEY") == "":
        assert "PALETTE_API_KEY" in result.stderr
