"""Every plan-time rule through real Terraform: `terraform plan` fails with the rule's message,
pointing at the attribute's line, and Palette hears nothing (not even a read).

Terraform validates every resource of a configuration and reports every error, so each kind's cases
are one configuration (one resource per case, named after it) and one plan per Terraform version:
each expected error must be there, under its own resource and quoting its own line. The messages
themselves, and the paths they name, are unit-tested (tests/unit/test_rules.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.acceptance.scenarios import ECR_HOST, PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace


@dataclass(frozen=True)
class Case:
    id: str
    resource_type: str
    body: str
    message: str
    line: str  # the configuration line Terraform quotes under the error ("" = the resource's own line)


BASIC = 'basic_auth {\n    username = "u"\n    password = "p"\n  }'
KEYS = 'ecr {\n    access_key_id     = "AKIA"\n    secret_access_key = "secret"\n  }'

CASES = [
    Case(
        "zarf-sync",
        "oci_registry_zarf",
        f'endpoint = "https://zarf.example.com"\n  base_content_path = "p"\n  auto_sync = true\n  {BASIC}',
        "Automatic synchronization is not supported for Zarf registries",
        "auto_sync = true",
    ),
    Case(
        "zarf-ecr",
        "oci_registry_zarf",
        f'endpoint = "{ECR_HOST}"\n  {KEYS}',
        "AWS ECR is not supported for Zarf registries; use basic_auth",
        'access_key_id     = "AKIA"',  # issue 24: inside the ecr block, not the resource's first line
    ),
    Case(
        "zarf-ecr-role",
        "oci_registry_zarf",
        f'endpoint = "{ECR_HOST}"\n  ecr {{\n    role_arn = "arn:aws:iam::123456789012:role/r"\n  }}',
        "AWS ECR is not supported for Zarf registries; use basic_auth",
        "ecr {",  # no access_key_id: the block's own line
    ),
    Case(
        "packs-sync-off",
        "oci_registry_packs",
        f'endpoint = "packs.example.com"\n  base_content_path = "p"\n  auto_sync = false\n  {BASIC}',
        "Packs registries always synchronize",
        "auto_sync = false",
    ),
    Case(
        "packs-path",
        "oci_registry_packs",
        f'endpoint = "packs.example.com"\n  {BASIC}',
        "base_content_path is required for Packs registries",
        "",
    ),
    Case(
        "helm-sync-path",
        "oci_registry_helm",
        f'endpoint = "charts.example.com"\n  auto_sync = true\n  {BASIC}',
        "base_content_path is required for auto_sync",
        "",
    ),
    Case(
        "ecr-both-credentials",
        "oci_registry_helm",
        f'endpoint = "{ECR_HOST}"\n  ecr {{\n    access_key_id = "A"\n    secret_access_key = "S"\n'
        '    role_arn = "arn:aws:iam::123456789012:role/r"\n  }',
        "Conflicting ECR credentials",
        'role_arn = "arn:aws:iam::123456789012:role/r"',
    ),
    Case(
        "ecr-no-credentials",
        "oci_registry_helm",
        f'endpoint = "{ECR_HOST}"\n  ecr {{\n  }}',
        "Missing ECR credentials",
        "",
    ),
    Case(
        "ecr-user-arn",
        "oci_registry_packs",
        f'endpoint = "{ECR_HOST}"\n  base_content_path = "p"\n'
        '  ecr {\n    role_arn = "arn:aws:iam::123456789012:user/ci"\n  }',
        "role_arn is not an IAM role ARN",
        'role_arn = "arn:aws:iam::123456789012:user/ci"',
    ),
    Case(
        "ecr-scheme",
        "oci_registry_helm",
        f'endpoint = "https://{ECR_HOST}"\n  {KEYS}',
        "Not an AWS ECR registry host",
        f'endpoint = "https://{ECR_HOST}"',
    ),
    Case(
        "basic-empty-password",
        "oci_registry_helm",
        'endpoint = "charts.example.com"\n  basic_auth {\n    username = "u"\n    password = ""\n  }',
        "Empty basic_auth.password",
        'password = ""',
    ),
    Case(
        "two-auth-blocks",
        "oci_registry_helm",
        f'endpoint = "{ECR_HOST}"\n  {BASIC}\n  {KEYS}',
        "Conflicting authentication blocks",
        "",
    ),
    Case(
        "tls-garbage",
        "oci_registry_helm",
        'endpoint = "charts.example.com"\n  tls {\n    ca_certificate = "-----BEGIN CERTIFICATE-----\\nxx\\n'
        '-----END CERTIFICATE-----\\n"\n  }',
        "Invalid CA certificate",
        "ca_certificate =",
    ),
    Case(
        "endpoint-credentials",
        "oci_registry_zarf",
        f'endpoint = "https://user:pw@zarf.example.com"\n  {BASIC}',
        "Invalid registry endpoint",
        'endpoint = "https://user:pw@zarf.example.com"',
    ),
    Case(
        "timeouts",
        "oci_registry_helm",
        'endpoint = "charts.example.com"\n  timeouts {\n    create = "ten minutes"\n  }',
        "Invalid timeouts.create",
        'create = "ten minutes"',
    ),
    Case(
        "timeouts-unicode-digit",  # "٣m" (an Arabic-Indic three): Go's time.ParseDuration refuses it
        "oci_registry_helm",
        'endpoint = "charts.example.com"\n  timeouts {\n    update = "\u0663m"\n  }',
        "Invalid timeouts.update",
        'update = "\u0663m"',
    ),
    Case(
        "endpoint-percent-escape",
        "oci_registry_helm",
        'endpoint = "https://charts.example.com/%zz"',
        "Invalid registry endpoint",
        'endpoint = "https://charts.example.com/%zz"',
    ),
    Case(
        "timeouts-zero",
        "oci_registry_helm",
        'endpoint = "charts.example.com"\n  timeouts {\n    create = "0s"\n  }',
        "timeouts.create must be longer than zero",
        'create = "0s"',
    ),
    Case(
        "endpoint-port",
        "oci_registry_helm",
        'endpoint = "charts.example.com:99999"',
        "Invalid registry endpoint port",
        'endpoint = "charts.example.com:99999"',
    ),
]


def resource_name(case: Case) -> str:
    return case.id.replace("-", "_")


def config(cases: list[Case]) -> str:
    """One resource per case, each named after its case."""
    resources = "".join(
        f'\nresource "{case.resource_type}" "{resource_name(case)}" {{\n  name = "r"\n  {case.body}\n}}\n'
        for case in cases
    )
    return PROVIDER_BLOCK + resources


def errors_by_resource(stderr: str) -> dict[str, list[str]]:
    """Terraform's error blocks ("Error: summary ... with <address>, on main.tf line N ..."), by address."""
    found: dict[str, list[str]] = {}
    for block in re.split(r"^(?:│ )?Error: ", stderr, flags=re.MULTILINE)[1:]:
        address = re.search(r"with (oci_registry_\w+\.\w+)", block)
        assert address, block
        found.setdefault(address.group(1), []).append("Error: " + block)
    return found


KINDS = sorted({case.resource_type for case in CASES})


@pytest.mark.parametrize("resource_type", KINDS, ids=lambda t: t.removeprefix("oci_registry_"))
def test_every_rule_of_a_kind_fails_one_plan_at_its_attribute(
    resource_type: str, workspace: Workspace, clean_emulator: Emulator
) -> None:
    cases = [case for case in CASES if case.resource_type == resource_type]
    workspace.write(config(cases))
    result = workspace.plan(check=False)
    assert result.returncode == 1, result
    assert "Traceback" not in result.output
    found = errors_by_resource(result.stderr)
    for case in cases:
        address = f"{case.resource_type}.{resource_name(case)}"
        blocks = found.pop(address, [])
        assert len(blocks) == 1, f"{case.id}: one error at {address}, not {len(blocks)}:\n{result}"
        block = blocks[0]
        assert f"Error: {case.message}" in " ".join(block.replace("│", " ").split()), f"{case.id}:\n{result}"
        if case.line:
            assert case.line in block, f"{case.id}: the line quoted under the error:\n{block}"
    assert found == {}, f"errors no case expects: {found}"
    assert clean_emulator.requests() == []


def test_go_durations_pass_the_plan(workspace: Workspace, clean_emulator: Emulator) -> None:
    """Issue 21, item 17: fractions and small units, as Terraform's own timeouts take them."""
    body = 'endpoint = "charts.example.com"\n  timeouts {\n    create = "1.5h"\n    update = "2m30.5s"\n  }'
    workspace.write(config([Case("go-durations", "oci_registry_helm", body, "", "")]))
    result = workspace.plan()
    assert "1 to add" in result.stdout, result


def test_values_unknown_at_plan_are_checked_at_apply(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    # The Zarf registry's endpoint is only known once the Helm registry exists: the plan cannot judge
    # it, the apply does (sync_message is empty, so the endpoint is invalid) and stores nothing for it.
    workspace.write(
        f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "first" {{
  name     = "first"
  endpoint = "{parts.public_registry.url}"
}}

resource "oci_registry_zarf" "second" {{
  name     = "second"
  endpoint = oci_registry_helm.first.sync_message
}}
"""
    )
    assert workspace.plan_changes() == 2
    result = workspace.apply(check=False)
    assert result.returncode == 1
    assert "Invalid registry endpoint" in result.stderr and "The endpoint is empty" in result.stderr
    assert [r["name"] for r in clean_emulator.registries()] == ["first"]


def test_secrets_show_as_sensitive_in_plans(workspace: Workspace, clean_emulator: Emulator) -> None:
    workspace.write(
        f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "this" {{
  name     = "r"
  endpoint = "charts.example.com"
  basic_auth {{
    username = "robot"
    password = "CANARY-basic-password"
  }}
}}

resource "oci_registry_packs" "ecr" {{
  name              = "p"
  endpoint          = "{ECR_HOST}"
  base_content_path = "packs"
  ecr {{
    access_key_id     = "AKIACANARY"
    secret_access_key = "CANARY-secret-key"
  }}
}}
"""
    )
    result = workspace.plan()
    assert result.stdout.count("(sensitive value)") == 2
    assert "CANARY-basic-password" not in result.output and "CANARY-secret-key" not in result.output


def test_count_templates_plan_and_apply(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> None:
    # Terraform >= 1.6 sends "reg-${count.index}" during validate as a refined unknown value.
    workspace.write(
        f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "many" {{
  count             = 2
  name              = "reg-${{count.index}}"
  endpoint          = "{parts.public_registry.url}"
  base_content_path = "charts-${{count.index}}"
}}
"""
    )
    assert "Success!" in workspace.run("validate", "-no-color").stdout
    assert "2 to add" in workspace.plan().stdout
    workspace.apply()
    assert sorted(r["name"] for r in clean_emulator.registries()) == ["reg-0", "reg-1"]
    assert workspace.plan_changes() == 0
    workspace.destroy()
    assert clean_emulator.registries() == []
