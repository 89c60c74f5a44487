"""Read-only attributes set in configuration fail `terraform validate`, at each one, with zero Palette requests.

Every computed-only attribute of every resource and data source, found from the provider's own schemas (a new
one is covered without a change here), is set in one configuration: one `terraform validate -json` per
Terraform version names each (resource address, attribute) with "... is read-only: <reason>; remove it".
Before the framework refused them, `scope = "system"` or `id = "abc"` passed validate and plan, and apply
created the registry, then failed with Terraform's "inconsistent result after apply" and a taint. `terraform
plan` of the same configuration fails the same way, also before any request: the plan is where that defect
showed, so it is checked once (on 1.15.5).

List resources have no read-only attribute (their `config` holds only filters): a test says so, so that one
added later is not left out of this check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tf.schema import Attribute
from tf.types import Bool, List, Number, String

from provider.plugin import OciProvider
from provider.tfx.schema import is_read_only
from tests.acceptance.conftest import palette_env
from tests.acceptance.scenarios import PROVIDER_BLOCK
from tests.harness.emulator import Emulator
from tests.harness.terraform import Workspace

# What each type needs besides its read-only attributes to be a configuration the provider's rules accept:
# without the read-only ones it validates, so the refusal is the only error.
REQUIRED = {
    "oci_registry_helm": {"name": '"ro-helm"', "endpoint": '"registry.example.com"'},
    "oci_registry_zarf": {"name": '"ro-zarf"', "endpoint": '"registry.example.com"'},
    "oci_registry_packs": {
        "name": '"ro-packs"',
        "endpoint": '"registry.example.com"',
        "base_content_path": '"spectro-packs"',
    },
    "oci_registry": {"name": '"ro"'},
    "oci_registries": {},
}


def _literal(attribute: Attribute) -> str:
    """A value of the attribute's type, as HCL."""
    kind = attribute.type
    if isinstance(kind, Bool):
        return "true"
    if isinstance(kind, Number):
        return "1"
    if isinstance(kind, List):
        return "[]"
    assert isinstance(kind, String), f"{attribute.name}: add a literal for {type(kind).__name__}"
    return '"system"'


def read_only_attributes() -> dict[tuple[str, str], list[Attribute]]:
    """(block kind, type) -> its read-only attributes, from the provider's schemas."""
    provider = OciProvider()
    found: dict[tuple[str, str], list[Attribute]] = {}
    for kind, classes in (("resource", provider.get_resources()), ("data", provider.get_data_sources())):
        for klass in classes:
            type_name = "oci_" + klass.get_name()
            found[(kind, type_name)] = [a for a in klass.get_schema().attributes if is_read_only(a)]
    return found


def configuration() -> str:
    blocks = []
    for (kind, type_name), attributes in read_only_attributes().items():
        lines = [f"  {k} = {v}" for k, v in REQUIRED[type_name].items()]
        lines += [f"  {a.name} = {_literal(a)}" for a in attributes]
        blocks.append(f'{kind} "{type_name}" "ro" {{\n' + "\n".join(lines) + "\n}\n")
    return PROVIDER_BLOCK + "\n" + "\n".join(blocks)


def named(diagnostics: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(kind, type, attribute) of each read-only diagnostic: the block from the snippet, the attribute from the
    detail ("<name> is read-only: ...")."""
    found = set()
    for diagnostic in (d for d in diagnostics if d["severity"] == "error"):  # not dev_overrides' warning
        assert diagnostic["summary"] == "Invalid Configuration for Read-Only Attribute", diagnostic
        detail = diagnostic["detail"]
        attribute = detail.split(" is read-only: ", 1)[0]
        assert detail.endswith("; remove it."), detail
        kind, type_name = diagnostic["snippet"]["context"].split('"')[0:2]
        found.add(("resource" if kind.startswith("resource") else "data", type_name, attribute))
    return found


def test_every_read_only_attribute_set_fails_validate_at_it_and_nothing_reaches_palette(
    workspace: Workspace, clean_emulator: Emulator
) -> None:
    expected = {(k, t, a.name) for (k, t), attributes in read_only_attributes().items() for a in attributes}
    assert ("resource", "oci_registry_helm", "scope") in expected and len(expected) >= 30  # the schemas were read
    workspace.write(configuration())

    result = workspace.run("validate", "-json", "-no-color", check=False)

    assert result.returncode != 0
    report = json.loads(result.stdout)
    assert named(report["diagnostics"]) == expected
    details = {d["detail"] for d in report["diagnostics"]}
    assert any("scope is read-only: it comes from the API key's level" in d for d in details)
    assert any(
        "provider_type is read-only: the resource type sets it (oci_registry_helm manages helm" in d for d in details
    )
    assert clean_emulator.counters()["total"] == 0


def test_plan_stops_there_too_before_any_request(tmp_path: Path, clean_emulator: Emulator) -> None:
    workspace = Workspace(tmp_path / "tf", "1.15.5", env=palette_env(clean_emulator))
    workspace.write(
        PROVIDER_BLOCK
        + """
resource "oci_registry_helm" "charts" {
  name        = "charts"
  endpoint    = "registry.example.com"
  scope       = "system"
  sync_status = "bogus"
}
"""
    )
    result = workspace.plan(check=False)
    assert result.returncode != 0
    assert result.output.count("Invalid Configuration for Read-Only Attribute") == 2
    assert "scope is read-only" in result.output and "sync_status is read-only" in result.output
    assert "bug in the provider" not in result.output
    assert clean_emulator.counters()["total"] == 0


def test_list_resources_have_no_read_only_attribute_to_check() -> None:
    for klass in OciProvider().get_list_resources():
        assert not [a.name for a in klass.get_schema().attributes if is_read_only(a)], klass.get_name()
