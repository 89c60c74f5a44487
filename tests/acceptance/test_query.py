"""`terraform query` (Terraform 1.14+) over registries made in the UI: the list resources name every registry of
their kind, filter by name prefix and endpoint, and `-generate-config-out` writes configuration that, with the
secrets supplied as docs/guides/adopting-ui-registries.md says, imports every registry and then plans no changes.

Terraform 1.0.3 has no `terraform query`; what it sees of the provider is checked in test_provider_schema.py."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.acceptance.scenarios import ECR_HOST, OTHER_ECR_HOST, PROVIDER_BLOCK, Parts
from tests.harness.emulator import Emulator, basic_registry, ecr_registry
from tests.harness.terraform import Workspace

pytestmark = pytest.mark.parametrize("tf_version", ["1.15.5"], indirect=True)

KINDS = {"helm": "oci_registry_helm", "zarf": "oci_registry_zarf", "pack": "oci_registry_packs"}


@dataclass(frozen=True)
class Seeded:
    uid: str
    name: str
    kind: str  # helm | zarf | pack
    endpoint: str
    secret: str  # "" for a registry without one (public, or ECR through STS)


TOKEN_REGISTRY = "team-c-token"


def seed_twenty(emulator: Emulator, parts: Parts) -> list[Seeded]:
    """Twenty registries as a tenant admin makes them in the UI: every kind, basic auth, ECR (static keys and
    STS) where the kind allows it, public ones; plus one with token authentication, which is not listed."""
    private, public = parts.registry.url, parts.public_registry.url
    keys = parts.aws_keys
    seeded: list[Seeded] = []

    def basic(name: str, kind: str, *, password: str = "", **extra: Any) -> None:
        username = (parts.registry.username if password == parts.registry.password else "robot") if password else ""
        endpoint = private if password else public
        body = basic_registry(name, endpoint, username=username, password=password, provider_type=kind, **extra)
        seeded.append(Seeded(emulator.seed("basic", body), name, kind, endpoint, password))

    def ecr(name: str, kind: str, *, endpoint: str = ECR_HOST, sts: bool = False) -> None:
        if sts:
            body = ecr_registry(name, endpoint, role_arn=parts.role_arn, external_id=parts.external_id)
        else:
            body = ecr_registry(name, endpoint, access_key=keys.access_key_id, secret_key=keys.secret_access_key)
        body["spec"].update(providerType=kind, baseContentPath="packs" if kind == "pack" else "charts")
        body["spec"]["isSyncSupported"] = kind == "pack"
        seeded.append(Seeded(emulator.seed("ecr", body), name, kind, endpoint, "" if sts else keys.secret_access_key))

    # The first one has the registry's real credentials: the test sends them to Palette, which checks them.
    basic("team-a-charts-0", "helm", password=parts.registry.password, base_content_path="charts", sync=True)
    for i in (1, 2):
        basic(f"team-a-charts-{i}", "helm", password=f"helm-secret-{i}", base_content_path="charts")
    basic("team-b-charts-public", "helm")
    basic("team-b-charts-insecure", "helm", insecure_skip_verify=True)
    ecr("team-a-charts-ecr", "helm")
    ecr("team-b-charts-ecr-other", "helm", endpoint=OTHER_ECR_HOST)
    ecr("team-b-charts-sts", "helm", sts=True)
    for i in range(3):
        basic(f"team-a-zarf-{i}", "zarf", password=f"zarf-secret-{i}")
    basic("team-b-zarf-public", "zarf")
    basic("team-b-zarf-mirror", "zarf", base_content_path="mirror")
    for i in range(3):
        basic(f"team-a-packs-{i}", "pack", password=f"pack-secret-{i}", base_content_path="packs", sync=True)
    basic("team-b-packs-public", "pack", base_content_path="packs", sync=True)
    basic("team-b-packs-insecure", "pack", base_content_path="packs", sync=True, insecure_skip_verify=True)
    ecr("team-a-packs-ecr", "pack")
    ecr("team-b-packs-sts", "pack", sts=True)
    assert len(seeded) == 20
    token = basic_registry(TOKEN_REGISTRY, private, provider_type="helm")
    token["spec"]["auth"].update(type="token", token="ui-token")
    emulator.seed("basic", token)
    return seeded


QUERY = """\
list "oci_registry_helm" "helm" {
  provider = oci
}

list "oci_registry_zarf" "zarf" {
  provider = oci
}

list "oci_registry_packs" "pack" {
  provider = oci
}
"""

FILTERED = """\
list "oci_registry_helm" "team_a" {
  provider = oci
  config {
    name_prefix = "team-a-"
  }
}

list "oci_registry_helm" "other_ecr" {
  provider = oci
  config {
    endpoint = "HTTPS://%s/"
  }
}

list "oci_registry_packs" "first" {
  provider = oci
  limit    = 2
}
"""


def query(workspace: Workspace, *args: str) -> dict[str, list[dict[str, Any]]]:
    """`terraform query -json`: the results found, by list block address."""
    result = workspace.run("query", "-json", "-no-color", *args)
    found: dict[str, list[dict[str, Any]]] = {}
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message.get("type") == "list_resource_found":
            item = message["list_resource_found"]
            found.setdefault(item["address"], []).append(item)
        assert message.get("@level") != "error", result.stdout
    return found


@pytest.fixture
def seeded(workspace: Workspace, clean_emulator: Emulator, parts: Parts) -> list[Seeded]:
    workspace.write(PROVIDER_BLOCK)
    return seed_twenty(clean_emulator, parts)


def test_query_lists_every_registry_of_each_kind(workspace: Workspace, seeded: list[Seeded]) -> None:
    workspace.write(QUERY, "query.tfquery.hcl")
    found = query(workspace)
    for kind, block in KINDS.items():
        expected = sorted(s.name for s in seeded if s.kind == kind)
        if kind == "helm":  # Palette's summary does not say how a registry authenticates: it is listed
            expected = sorted([*expected, TOKEN_REGISTRY])
        listed = found[f"list.{block}.{kind}"]
        assert [r["display_name"] for r in listed] == expected, listed
        uids = {s.name: s.uid for s in seeded}
        assert all(
            r["identity"] == {"name": r["display_name"], "uid": uids.get(r["display_name"], r["identity"]["uid"])}
            for r in listed
        )
        assert all("resource_object" not in r for r in listed)  # include_resource is off


def test_include_resource_lists_whole_objects(workspace: Workspace, seeded: list[Seeded]) -> None:
    workspace.write(
        QUERY.replace("provider = oci\n", "provider = oci\n  include_resource = true\n"), "query.tfquery.hcl"
    )
    result = workspace.run("query", "-no-color")
    # Whole objects show how each registry authenticates: the token one is left out, and says why.
    text = " ".join(result.stdout.split() + result.stderr.split())
    assert f'Registry "{TOKEN_REGISTRY}" left out of the list' in text and "token authentication" in text, text
    found = query(workspace)
    assert not any(s.secret in json.dumps(found) for s in seeded if s.secret)  # Palette masks them; none shown
    objects = {r["display_name"]: r["resource_object"] for rows in found.values() for r in rows}
    assert set(objects) == {s.name for s in seeded}
    charts = objects["team-a-charts-1"]
    assert charts["basic_auth"] == [
        {"username": "robot", "password": None, "password_wo": None, "password_wo_version": None}
    ], charts
    assert charts["auto_sync"] is False and charts["provider_type"] == "helm" and charts["auth_type"] == "basic"
    assert objects["team-a-charts-0"]["auto_sync"] is True
    assert objects["team-a-charts-ecr"]["ecr"][0]["secret_access_key"] is None
    assert objects["team-b-charts-sts"]["ecr"][0]["external_id"] == "palette-tenant-1"
    assert objects["team-b-charts-insecure"]["tls"][0]["insecure_skip_verify"] is True


def test_query_filters_and_limit(workspace: Workspace, seeded: list[Seeded]) -> None:
    workspace.write(FILTERED % OTHER_ECR_HOST, "query.tfquery.hcl")
    found = query(workspace)
    team_a = [r["display_name"] for r in found["list.oci_registry_helm.team_a"]]
    assert team_a == sorted(s.name for s in seeded if s.kind == "helm" and s.name.startswith("team-a-"))
    assert [r["display_name"] for r in found["list.oci_registry_helm.other_ecr"]] == ["team-b-charts-ecr-other"]
    assert len(found["list.oci_registry_packs.first"]) == 2


def test_the_limit_ends_the_reading_of_whole_objects(
    workspace: Workspace, seeded: list[Seeded], clean_emulator: Emulator
) -> None:
    workspace.write(
        'list "oci_registry_packs" "first" {\n'
        "  provider         = oci\n"
        "  include_resource = true\n"
        "  limit            = 2\n"
        "}\n",
        "query.tfquery.hcl",
    )
    before = len(clean_emulator.requests())
    found = query(workspace)
    assert [r["display_name"] for r in found["list.oci_registry_packs.first"]] == ["team-a-packs-0", "team-a-packs-1"]
    reads = [
        r["path"]
        for r in clean_emulator.requests()[before:]
        if r["method"] == "GET" and re.search(r"/oci/[0-9a-f]{24}/(basic|ecr)$", r["path"])
    ]
    assert len(reads) == 2, reads  # one GET per registry listed, none for the five Terraform did not want


def test_an_invalid_filter_is_an_error_at_the_attribute(workspace: Workspace, seeded: list[Seeded]) -> None:
    workspace.write(
        'list "oci_registry_zarf" "bad" {\n  provider = oci\n  config {\n    endpoint = "ftp://x"\n  }\n}\n',
        "query.tfquery.hcl",
    )
    result = workspace.run("query", "-no-color", check=False)
    assert result.returncode == 1, str(result)
    text = " ".join(result.stderr.split())
    assert "Invalid endpoint filter" in text and 'The scheme "ftp" is not http or https' in text, text
    assert 'endpoint = "ftp://x"' in result.stderr, result.stderr  # Terraform shows the attribute's line


def test_a_palette_failure_is_a_diagnostic_naming_what_failed(
    workspace: Workspace, seeded: list[Seeded], clean_emulator: Emulator
) -> None:
    workspace.write(QUERY, "query.tfquery.hcl")
    clean_emulator.set_faults([{"path": "/oci/summary$", "kind": "status", "status": 403}])
    result = workspace.run("query", "-no-color", check=False)
    assert result.returncode == 1, str(result)
    text = " ".join(result.stderr.split())
    assert "list Helm registries" in text and "403" in text, text
    assert "Traceback" not in result.output and "Unexpected failure" not in result.output


def test_a_wrong_key_answered_not_found_is_the_key_not_an_empty_list(
    workspace: Workspace, seeded: list[Seeded], clean_emulator: Emulator
) -> None:
    """A Palette that answers a key it does not know with ResourceNotFound (variant bad-key-not-found): the query
    fails naming the key, instead of listing nothing or "not found"."""
    workspace.write(QUERY, "query.tfquery.hcl")
    clean_emulator.set_variants(["bad-key-not-found"])
    result = workspace.run("query", "-no-color", check=False, env={"PALETTE_API_KEY": "wrong-key-echoed-1618"})
    assert result.returncode == 1, str(result)
    text = " ".join(result.stderr.split())
    assert "Palette rejected the API key" in text and "environment variable PALETTE_API_KEY" in text, text
    assert "wrong-key-echoed-1618" not in result.output


def supply_secrets(generated: str) -> str:
    """The guide's step: in each generated resource that has a secret, the write-only twin from a variable keyed
    by the registry's name: `password_wo` in `basic_auth`, `secret_access_key_wo` in an `ecr` block with an
    `access_key_id` (one with `role_arn` has no secret)."""
    supplied = []
    for block in re.split(r"(?m)^(?=resource |import )", generated):
        name = re.search(r'(?m)^  name += "([^"]+)"', block)
        if block.startswith("resource ") and name:
            secret = rf'var.registry_secrets["{name[1]}"]'
            block = re.sub(r"\b(password_wo +)= null # sensitive", rf"\1= {secret}", block)
            if re.search(r'access_key_id += "', block):
                block = re.sub(r"\b(secret_access_key_wo +)= null # sensitive", rf"\1= {secret}", block)
        supplied.append(block)
    return "".join(supplied)


def test_generated_configuration_imports_every_registry_with_no_changes(
    workspace: Workspace, seeded: list[Seeded], clean_emulator: Emulator
) -> None:
    workspace.write(QUERY, "query.tfquery.hcl")
    workspace.run("query", "-no-color", "-generate-config-out=generated.tf")
    generated = (workspace.dir / "generated.tf").read_text()
    assert generated.count("import {") == 20, generated
    assert TOKEN_REGISTRY not in generated  # left out, with a warning
    assert re.search(r"identity = \{\s*name\s*= \"team-a-charts-0\"", generated), generated
    assert "sync_status" not in generated and "provider_type" not in generated  # read-only: not configuration

    # Without the secrets, the plan says which are missing and where.
    plan = workspace.plan(check=False)
    assert plan.returncode == 1 and "Empty basic_auth.password" in plan.stderr, str(plan)

    workspace.write(supply_secrets(generated), "generated.tf")
    workspace.write('variable "registry_secrets" {\n  type      = map(string)\n  sensitive = true\n}\n', "variables.tf")
    secrets = {s.name: s.secret for s in seeded if s.secret}
    (workspace.dir / "secrets.auto.tfvars.json").write_text(json.dumps({"registry_secrets": secrets}))

    plan = workspace.plan()
    assert "20 to import, 0 to add, 0 to change, 0 to destroy" in plan.stdout, plan.stdout
    before = {r["uid"]: r for r in clean_emulator.registries()}
    workspace.apply()
    assert workspace.plan_changes() == 0
    state = workspace.resources()
    assert sorted(v["id"] for v in state.values()) == sorted(s.uid for s in seeded)
    assert {r["uid"]: r["spec"] for r in clean_emulator.registries()} == {u: r["spec"] for u, r in before.items()}
    stored = json.dumps(json.loads((workspace.dir / "terraform.tfstate").read_text()))
    assert not any(s.secret in stored for s in seeded if s.secret)  # write-only: never in the state

    # The guide's way to send a secret now: a password_wo_version. Palette checks it against the registry.
    generated_tf = workspace.dir / "generated.tf"
    first = re.split(r"(?m)^(?=resource )", generated_tf.read_text())
    (index,) = [i for i, block in enumerate(first) if '"team-a-charts-0"' in block and block.startswith("resource")]
    first[index] = re.sub(r"password_wo_version( +)= null", r"password_wo_version\1= 1", first[index])
    generated_tf.write_text("".join(first))
    assert workspace.plan_changes() == 2
    workspace.apply()
    assert workspace.plan_changes() == 0
    (charts,) = [r for r in clean_emulator.registries() if r["name"] == "team-a-charts-0"]
    assert charts["spec"]["auth"]["password"] == seeded[0].secret


FORGED = "evil\x1b[2K\x1b]0;owned\x07\nlist.oci_registry_helm.all   forged-line\u202e"
ESCAPED = "evil\\x1b[2K\\x1b]0;owned\\x07\\nlist.oci_registry_helm.all   forged-line\\u202e"


def test_control_characters_in_display_names_are_escaped(
    workspace: Workspace, clean_emulator: Emulator, parts: Parts
) -> None:
    """Issue 21, item 14: a name made in the UI with ANSI/OSC escapes, a line break and a bidirectional
    override is listed under a display name with each of them escaped. (Terraform prints the identity,
    `name=...`, itself and raw: the provider cannot change that value without breaking import by identity.)"""
    workspace.write(PROVIDER_BLOCK)
    uid = clean_emulator.seed("basic", basic_registry(FORGED, parts.public_registry.url, provider_type="helm"))
    workspace.write(QUERY, "query.tfquery.hcl")

    (found,) = query(workspace)["list.oci_registry_helm.helm"]
    assert found["display_name"] == ESCAPED, found
    assert found["identity"] == {"name": FORGED, "uid": uid}  # unchanged: what import by identity looks up
    shown = workspace.run("query", "-no-color").stdout
    assert shown.rstrip().endswith(ESCAPED) or f"{ESCAPED}\n" in shown, shown
