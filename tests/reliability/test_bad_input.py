"""Realistic mistakes through real Terraform (1.15.5): each gets its own clear message, at the
attribute or the setting it is about, Palette is left as it was, and nothing crashes.

Already covered elsewhere, and not repeated here:
  tests/acceptance/test_plan_rules.py         ECR endpoint with https:// ("ecr-scheme"), role ARN of a
      user ("ecr-user-arn"), CA PEM with garbage ("tls-garbage"), empty password
      ("basic-empty-password"), both credentials, no credentials, two auth blocks, credentials in the
      endpoint URL, Zarf with sync or ECR, Packs without sync or path, bad timeouts
  tests/acceptance/test_datasources_and_scope.py  missing API key, wrong API key, unknown project,
      Palette unreachable, a registry that is not found, a tenant key changing a system registry
  tests/acceptance/test_preflight.py          a registry that refuses the credentials (preflight)
  tests/reliability/test_secrets.py           a password Palette's validation refuses, a wrong API key
      (neither echoed anywhere)
  tests/reliability/test_palette_tls.py       an untrusted Palette certificate, plain http to a remote host
  tests/unit/test_properties.py               arbitrary values in every attribute (validate and plan)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.acceptance.scenarios import ECR_HOST, PROVIDER_BLOCK
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import Workspace
from tests.reliability.support import LATEST, assert_no_crash

pytestmark = pytest.mark.parametrize("tf_version", [LATEST], indirect=True)

KEYS = 'ecr {\n    access_key_id     = "AKIAEXAMPLE"\n    secret_access_key = "not-a-real-secret"'


@dataclass(frozen=True)
class Mistake:
    id: str
    body: str  # after the provider block
    messages: tuple[str, ...]  # each must appear (Terraform's line wrapping undone)
    env: dict[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ("plan",)
    arguments: tuple[str, ...] = ()  # after the options
    absent: tuple[str, ...] = ()  # must not appear (secrets from the input)


def helm(body: str) -> str:
    return f'resource "oci_registry_helm" "this" {{\n  name = "charts"\n  {body}\n}}\n'


LIST = 'data "oci_registries" "all" {}\n'

MISTAKES = [
    Mistake(
        "helm-oci-scheme",  # how `helm pull` spells an OCI registry
        helm('endpoint = "oci://harbor.example.com/charts"'),
        ("Error: Invalid registry endpoint", 'The scheme "oci" is not http or https', 'endpoint = "oci://'),
    ),
    Mistake(
        "ecr-keys-with-external-id",
        helm(f'endpoint = "{ECR_HOST}"\n  {KEYS}\n    external_id = "palette-tenant-1"\n  }}'),
        ("Error: external_id without role_arn", "remove it or use role_arn"),
    ),
    Mistake(
        "preflight-typo",
        helm('endpoint = "harbor.example.com"\n  preflight = "always"'),
        ("Error: Invalid preflight mode", 'must be "off", "apply" or "plan"; got "always"'),
    ),
    Mistake(
        "name-padded",
        helm('endpoint = "harbor.example.com"').replace('name = "charts"', 'name = "charts "'),
        ("Error: Registry name with leading or trailing spaces", 'write "charts"'),
    ),
    Mistake(
        "provider-ca-garbage",
        LIST,
        ("Error: Invalid Palette CA certificate", "PALETTE_CA_CERTIFICATE"),
        env={"PALETTE_CA_CERTIFICATE": "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"},
    ),
    Mistake(
        "timeout-with-unit",
        LIST,
        ("Error: Invalid request_timeout", 'got "30s"'),
        env={"PALETTE_REQUEST_TIMEOUT": "30s"},
    ),
    Mistake(
        "timeout-in-milliseconds",  # was accepted; past ~1e9 s it overflowed at the first request
        LIST,
        ("Error: Invalid request_timeout", 'must be a number from 1 to 3600; got "300000"'),
        env={"PALETTE_REQUEST_TIMEOUT": "300000"},  # five minutes, in milliseconds
    ),
    Mistake(
        "host-with-credentials",
        LIST,
        ("Error: Invalid Palette host", "must not contain credentials"),
        env={"PALETTE_HOST": "https://admin:CANARY-host-password@palette.example.com"},
        absent=("CANARY-host-password",),
    ),
    Mistake(
        "host-ftp",
        LIST,
        ("Error: Invalid Palette host", "uses the scheme 'ftp'; use https://host or host[:port]"),
        env={"PALETTE_HOST": "ftp://palette.example.com"},
    ),
    Mistake(
        "host-ftp-with-credentials",  # the scheme's message quoted the whole host, password included
        LIST,
        ("Error: Invalid Palette host", "must not contain credentials"),
        env={"PALETTE_HOST": "ftp://admin:CANARY-host-password@palette.example.com"},
        absent=("CANARY-host-password",),
    ),
    Mistake(
        "host-broken-ipv6",  # was an internal error (ValueError from urlsplit)
        LIST,
        ("Error: Invalid Palette host", "is not a valid URL"),
        env={"PALETTE_HOST": "https://[fd00::1:8443"},
    ),
    Mistake(
        "name-taken",  # created by hand in Palette's UI before Terraform managed it
        helm('endpoint = "{public}"'),  # reachable: Palette's validation passes, the create collides
        ("Error: A registry with this name already exists", "terraform import", "charts"),
        command=("apply", "-auto-approve"),
    ),
    Mistake(
        "import-other-kind",
        helm('endpoint = "harbor.example.com"'),
        ("Error: Registry of another kind", '"zarf-1" is a zarf registry; import it as oci_registry_zarf'),
        command=("import",),
        arguments=("oci_registry_helm.this", "zarf-1"),
    ),
    Mistake(
        "import-unknown-name",
        helm('endpoint = "harbor.example.com"'),
        ("Error: Registry not found", 'No OCI registry with the uid or name "chrats"'),
        command=("import",),
        arguments=("oci_registry_helm.this", "chrats"),
    ),
]


def seed_what_was_clicked_together(emulator: Emulator) -> list[dict[str, object]]:
    emulator.seed("basic", basic_registry("charts", "https://harbor.example.com"))
    emulator.seed("basic", basic_registry("zarf-1", "https://zarf.example.com", provider_type="zarf"))
    return emulator.registries()


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.id)
def test_each_mistake_gets_its_own_clear_message(
    mistake: Mistake, workspace: Workspace, clean_emulator: Emulator, public_registry: DockerRegistry
) -> None:
    before = seed_what_was_clicked_together(clean_emulator)
    workspace.write(PROVIDER_BLOCK + mistake.body.replace("{public}", public_registry.url))
    workspace.env.update(mistake.env)

    result = workspace.run(*mistake.command, "-no-color", "-input=false", *mistake.arguments, check=False)

    assert result.returncode == 1, result
    assert_no_crash(result)
    output = " ".join(result.output.split())
    for message in mistake.messages:
        assert message in output, result
    for secret in mistake.absent:
        assert secret not in result.output
    assert clean_emulator.registries() == before
