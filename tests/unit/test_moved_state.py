"""`moved` from spectrocloud_registry_oci: the state mapping (every field, each refusal) and the RPC."""

from __future__ import annotations

import json
from typing import Any

import pytest

from provider.registries.moved import SOURCE_PROVIDER, SOURCE_TYPE, move
from provider.tfx.gen import tfplugin6_pb2 as pb
from provider.tfx.moves import MoveSource

UID = "0123456789abcdef01234567"


def source(**changes: Any) -> dict[str, Any]:
    """A spectrocloud_registry_oci state (schema version 2) as SDKv2 writes it; `credentials` keys via `cred_`."""
    credentials = {
        "credential_type": "basic",
        "access_key": "",
        "secret_key": "",
        "arn": "",
        "external_id": "",
        "username": "robot",
        "password": "s3cret-pass",
        "tls_config": [],
    }
    credentials.update({k.removeprefix("cred_"): v for k, v in changes.items() if k.startswith("cred_")})
    state = {
        "id": UID,
        "name": "charts",
        "type": "basic",
        "is_private": True,
        "is_synchronization": False,
        "endpoint": "https://charts.example.com",
        "endpoint_suffix": "",
        "base_content_path": "",
        "provider_type": "helm",
        "wait_for_sync": False,
        "wait_for_status_message": "",
        "timeouts": None,
        "credentials": [credentials],
    }
    state.update({k: v for k, v in changes.items() if not k.startswith("cred_")})
    return state


def moved(kind: str = "helm", version: int = 2, **changes: Any) -> tuple[Any, list[Any]]:
    return move(MoveSource(SOURCE_PROVIDER, SOURCE_TYPE, version, source(**changes)), kind)


def test_basic_helm_maps_every_field():
    values, problems = moved(
        endpoint_suffix="/artifactory/api",
        base_content_path="charts",
        is_synchronization=True,
        wait_for_sync=True,
        timeouts={"create": "20m", "update": "5m", "delete": None},
        cred_tls_config=[{"certificate": "", "insecure_skip_verify": True}],
    )
    assert problems == []
    assert values == {
        "id": UID,
        "name": "charts",
        "endpoint": "https://charts.example.com",
        "base_content_path": "charts",
        "base_path": "/artifactory/api",
        "auto_sync": True,
        "wait_for_sync": True,
        "preflight": None,
        "basic_auth": {"username": "robot", "password": "s3cret-pass"},
        "ecr": None,
        "tls": {"ca_certificate": None, "insecure_skip_verify": True, "client_certificate": None, "client_key": None},
        "timeouts": {"create": "20m", "update": "5m"},
        "provider_type": "helm",
        "auth_type": "basic",
        "sync_supported": True,
    }


def test_defaults_of_the_source_are_left_out_as_our_defaults():
    """ "" paths, wait_for_sync false, an all-default tls_config: what a configuration without them plans."""
    values, _ = moved(cred_tls_config=[{"certificate": "", "insecure_skip_verify": False}])
    assert values is not None
    assert (values["base_path"], values["base_content_path"], values["wait_for_sync"]) == (None, None, None)
    assert (values["tls"], values["timeouts"], values["auto_sync"]) == (None, None, False)


@pytest.mark.parametrize("credential_type", ["noAuth", ""])
def test_basic_without_credentials_is_a_public_registry(credential_type):
    values, problems = moved("zarf", provider_type="zarf", cred_credential_type=credential_type)
    assert problems == [] and values is not None
    assert (values["basic_auth"], values["ecr"], values["auth_type"], values["provider_type"]) == (
        None,
        None,
        "none",
        "zarf",
    )


def test_ecr_static_keys_and_the_endpoint_suffix_it_never_sent():
    values, problems = moved(
        "pack",
        type="ecr",
        provider_type="pack",
        is_synchronization=True,
        base_content_path="packs",
        endpoint="123456789012.dkr.ecr.us-east-1.amazonaws.com",
        endpoint_suffix="/ignored",  # toRegistryEcr does not send it
        cred_credential_type="secret",
        cred_access_key="AKIAEXAMPLE",
        cred_secret_key="secret-key-value",
    )
    assert problems == [] and values is not None
    assert values["ecr"] == {
        "access_key_id": "AKIAEXAMPLE",
        "secret_access_key": "secret-key-value",
        "role_arn": None,
        "external_id": None,
    }
    assert (values["auth_type"], values["basic_auth"], values["base_path"]) == ("ecr", None, None)


def test_ecr_sts_role_and_an_empty_credential_type_meaning_secret():
    values, _ = moved(type="ecr", cred_credential_type="sts", cred_arn="arn:aws:iam::1:role/r", cred_external_id="x")
    assert values is not None and values["ecr"] == {
        "access_key_id": None,
        "secret_access_key": None,
        "role_arn": "arn:aws:iam::1:role/r",
        "external_id": "x",
    }
    values, _ = moved(type="ecr", cred_credential_type="", cred_access_key="AKIA", cred_secret_key="k")
    assert values is not None and values["ecr"] is not None and values["ecr"]["access_key_id"] == "AKIA"


def test_public_ecr_is_an_empty_ecr_block():
    values, _ = moved(type="ecr", is_private=False, cred_credential_type="secret")
    assert values is not None and values["ecr"] == {
        "access_key_id": None,
        "secret_access_key": None,
        "role_arn": None,
        "external_id": None,
    }


def test_a_tls_certificate_stays_in_palette_with_a_warning():
    values, problems = moved(
        cred_tls_config=[{"certificate": "-----BEGIN CERTIFICATE-----", "insecure_skip_verify": False}]
    )
    assert values is not None and values["tls"] is None
    assert [(p.severity, p.summary) for p in problems] == [("warning", "tls_config.certificate stays in Palette")]


def test_older_schema_versions_are_read_missing_fields_as_defaults():
    state = {"id": UID, "name": "old", "type": "basic", "endpoint": "https://o.example.com", "credentials": []}
    values, problems = move(MoveSource(SOURCE_PROVIDER, SOURCE_TYPE, 0, state), "helm")
    assert problems == [] and values is not None
    assert (values["auth_type"], values["provider_type"], values["auto_sync"]) == ("none", "helm", False)


def _refused(kind: str = "helm", version: int = 2, **changes: Any) -> str:
    values, problems = moved(kind, version, **changes)
    assert values is None and problems and all(p.severity == "error" for p in problems)
    return " ".join(f"{p.summary}: {p.detail}" for p in problems)


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("helm", {"provider_type": "zarf"}, "move it to oci_registry_zarf, not oci_registry_helm"),
        ("zarf", {"provider_type": "pack"}, "move it to oci_registry_packs, not oci_registry_zarf"),
        ("helm", {"provider_type": ""}, None),  # the source's default is helm: accepted
        ("helm", {"provider_type": "oci"}, 'provider_type "oci"'),
        ("zarf", {"provider_type": "zarf", "type": "ecr", "cred_credential_type": "secret"}, "Zarf registry on ECR"),
        ("helm", {"cred_credential_type": "token"}, "Token authentication is not managed"),
        ("helm", {"type": "ecr", "cred_credential_type": "token"}, "Token authentication is not managed"),
        ("helm", {"cred_credential_type": "sts"}, 'credential_type "sts" belongs to registries of type "ecr"'),
        ("helm", {"type": "ecr", "cred_credential_type": "basic"}, 'belongs to registries of type "basic"'),
        ("helm", {"cred_credential_type": "podIdentity"}, 'credential_type "podIdentity" is none of'),
        ("helm", {"type": "helm"}, 'type "helm"'),
        ("helm", {"id": ""}, "holds no id"),
        ("helm", {"name": ""}, "holds no name"),
    ],
)
def test_what_does_not_fit_is_refused_with_the_fix(kind, changes, message):
    if message is None:
        assert moved(kind, **changes)[1] == []
        return
    assert message in _refused(kind, **changes)


def test_a_newer_source_schema_version_is_refused():
    assert "schema version 3" in _refused(version=3)


def test_no_secret_in_a_refusal():
    text = _refused(provider_type="zarf", cred_password="s3cret-pass")
    assert "s3cret-pass" not in text


# ---------------------------------------------------------------------------- the RPC through the servicer


@pytest.fixture(scope="module")
def servicer():
    from provider.plugin import OciProvider
    from provider.tfx.servicer import Servicer

    return Servicer(OciProvider())


def call(servicer: Any, target: str, state: Any, address: str = SOURCE_PROVIDER, type_name: str = SOURCE_TYPE) -> Any:
    raw = state if isinstance(state, bytes) else json.dumps(state).encode()
    request = pb.MoveResourceState.Request(
        source_provider_address=address,
        source_type_name=type_name,
        source_schema_version=2,
        source_state=pb.RawState(json=raw),
        target_type_name=target,
    )
    return servicer.MoveResourceState(request, None)


def test_capability_told_in_metadata_and_schema(servicer):
    assert servicer.GetMetadata(pb.GetMetadata.Request(), None).server_capabilities.move_resource_state
    schema = servicer.GetProviderSchema(pb.GetProviderSchema.Request(), None)
    assert schema.server_capabilities.move_resource_state  # where Terraform reads it for `moved`


def test_the_rpc_answers_a_complete_state_and_identity(servicer):
    from provider.tfx import wire

    response = call(servicer, "oci_registry_helm", source())
    assert list(response.diagnostics) == []
    state = wire.read_value(response.target_state)
    (auth,) = state["basic_auth"]  # a single block on the wire: a list of one (Terraform 1.0.3 reads it)
    assert state["id"] == UID and auth["password"] == "s3cret-pass"
    assert auth["password_wo"] is None  # write-only: null in every state
    assert {"scope", "sync_status", "sync_message", "last_synced_at"} <= set(state)  # every attribute present
    assert wire.read_value(response.target_identity.identity_data) == {"name": "charts", "uid": UID}


@pytest.mark.parametrize(
    ("address", "type_name"),
    [("registry.terraform.io/hashicorp/aws", SOURCE_TYPE), (SOURCE_PROVIDER, "spectrocloud_registry_helm")],
)
def test_unknown_sources_get_terraforms_does_not_support_moving(servicer, address, type_name):
    response = call(servicer, "oci_registry_helm", source(), address=address, type_name=type_name)
    (diagnostic,) = response.diagnostics
    assert diagnostic.severity == pb.Diagnostic.ERROR
    assert f'oci_registry_helm does not support moving from "{type_name}" of provider "{address}"' in diagnostic.detail
    assert not response.HasField("target_state")


def test_a_source_state_that_is_not_json_is_a_diagnostic(servicer):
    response = call(servicer, "oci_registry_helm", b"{not json")
    (diagnostic,) = response.diagnostics
    assert diagnostic.summary == "Cannot read the state of the moved resource"


def test_a_refusal_reaches_terraform_without_a_state(servicer):
    response = call(servicer, "oci_registry_helm", source(provider_type="pack", cred_password="s3cret-pass"))
    assert [d.summary for d in response.diagnostics] == ["Moved registry is of another kind"]
    assert "s3cret-pass" not in str(response)
    assert not response.HasField("target_state")
