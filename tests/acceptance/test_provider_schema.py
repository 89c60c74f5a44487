"""`terraform providers schema -json` on both Terraform versions: valid, complete, and write-only flags
where Terraform knows them (1.11+); 1.0.3 skips the field it does not know and sees optional attributes.
The action `oci_registry_sync` is there for 1.15.5 (actions: 1.14+); 1.0.3 skips `action_schemas` and
sees the provider as it was."""

from __future__ import annotations

import json

import pytest

from tests.acceptance.scenarios import PROVIDER_BLOCK
from tests.harness.terraform import Workspace

# Cold (the handshake and GetProviderSchema of a cold start): tests/conftest.py
pytestmark = pytest.mark.cold


def test_providers_schema_json(workspace: Workspace) -> None:
    workspace.write(PROVIDER_BLOCK)
    result = workspace.run("providers", "schema", "-json")
    schemas = json.loads(result.stdout)["provider_schemas"]
    (provider,) = schemas.values()
    assert set(provider["resource_schemas"]) == {"oci_registry_helm", "oci_registry_zarf", "oci_registry_packs"}
    assert set(provider["data_source_schemas"]) == {"oci_registry", "oci_registries"}
    if workspace.version == "1.0.3":
        assert "action_schemas" not in provider
    else:
        (action,) = provider["action_schemas"].items()
        assert action[0] == "oci_registry_sync"
        attributes = action[1]["block"]["attributes"]
        assert attributes["uid"].get("required") and attributes["uid"]["type"] == "string"
        assert attributes["wait"]["type"] == "bool" and attributes["timeout"]["type"] == "string"
    for resource in provider["resource_schemas"].values():
        blocks = resource["block"]["block_types"]
        basic = blocks["basic_auth"]["block"]["attributes"]
        assert basic["password"].get("optional") and basic["password"].get("sensitive")
        assert basic["password_wo_version"]["type"] == "number"
        for block, name in (("basic_auth", "password_wo"), ("ecr", "secret_access_key_wo"), ("tls", "client_key_wo")):
            attribute = blocks[block]["block"]["attributes"][name]
            assert attribute.get("sensitive") and attribute.get("optional")
            assert attribute.get("write_only", False) is (workspace.version != "1.0.3"), (workspace.version, attribute)
    lists = provider.get("list_resource_schemas", {})
    if workspace.version == "1.0.3":
        assert lists == {}  # no `terraform query`: the field is one this Terraform's protocol does not have
    else:
        assert set(lists) == set(provider["resource_schemas"])  # a list resource per kind, named as its resource
        for schema in lists.values():
            attributes = schema["block"]["attributes"]
            assert set(attributes) == {"name_prefix", "endpoint"}
            assert all(a.get("optional") and a["type"] == "string" for a in attributes.values())
