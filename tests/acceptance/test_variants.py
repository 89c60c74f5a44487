"""Answers Palette may give where the evidence is silent, through real Terraform.

palette_emulator/FIDELITY.md lists each behaviour the emulator shows with its evidence or the mark
"assumption"; every assumption has a variant (palette_emulator/variants.py) that answers the other
plausible way. A variant changes only Palette's answers, so every lifecycle variant runs in-process
(palette/test_variants_inprocess.py: the real provider behind its Servicer, the emulator's app behind
the client's transport). Two run here as well, on Terraform 1.0.3 and 1.15.5, because what they change
meets Terraform's own handling: `registry-type-upper` ("ECR"/"Basic") decides the path of an import
by name, and an import is the one command whose state Terraform takes from the provider alone before
planning it against the configuration; `mask-stars` answers every secret "******", a value Terraform
compares with the configured sensitive one in its own diff and renders as "(sensitive value)" (its
no-change plan after refresh and import is Terraform's verdict, not ours). Three registries (a
syncing Helm one with basic auth over TLS with its CA, a Packs one on ECR through STS, a public Zarf
one) go through create, a clean plan, import by name and by uid, both data sources, a plan after
import, an in-place update and destroy. The provider never sends a body field outside the swagger
that Palette did not answer itself.

What a wrong API key gets (`bad-key-403`, `bad-key-not-found`) is about the state Terraform keeps when
the provider fails, so those run here too.
"""

from __future__ import annotations

import pytest

from palette_emulator.variants import VARIANTS
from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Workspace

ADDRESSES = ("oci_registry_helm.charts", "oci_registry_packs.packs", "oci_registry_zarf.zarf")


def configuration(parts: Parts, tls_registry: DockerRegistry, content: str = "content") -> str:
    """The Helm registry is served over TLS by a registry whose CA the configuration gives (ca.pem beside it):
    every variant's validate and sync must find the CA where that variant's Palette reads it."""
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "charts" {{
  name              = "variant-charts"
  endpoint          = "{tls_registry.url}"
  base_content_path = "{content}"
  auto_sync         = true
  wait_for_sync     = true
  basic_auth {{
    username = "{tls_registry.username}"
    password = "{tls_registry.password}"
  }}
  tls {{
    ca_certificate = file("${{path.module}}/ca.pem")
  }}
}}

resource "oci_registry_packs" "packs" {{
  name              = "variant-ecr"
  endpoint          = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  base_content_path = "{content}"
  wait_for_sync     = true
  ecr {{
    role_arn    = "{parts.role_arn}"
    external_id = "{parts.external_id}"
  }}
}}

resource "oci_registry_zarf" "zarf" {{
  name     = "variant-zarf"
  endpoint = "{parts.public_registry.url}"
}}

data "oci_registry" "ecr" {{
  name = oci_registry_packs.packs.name
}}

data "oci_registries" "all" {{
  depends_on = [oci_registry_helm.charts, oci_registry_packs.packs, oci_registry_zarf.zarf]
}}

output "ecr" {{ value = data.oci_registry.ecr }}
output "all" {{ value = data.oci_registries.all.registries }}
"""


def assert_no_changes(ws: Workspace, variant: str) -> None:
    result = ws.run("plan", "-no-color", "-input=false", "-detailed-exitcode", check=False)
    assert result.returncode == 0, f"{variant}: {result}"


# The module's doc says why these two; palette/test_variants_inprocess.py runs every lifecycle variant.
TERRAFORM_VARIANTS = ["mask-stars", "registry-type-upper"]


def test_the_terraform_variants_exist() -> None:
    assert set(TERRAFORM_VARIANTS) <= set(VARIANTS)


@pytest.mark.parametrize("variant", TERRAFORM_VARIANTS)
def test_lifecycle_against_each_variant(
    variant: str, workspace: Workspace, clean_emulator: Emulator, parts: Parts, docker_registry_tls: DockerRegistry
) -> None:
    ws = workspace
    clean_emulator.set_variants([variant])

    ws.write(docker_registry_tls.ca_pem or "", name="ca.pem")
    ws.write(configuration(parts, docker_registry_tls))
    ws.apply()
    created = ws.resources()
    uids = {name: created[address]["id"] for name, address in zip(("charts", "ecr", "zarf"), ADDRESSES, strict=True)}
    assert {r["uid"] for r in clean_emulator.registries()} == set(uids.values())
    assert created[ADDRESSES[0]]["auto_sync"] is True and created[ADDRESSES[1]]["auth_type"] == "ecr"
    # The sync contacted the TLS registry with the CA where this variant's Palette reads it (the emulator's own
    # record: with no-status, answers carry no sync status).
    synced = clean_emulator.registry(created[ADDRESSES[0]]["id"])
    assert synced is not None and synced["syncStatus"]["status"] in ("Completed", "Success"), synced["syncStatus"]
    assert_no_changes(ws, variant)

    outputs = ws.outputs()
    assert (outputs["ecr"]["id"], outputs["ecr"]["auth_type"], outputs["ecr"]["provider_type"]) == (
        uids["ecr"],
        "ecr",
        "pack",
    )
    listed = {(r["name"], r["auth_type"], r["provider_type"]) for r in outputs["all"]}
    assert listed == {
        ("variant-charts", "basic", "helm"),
        ("variant-ecr", "ecr", "pack"),
        ("variant-zarf", "none", "zarf"),
    }

    # Import: by name (the summary's spelling of the type decides the path) and by uid (the entity's).
    for address in ADDRESSES:
        ws.state_rm(address)
    ws.import_(ADDRESSES[0], "variant-charts")
    ws.import_(ADDRESSES[1], "variant-ecr")
    ws.import_(ADDRESSES[2], uids["zarf"])
    imported = ws.resources()
    assert [imported[address]["id"] for address in ADDRESSES] == [uids["charts"], uids["ecr"], uids["zarf"]]
    ws.plan()  # a plan after import works (it re-sends the secrets Palette never returns)
    ws.apply()
    assert_no_changes(ws, variant)

    ws.write(configuration(parts, docker_registry_tls, content="content-v2"))
    ws.apply()
    assert {r["spec"]["baseContentPath"] for r in clean_emulator.registries() if r["kind"] == "ecr"} == {"content-v2"}
    assert {r["uid"] for r in clean_emulator.registries()} == set(uids.values())  # updated in place
    assert_no_changes(ws, variant)

    ws.destroy()
    assert clean_emulator.registries() == []
    assert clean_emulator.unknown_fields() == []  # never a field outside the swagger (or Palette's answer)


def test_a_wrong_key_answered_with_403_fails_the_plan_naming_the_key(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts, docker_registry_tls: DockerRegistry
) -> None:
    clean_emulator.set_variants(["bad-key-403"])
    workspace.env["PALETTE_API_KEY"] = "not-a-key-of-this-tenant"
    workspace.write(docker_registry_tls.ca_pem or "", name="ca.pem")
    workspace.write(configuration(parts, docker_registry_tls))
    result = workspace.plan(check=False)
    message = " ".join(result.stderr.split())
    assert result.returncode == 1 and "Palette rejected the API key" in message, result
    assert "not-a-key-of-this-tenant" not in result.output
    assert clean_emulator.registries() == []


WRONG_KEY = "wrong-key-palette-echoes-3141"


def test_a_wrong_key_answered_not_found_fails_the_plan_and_drops_nothing(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts, docker_registry_tls: DockerRegistry
) -> None:
    """Palette answers every call of a key it does not know 404 ResourceNotFound, echoing the key (variant
    bad-key-not-found). `plan` fails naming api_key and where it came from (it used to plan every registry
    again), `apply -refresh-only` and `destroy -refresh=false` keep every registry in the state (the first used
    to drop them all), and an import fails the same way instead of "Registry not found". The echoed key shows
    nowhere, not even at TF_LOG=trace."""
    workspace.write(docker_registry_tls.ca_pem or "", name="ca.pem")
    workspace.write(configuration(parts, docker_registry_tls))
    workspace.apply()
    managed = {address: workspace.resources()[address]["id"] for address in ADDRESSES}
    stored = sorted(r["uid"] for r in clean_emulator.registries())
    clean_emulator.set_variants(["bad-key-not-found"])
    workspace.env["PALETTE_API_KEY"] = WRONG_KEY

    plan = workspace.run("plan", "-no-color", "-input=false", check=False, env={"TF_LOG": "trace"})
    message = " ".join(plan.stderr.split())
    assert plan.returncode == 1 and "Palette rejected the API key" in message, plan
    assert "The key came from the environment variable PALETTE_API_KEY" in message and "api_key" in message
    assert "to add" not in plan.stdout
    refresh = workspace.apply("-refresh-only", check=False)
    assert refresh.returncode == 1 and "Palette rejected the API key" in " ".join(refresh.stderr.split())
    # A destroy without refresh: each DELETE answered "not found" is believed only once the key is proven.
    destroy = workspace.destroy("-refresh=false", check=False)
    assert destroy.returncode == 1 and "Palette rejected the API key" in " ".join(destroy.stderr.split())
    assert {address: workspace.resources()[address]["id"] for address in ADDRESSES} == managed
    workspace.state_rm(ADDRESSES[2])
    imported = workspace.import_(ADDRESSES[2], managed[ADDRESSES[2]], check=False)  # not "Registry not found"
    assert imported.returncode == 1 and "Palette rejected the API key" in " ".join(imported.stderr.split())
    assert WRONG_KEY not in plan.output + refresh.output + destroy.output + imported.output
    workspace.env["PALETTE_API_KEY"] = clean_emulator.api_key
    workspace.import_(ADDRESSES[2], managed[ADDRESSES[2]])

    assert {address: workspace.resources()[address]["id"] for address in ADDRESSES} == managed
    assert sorted(r["uid"] for r in clean_emulator.registries()) == stored
    # The right key: no registry to change (Terraform 1.0.3's failed destroy dropped the outputs from the state).
    assert "Plan:" not in workspace.plan().stdout
