"""`moved` from Spectro Cloud's provider into the typed resources (Terraform 1.8+: 1.15.5 here).

The state file is written by hand as Terraform writes one for `spectrocloud/spectrocloud`'s
`spectrocloud_registry_oci` (schema version 2, its attributes as `resource_registry_oci_ecr.go` declares
them, blocks as SDKv2 lists), over a registry the emulator holds under the state's uid. Terraform needs
the source provider to start ("Missing required provider" otherwise), though not its schema: a
stand-in with no resource types serves it (`tests/harness/standin.py`) through a dev override.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator, basic_registry, ecr_registry
from tests.harness.standin import ADDRESS, install
from tests.harness.terraform import Workspace

pytestmark = pytest.mark.parametrize("tf_version", ["1.15.5"], indirect=True)

ECR_ENDPOINT = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def official_state(attributes: dict[str, Any], source_type: str = "spectrocloud_registry_oci") -> str:
    """A state file as Terraform writes it for one resource of spectrocloud/spectrocloud named `r`."""
    instance = {"schema_version": 2, "attributes": attributes, "sensitive_attributes": [], "private": "bnVsbA=="}
    resource = {
        "mode": "managed",
        "type": source_type,
        "name": "r",
        "provider": 'provider["registry.terraform.io/spectrocloud/spectrocloud"]',
        "instances": [instance],
    }
    state = {
        "version": 4,
        "terraform_version": "1.7.5",
        "serial": 3,
        "lineage": "6f1c2d8e-5b7a-4c3e-9d21-0a8b7c6d5e4f",
        "outputs": {},
        "resources": [resource],
        "check_results": None,
    }
    return json.dumps(state, indent=2)


def source_attributes(uid: str, name: str, family: str, provider_type: str, **credentials: Any) -> dict[str, Any]:
    """Every attribute of the official schema, defaults as SDKv2 stores them."""
    return {
        "id": uid,
        "name": name,
        "type": family,
        "is_private": True,
        "is_synchronization": provider_type == "pack",
        "endpoint": "",
        "endpoint_suffix": "",
        "base_content_path": "packs" if provider_type == "pack" else "",
        "provider_type": provider_type,
        "wait_for_sync": False,
        "wait_for_status_message": "",
        "timeouts": None,
        "credentials": [
            {
                "credential_type": "noAuth",
                "access_key": "",
                "secret_key": "",
                "arn": "",
                "external_id": "",
                "username": "",
                "password": "",
                "tls_config": [],
                **credentials,
            }
        ],
    }


def moved_workspace(
    workspace: Workspace,
    attributes: dict[str, Any],
    resource: str,
    body: str,
    source_type: str = "spectrocloud_registry_oci",
) -> None:
    standin = install(workspace.dir / "standin").parent
    rc = workspace.dir / "terraformrc"
    rc.write_text(rc.read_text().replace("dev_overrides {", f'dev_overrides {{\n    "{ADDRESS}" = "{standin}"'))
    (workspace.dir / "terraform.tfstate").write_text(official_state(attributes, source_type))
    workspace.write(
        PROVIDER_BLOCK
        + f"""
moved {{
  from = {source_type}.r
  to   = {resource}.r
}}

resource "{resource}" "r" {{
{body}
}}
"""
    )


def writes(emulator: Emulator) -> list[str]:
    return [f"{r['method']} {r['route']}" for r in emulator.requests() if r["method"] != "GET"]


def test_moved_basic_helm_plans_no_change_and_applies_nothing(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    registry = parts.registry
    uid = clean_emulator.seed(
        "basic", basic_registry("charts", registry.url, username=registry.username, password=registry.password)
    )
    attributes = source_attributes(
        uid, "charts", "basic", "helm", credential_type="basic", username=registry.username, password=registry.password
    )
    attributes["endpoint"] = registry.url
    moved_workspace(
        workspace,
        attributes,
        "oci_registry_helm",
        f'  name     = "charts"\n  endpoint = "{registry.url}"\n'
        f'  basic_auth {{\n    username = "{registry.username}"\n    password = "{registry.password}"\n  }}',
    )

    traced = workspace.run("plan", "-no-color", "-input=false", env={"TF_LOG": "trace"})
    assert registry.password not in traced.stdout + traced.stderr  # the source state's secret: not in the log
    plan = workspace.plan()
    assert "spectrocloud_registry_oci.r has moved to oci_registry_helm.r" in plan.stdout
    assert "0 to add, 0 to change, 0 to destroy" in plan.stdout, plan.stdout
    workspace.apply()
    assert writes(clean_emulator) == []  # nothing sent to Palette: the registry and its uid stay
    state = workspace.resources()["oci_registry_helm.r"]
    assert (state["id"], state["auth_type"], state["provider_type"]) == (uid, "basic", "helm")
    (auth,) = state["basic_auth"]  # a single block, shown as a list of one
    assert auth["password"] == registry.password  # kept from the source state
    assert workspace.plan_changes() == 0


def test_moved_ecr_packs_with_a_role_plans_no_change(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    uid = clean_emulator.seed(
        "ecr",
        ecr_registry(
            "packs",
            ECR_ENDPOINT,
            role_arn=parts.role_arn,
            external_id=parts.external_id,
            provider_type="pack",
            base_content_path="packs",
            sync=True,
        ),
    )
    attributes = source_attributes(
        uid, "packs", "ecr", "pack", credential_type="sts", arn=parts.role_arn, external_id=parts.external_id
    )
    attributes["endpoint"] = ECR_ENDPOINT
    moved_workspace(
        workspace,
        attributes,
        "oci_registry_packs",
        f'  name              = "packs"\n  endpoint          = "{ECR_ENDPOINT}"\n  base_content_path = "packs"\n'
        f'  ecr {{\n    role_arn    = "{parts.role_arn}"\n    external_id = "{parts.external_id}"\n  }}',
    )

    plan = workspace.plan()
    assert "0 to add, 0 to change, 0 to destroy" in plan.stdout, plan.stdout
    workspace.apply()
    assert writes(clean_emulator) == []
    assert workspace.resources()["oci_registry_packs.r"]["id"] == uid
    assert workspace.plan_changes() == 0


@pytest.mark.parametrize(
    ("family", "provider_type", "credential", "source_type", "resource", "message"),
    [
        ("basic", "zarf", "noAuth", None, "oci_registry_helm", "move it to oci_registry_zarf, not oci_registry_helm"),
        ("ecr", "zarf", "secret", None, "oci_registry_zarf", "Zarf registry on ECR"),
        ("basic", "helm", "token", None, "oci_registry_helm", "Token authentication is not managed"),
        (
            "basic",
            "helm",
            "noAuth",
            "spectrocloud_registry_helm",
            "oci_registry_helm",
            'oci_registry_helm does not support moving from "spectrocloud_registry_helm"',
        ),
    ],
    ids=["other-kind", "zarf-on-ecr", "token", "other-source"],
)
def test_moves_that_do_not_fit_are_refused_at_plan(
    workspace: Workspace,
    clean_emulator: Emulator,
    family: str,
    provider_type: str,
    credential: str,
    source_type: str | None,
    resource: str,
    message: str,
) -> None:
    attributes = source_attributes("0123456789abcdef01234567", "z", family, provider_type, credential_type=credential)
    attributes["endpoint"] = "https://zarf.example.com" if family == "basic" else ECR_ENDPOINT
    body = f'  name     = "z"\n  endpoint = "{attributes["endpoint"]}"'
    moved_workspace(workspace, attributes, resource, body, source_type or "spectrocloud_registry_oci")

    result = workspace.plan(check=False)
    assert result.returncode == 1
    output = " ".join((result.stdout + result.stderr).split())
    assert message in output, output
    assert "Traceback" not in output and "Unexpected failure" not in output
    assert writes(clean_emulator) == []
    saved = json.loads((workspace.dir / "terraform.tfstate").read_text())
    assert saved["resources"][0]["type"] == (source_type or "spectrocloud_registry_oci")  # the state is untouched
