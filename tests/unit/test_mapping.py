"""expand / flatten: Terraform values <-> Palette wire models, as pure functions."""

from __future__ import annotations

import pytest

from provider.palette.models import BasicOciRegistry, EcrRegistry, OciRegistryStatus, RegistrySyncStatus
from provider.registries import mapping

ECR = "123456789012.dkr.ecr.eu-west-2.amazonaws.com"


def values(**overrides):
    base = {
        "id": None,
        "name": "charts",
        "endpoint": "https://harbor.example.com",
        "base_content_path": "charts",
        "auto_sync": True,
        "wait_for_sync": None,
        "basic_auth": {"username": "robot$ci", "password": "s3cret-password"},
        "ecr": None,
        "tls": None,
        "timeouts": None,
    }
    base.update(overrides)
    return base


def as_palette_returns(registry, uid="0123456789abcdef01234567"):
    """What a GET answers for what was sent: uid and status added, secrets masked."""
    wire = registry.model_copy(deep=True)
    wire.metadata.uid = uid
    wire.status = OciRegistryStatus(sync_status=RegistrySyncStatus(is_sync_supported=True, status="Success"))
    if isinstance(wire, BasicOciRegistry):
        wire.spec.scope = "tenant"
        if wire.spec.auth.password:
            wire.spec.auth.password = "s3c***ord"
    else:
        wire.spec.scope = "tenant"
        if wire.spec.credentials and wire.spec.credentials.secret_key:
            wire.spec.credentials.secret_key = "******"
    return wire


STORED = ("name", "endpoint", "base_content_path", "auto_sync", "basic_auth", "ecr", "tls")

CASES = {
    "basic": values(),
    "public": values(basic_auth=None, auto_sync=False, base_content_path=None),
    "basic+tls": values(tls={"ca_certificate": "PEM\n", "insecure_skip_verify": None}),
    "insecure": values(tls={"ca_certificate": None, "insecure_skip_verify": True}),
    "ecr keys": values(endpoint=ECR, basic_auth=None, ecr={"access_key_id": "AKIA", "secret_access_key": "sk"}),
    "ecr sts": values(
        endpoint=ECR,
        basic_auth=None,
        ecr={"role_arn": "arn:aws:iam::123456789012:role/r", "external_id": "ext", "access_key_id": None},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_flatten_of_expand_gives_back_the_configuration(name):
    config = CASES[name]
    registry = mapping.expand(config, "helm")
    state = mapping.flatten(as_palette_returns(registry), config)
    for key in STORED:
        expected = config[key]
        if key == "ecr" and expected is not None:
            expected = {
                "access_key_id": None,
                "secret_access_key": None,
                "role_arn": None,
                "external_id": None,
            } | expected
        assert state[key] == expected, key
    assert state["id"] == "0123456789abcdef01234567"
    assert state["auth_type"] == mapping.auth_type(config)


def test_expand_basic_sends_what_the_swagger_names():
    wire = mapping.expand(values(), "zarf").model_dump(by_alias=True, exclude_none=True)
    assert wire["metadata"] == {"name": "charts"}
    spec = wire["spec"]
    assert spec["providerType"] == "zarf" and spec["isSyncSupported"] is True and spec["baseContentPath"] == "charts"
    assert spec["auth"]["type"] == "basic" and spec["auth"]["password"] == "s3cret-password"
    assert spec["auth"]["tls"] == {"enabled": True, "ca": "", "insecureSkipVerify": False}


def test_expand_ecr_reads_the_region_from_the_endpoint():
    registry = mapping.expand(CASES["ecr sts"], "pack")
    assert isinstance(registry, EcrRegistry)
    assert registry.spec.default_region == "eu-west-2" and registry.spec.is_private is True
    assert registry.spec.credentials is not None and registry.spec.credentials.credential_type == "sts"
    assert registry.spec.credentials.sts is not None and registry.spec.credentials.sts.external_id == "ext"


def test_a_masked_secret_keeps_the_configured_value():
    config = values()
    state = mapping.flatten(as_palette_returns(mapping.expand(config, "helm")), config)
    assert state["basic_auth"]["password"] == "s3cret-password"


def test_import_knows_no_secret():
    state = mapping.flatten(as_palette_returns(mapping.expand(values(), "helm")), None)
    assert state["basic_auth"] == {"username": "robot$ci", "password": None}


def test_real_drift_shows():
    config = values()
    wire = as_palette_returns(mapping.expand(config, "helm"))
    wire.spec.endpoint = "https://elsewhere.example.com"
    wire.spec.auth.username = "someone-else"
    wire.spec.auth.tls.insecure_skip_verify = True
    state = mapping.flatten(wire, config)
    assert state["endpoint"] == "https://elsewhere.example.com"
    assert state["basic_auth"]["username"] == "someone-else"
    assert state["tls"] == {"ca_certificate": None, "insecure_skip_verify": True}


def test_palette_spellings_of_the_same_value_keep_the_configured_one():
    config = values(base_content_path="", tls={"ca_certificate": "PEM\n", "insecure_skip_verify": False})
    wire = as_palette_returns(mapping.expand(config, "helm"))
    wire.spec.auth.tls.ca = "PEM"
    state = mapping.flatten(wire, config)
    assert state["base_content_path"] == "" and state["tls"]["ca_certificate"] == "PEM\n"


def test_sync_fields_are_flattened():
    wire = as_palette_returns(mapping.expand(values(), "helm"))
    wire.status = OciRegistryStatus(
        sync_status=RegistrySyncStatus(
            is_sync_supported=False, status="Failed", message="boom", last_synced_time="2026-01-01T00:00:00Z"
        )
    )
    state = mapping.flatten(wire, values())
    assert (state["sync_supported"], state["sync_status"], state["sync_message"], state["last_synced_at"]) == (
        False,
        "Failed",
        "boom",
        "2026-01-01T00:00:00Z",
    )
