"""Registries as Palette's UI makes them, through real Terraform: what the provider does not manage survives
an update (asserted on the emulator's stored record), token authentication is read but not managed, an ECR
pod-identity registry is a clear import error, and an answer of a kind this provider does not know is a clear
diagnostic (palette_emulator/FIDELITY.md)."""

from __future__ import annotations

import json

from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator, basic_registry, ecr_registry
from tests.harness.terraform import Workspace

ADDRESS = "oci_registry_helm.this"
POD_ROLE = "arn:aws:iam::123456789012:role/palette-pod-identity"
CLIENT_KEY = "-----BEGIN PRIVATE KEY-----\nui-made-client-key-material\n-----END PRIVATE KEY-----\n"


def helm(parts: Parts, name: str, auth: str = "", extra: str = "") -> str:
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "this" {{
  name              = "{name}"
  endpoint          = "{parts.registry.url}"
  base_content_path = "content"{extra}
{auth}
}}
"""


def basic_auth(parts: Parts) -> str:
    return f"""  basic_auth {{
    username = "{parts.registry.username}"
    password = "{parts.registry.password}"
  }}"""


def test_an_update_keeps_the_client_certificate_and_base_path_made_in_the_ui(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts, test_ca: CertificateAuthority
) -> None:
    body = basic_registry(
        "ui-made",
        parts.registry.url,
        username=parts.registry.username,
        password="old-password-from-the-ui",
        base_content_path="content",
    )
    body["spec"]["basePath"] = "/artifactory/api"
    body["spec"]["auth"]["tls"].update(certificate=test_ca.cert_pem, key=CLIENT_KEY)
    uid = clean_emulator.seed("basic", body)

    workspace.write(helm(parts, "ui-made", basic_auth(parts)))
    workspace.import_(ADDRESS, "ui-made")
    workspace.apply()  # the first apply sends the password Palette never returns

    stored = clean_emulator.registry(uid)
    assert stored is not None
    spec = stored["spec"]
    assert spec["auth"]["password"] == parts.registry.password  # what Terraform manages changed
    assert spec["basePath"] == "/artifactory/api"  # what it does not manage stayed
    assert (spec["auth"]["tls"]["certificate"], spec["auth"]["tls"]["key"]) == (test_ca.cert_pem, CLIENT_KEY)
    state = workspace.resources()[ADDRESS]
    assert state["base_path"] is None and not state["tls"]  # not managed: not in the state either
    assert workspace.plan_changes() == 0

    # Managing them is opt-in: configured values replace Palette's.
    workspace.write(helm(parts, "ui-made", basic_auth(parts), extra='\n  base_path         = "/v2-prefix"'))
    workspace.apply()
    assert clean_emulator.registry(uid)["spec"]["basePath"] == "/v2-prefix"
    assert clean_emulator.registry(uid)["spec"]["auth"]["tls"]["key"] == CLIENT_KEY
    assert workspace.plan_changes() == 0


def test_token_authentication_is_read_not_managed(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    body = basic_registry("token-made", parts.registry.url, base_content_path="content")
    body["spec"]["auth"].update(type="token", token="ui-token-0123456789")
    uid = clean_emulator.seed("basic", body)

    workspace.write(
        helm(parts, "token-made")
        + '\ndata "oci_registry" "t" {\n  name = "token-made"\n}\n'
        + 'output "auth" { value = data.oci_registry.t.auth_type }\n'
    )
    workspace.import_(ADDRESS, uid)
    assert workspace.resources()[ADDRESS]["auth_type"] == "token"
    result = workspace.plan(check=False)
    message = " ".join(result.stderr.split())
    assert result.returncode == 1 and "Token authentication is not managed by this provider" in message
    assert "ui-token" not in result.output
    stored = clean_emulator.registry(uid)
    assert stored is not None and stored["spec"]["auth"]["token"] == "ui-token-0123456789"  # untouched


def test_a_registry_of_an_unknown_type_is_a_clear_error(workspace: Workspace, clean_emulator: Emulator) -> None:
    summary = {
        "items": [
            {
                "metadata": {"name": "odd", "uid": "0123456789abcdef01234567"},
                "spec": {"endpoint": "odd.example.com", "providerType": "helm", "registryType": "Harbor"},
            }
        ]
    }
    clean_emulator.set_faults(
        [
            {
                "path": "/oci/summary$",
                "kind": "status",
                "status": 200,
                "body": json.dumps(summary),
                "content_type": "application/json",
            }
        ]
    )
    workspace.write(
        f'{PROVIDER_BLOCK}\nresource "oci_registry_helm" "this" {{\n'
        + '  name     = "odd"\n  endpoint = "odd.example.com"\n}\n'
    )
    result = workspace.import_(ADDRESS, "odd", check=False)
    message = " ".join(result.stderr.split())
    assert result.returncode == 1
    assert 'registry "odd" is of type "Harbor", which this provider does not know' in message
    assert "Unexpected failure" not in result.output and "Traceback" not in result.output


def test_a_public_ecr_registry_takes_no_credentials(workspace: Workspace, clean_emulator: Emulator) -> None:
    workspace.write(
        f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "this" {{
  name     = "ecr-public"
  endpoint = "public.ecr.aws"
  ecr {{}}
}}
"""
    )
    workspace.apply()
    [stored] = clean_emulator.registries()
    assert stored["kind"] == "ecr" and stored["spec"]["isPrivate"] is False and "credentials" not in stored["spec"]
    assert workspace.resources()[ADDRESS]["auth_type"] == "ecr"
    assert workspace.plan_changes() == 0
    workspace.destroy()
    assert clean_emulator.registries() == []


def test_an_ecr_pod_identity_registry_is_a_clear_import_error(workspace: Workspace, clean_emulator: Emulator) -> None:
    """Read as it was, a pod-identity registry showed no credentials and the plan then said "Missing ECR
    credentials": importing it names the credential type and says it is Palette's to manage."""
    body = ecr_registry("pod-made", base_content_path="content")
    body["spec"]["credentials"] = {"credentialType": "pod-identity", "podIdentity": {"roleArn": POD_ROLE}}
    uid = clean_emulator.seed("ecr", body)
    workspace.write(
        f'{PROVIDER_BLOCK}\nresource "oci_registry_helm" "this" {{\n  name     = "pod-made"\n'
        f'  endpoint = "{body["spec"]["endpoint"]}"\n  ecr {{}}\n}}\n'
    )
    result = workspace.import_(ADDRESS, uid, check=False)
    message = " ".join(result.stderr.split())
    assert result.returncode == 1, result
    assert "ECR credentials managed in Palette" in message and 'credential type "pod-identity"' in message, result
    assert "Missing ECR credentials" not in message and "Traceback" not in result.output
    assert workspace.resources() == {}
