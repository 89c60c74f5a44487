"""Write-only secrets (`password_wo` + `password_wo_version`): Terraform 1.11+ hands them to the provider
at apply and keeps them nowhere; older Terraform is refused at plan time.

On 1.15.5 a canary password travels from an ephemeral variable through plan -out, `terraform show -json`
of the saved plan, the apply of that plan (TF_LOG=trace) and a refresh: it reaches Palette (the emulator's
store) and no state, plan or log. Bumping `password_wo_version` updates the registry in place with the
new value from the configuration. The registry is the anonymous docker-registry, which lets any password
through Palette's validate, so the canaries can change.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace


def config(endpoint: str, version: int, *, ephemeral: bool = True) -> str:
    return f"""{PROVIDER_BLOCK}
variable "password" {{
  type      = string
  sensitive = true{chr(10) + "  ephemeral = true" if ephemeral else ""}
}}

resource "oci_registry_helm" "this" {{
  name              = "write-only"
  endpoint          = "{endpoint}"
  base_content_path = "charts"
  basic_auth {{
    username            = "robot"
    password_wo         = var.password
    password_wo_version = {version}
  }}
}}
"""


def files_text(directory: Path) -> str:
    """Every file Terraform left in the working directory, as text (the plan file's zip included)."""
    return "\n".join(p.read_bytes().decode("latin-1") for p in directory.rglob("*") if p.is_file())


@pytest.mark.parametrize("tf_version", ["1.15.5"], indirect=True)
def test_write_only_password_is_sent_and_kept_nowhere(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    ws, endpoint = workspace, parts.public_registry.url
    first, second = (f"CANARY-wo-{secrets.token_hex(12)}" for _ in range(2))

    ws.write(config(endpoint, 1))
    plan = ws.run("plan", "-no-color", "-out=tfplan", env={"TF_VAR_password": first})
    shown = ws.run("show", "-json", "tfplan").stdout
    planned = json.loads(shown)["resource_changes"][0]["change"]["after"]["basic_auth"][0]
    assert planned["password_wo"] is None and planned["password_wo_version"] == 1
    apply = ws.run("apply", "-no-color", "-auto-approve", "tfplan", env={"TF_VAR_password": first, "TF_LOG": "trace"})
    stored = clean_emulator.registries()
    assert [r["spec"]["auth"]["password"] for r in stored] == [first]  # Palette got it
    state = (ws.dir / "terraform.tfstate").read_text()
    assert json.loads(state)["resources"][0]["instances"][0]["attributes"]["basic_auth"][0]["password_wo"] is None
    for where, text in {
        "plan output": plan.output,
        "show -json": shown,
        "apply with TF_LOG=trace": apply.output,
        "files in the working directory (state, plan file)": files_text(ws.dir),
    }.items():
        assert first not in text, where

    # Nothing changes while the version stays: Terraform cannot see the value, only the version.
    assert ws.plan_changes(env_password(first)) == 0

    # Rotation: a new value with a new version is an in-place update that sends the new value.
    ws.write(config(endpoint, 2))
    plan = ws.run("plan", "-no-color", env={"TF_VAR_password": second})
    assert "1 to change, 0 to destroy" in plan.stdout, plan.stdout
    uid = stored[0]["uid"]
    before = len(clean_emulator.requests())
    apply = ws.run("apply", "-no-color", "-auto-approve", env={"TF_VAR_password": second, "TF_LOG": "trace"})
    writes = [f"{r['method']} {r['route']}" for r in clean_emulator.requests()[before:] if r["method"] != "GET"]
    assert "PUT /v1/registries/oci/{uid}/basic" in writes, writes
    assert clean_emulator.registry(uid)["spec"]["auth"]["password"] == second  # type: ignore[index]
    for text in (plan.output, apply.output, files_text(ws.dir)):
        assert second not in text and first not in text
    assert ws.plan_changes(env_password(second)) == 0


def env_password(value: str) -> str:
    return f"-var=password={value}"


@pytest.mark.parametrize("tf_version", ["1.0.3"], indirect=True)
def test_write_only_needs_terraform_1_11(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    workspace.write(config(parts.public_registry.url, 1, ephemeral=False))
    plan = workspace.run("plan", "-no-color", "-var=password=secret", check=False)
    errors = " ".join(plan.stderr.split())
    assert plan.returncode == 1
    assert "password_wo needs Terraform 1.11 or later" in errors, errors
    assert "Use password instead" in errors
    assert clean_emulator.registries() == []
