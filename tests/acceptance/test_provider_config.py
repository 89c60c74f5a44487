"""Provider mistakes fail `terraform plan` (the host's shape already `terraform validate`) with a
diagnostic at the provider attribute, on both Terraform versions, instead of failing the apply."""

from __future__ import annotations

import pytest

from tests.harness.emulator import Emulator, basic_registry
from tests.harness.terraform import Workspace

ENDPOINT = "https://charts.example.com"
HELM = f"""
resource "oci_registry_helm" "charts" {{
  name     = "charts"
  endpoint = "{ENDPOINT}"
}}
"""


def provider(body: str) -> str:
    return f"""
terraform {{
  required_providers {{
    oci = {{ source = "palette/oci" }}
  }}
}}

variable "palette_api_key" {{
  type      = string
  default   = ""
  sensitive = true
}}

provider "oci" {{
{body}
}}
{HELM}"""


def flat(text: str) -> str:
    return " ".join(text.split())  # Terraform wraps long lines


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("ftp://palette.corp.example", "uses the scheme 'ftp'"),
        ("http://palette.corp.example", "plain http"),
        ("https://palette.corp.example?x=1", "must not have a query"),
        ("http://127.0.0.1:8080/v1", "the provider adds /v1/... itself"),
    ],
    ids=["ftp", "plain-http", "query", "path"],
)
def test_a_bad_host_fails_validate_at_host(host: str, words: str, workspace: Workspace, clean_emulator: Emulator):
    workspace.write(provider(f'  host = "{host}"'))
    for command in ("validate", "plan"):
        result = workspace.run(command, "-no-color", check=False)
        assert result.returncode == 1, result
        errors = flat(result.stderr)
        assert "Error: Invalid Palette host" in errors and words in errors, result
        assert f'host = "{host}"' in result.stderr  # Terraform quotes the provider's line
        assert "Traceback" not in result.output
    assert clean_emulator.requests() == []


def test_an_empty_api_key_lets_the_environment_through(workspace: Workspace, clean_emulator: Emulator):
    workspace.write(provider("  api_key = var.palette_api_key"))
    assert workspace.plan_changes() == 2  # PALETTE_API_KEY (the workspace's) won over the empty string


def test_an_empty_api_key_without_environment_says_what_was_empty(workspace: Workspace, clean_emulator: Emulator):
    workspace.write(provider("  api_key = var.palette_api_key"))
    result = workspace.run("plan", "-no-color", check=False, env={"PALETTE_API_KEY": ""})
    assert result.returncode == 1
    errors = flat(result.stderr)
    assert "Error: Missing Palette API key" in errors
    assert 'api_key in the provider "oci" block and PALETTE_API_KEY are empty' in errors
    assert "api_key = var.palette_api_key" in result.stderr


def test_a_wrong_api_key_fails_the_plan_at_api_key(workspace: Workspace, clean_emulator: Emulator):
    workspace.write(provider("  api_key = var.palette_api_key"))
    result = workspace.run("plan", "-no-color", check=False, env={"PALETTE_API_KEY": "not-the-key"})
    assert result.returncode == 1, result
    errors = flat(result.stderr)
    assert "Error: Palette rejected the API key" in errors
    assert "The key came from the environment variable PALETTE_API_KEY" in errors
    assert "not-the-key" not in result.output
    assert [r["status"] for r in clean_emulator.requests()] == [401]


def test_a_wrong_api_key_is_one_full_error_per_command_not_one_per_registry(
    workspace: Workspace, clean_emulator: Emulator
):
    """Three registries refreshed with a wrong key: one "Palette rejected the API key" with the fix, and for
    each other registry a one-line error pointing at it (Terraform needs an error from each refresh that
    could not read: without one it would record the registry as gone)."""
    three = (
        provider("  api_key = var.palette_api_key")
        + HELM.replace('"charts"', '"more"')
        + HELM.replace('"charts"', '"third"')
    )
    workspace.write(three)
    for name in ("charts", "more", "third"):  # registered as in the UI, then imported: no validate to pass
        workspace.import_(f"oci_registry_helm.{name}", clean_emulator.seed("basic", basic_registry(name, ENDPOINT)))
    result = workspace.run("plan", "-no-color", check=False, env={"PALETTE_API_KEY": "not-the-key"})
    assert result.returncode == 1, result
    errors = flat(result.stderr)
    assert errors.count("Error: Palette rejected the API key") == 1, result.stderr
    assert errors.count("The key came from the environment variable PALETTE_API_KEY") == 1
    assert errors.count("Error: Not done: the API key was rejected") == 2, result.stderr
    assert 'The error "Palette rejected the API key" of this command says where the key came from' in errors
    assert "not-the-key" not in result.output
    assert len(workspace.resources()) == 3  # nothing dropped from the state


def test_a_plan_that_creates_checks_the_key_once(workspace: Workspace, clean_emulator: Emulator):
    workspace.write(provider("") + HELM.replace('"charts"', '"more"'))
    assert workspace.plan_changes() == 2
    assert [(r["method"], r["route"], r["status"]) for r in clean_emulator.requests()] == [
        ("GET", "/v1/dashboard/projects/metadata", 200)
    ]
