"""Wire models: swagger names, round trips, secrets hidden from repr. Pure, no network."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from palette_emulator.schemas import swagger
from provider.palette.models import (
    AwsCloudAccount,
    AwsStsCredentials,
    BasicOciRegistry,
    BasicOciRegistrySpec,
    EcrRegistry,
    EcrRegistrySpec,
    ObjectMeta,
    OciRegistries,
    OciRegistryEntity,
    RegistryAuth,
    RegistrySyncStatus,
    TlsConfiguration,
    Uid,
    registry_family,
    to_wire,
    with_unknown_fields,
)

SYNC = {
    "isSyncSupported": True,
    "lastRunTime": "2025-03-01T12:00:00.000Z",
    "lastSyncedTime": "2025-03-01T12:00:05.000Z",
    "message": "synced 12 charts",
    "status": "Success",
}
META = {
    "name": "platform-charts",
    "uid": "65f0c0ffee0123456789abcd",
    "annotations": {"scope": "tenant"},
    "labels": {},
    "creationTimestamp": "2025-03-01T11:59:00.000Z",
    "lastModifiedTimestamp": "2025-03-01T12:00:00.000Z",
}
TLS = {
    "ca": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "certificate": "",
    "enabled": True,
    "insecureSkipVerify": False,
    "key": "tls-private-key",
}
BASIC = {
    "kind": "",
    "metadata": META,
    "spec": {
        "auth": {"type": "basic", "username": "robot$ci", "password": "hunter2-secret", "tls": TLS},
        "baseContentPath": "charts",
        "basePath": "",
        "containsSpectroManifest": False,
        "endpoint": "https://harbor.example.com",
        "isSyncSupported": True,
        "providerType": "helm",
        "registryUid": "65f0c0ffee0123456789abcd",
        "scope": "tenant",
    },
    "status": {"syncStatus": SYNC},
}
ECR = {
    "metadata": {"name": "packs-ecr"},
    "spec": {
        "baseContentPath": "spectro-packs",
        "containsSpectroManifest": True,
        "credentials": {
            "accessKey": "AKIAEXAMPLE",
            "credentialType": "secret",
            "secretKey": "aws-secret-key-value",
            "partition": "aws",
            "policyARNs": ["arn:aws:iam::aws:policy/ReadOnly"],
            "sts": {"arn": "arn:aws:iam::123456789012:role/palette-ecr", "externalId": "tenant-1"},
        },
        "defaultRegion": "us-east-1",
        "endpoint": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "isPrivate": True,
        "isSyncSupported": True,
        "providerType": "pack",
        "scope": "tenant",
        "tls": {"enabled": True, "insecureSkipVerify": False},
    },
    "status": {"syncStatus": SYNC},
}
SUMMARY = {
    "items": [
        {
            "metadata": {"name": "platform-charts", "uid": "65f0c0ffee0123456789abcd"},
            "spec": {
                "containsSpectroManifest": False,
                "defaultRegion": "",
                "endpoint": "https://harbor.example.com",
                "isPrivate": True,
                "providerType": "helm",
                "registryType": "basic",
                "scope": "tenant",
            },
            "status": {"sync": SYNC},
        }
    ]
}
ENTITY = {
    "auth": {"type": "basic", "username": "robot$ci", "password": "abc***def", "tls": {"enabled": False}},
    "defaultRegion": "",
    "endpoint": "https://harbor.example.com",
    "providerType": "zarf",
    "scope": "tenant",
    "type": "basic",
}


@pytest.mark.parametrize(
    ("model", "definition", "sample"),
    [
        (BasicOciRegistry, "v1BasicOciRegistry", BASIC),
        (EcrRegistry, "v1EcrRegistry", ECR),
        (OciRegistries, "v1OciRegistries", SUMMARY),
        (OciRegistryEntity, "v1OciRegistryEntity", ENTITY),
        (RegistrySyncStatus, "v1RegistrySyncStatus", SYNC),
        (ObjectMeta, "v1ObjectMeta", META),
        (Uid, "v1Uid", {"uid": "65f0c0ffee0123456789abcd"}),
    ],
)
def test_swagger_shaped_json_round_trips(model: type[BaseModel], definition: str, sample: dict[str, Any]) -> None:
    assert swagger().problems(definition, sample, strict=True) == []  # the sample is what Palette sends
    decoded = model.model_validate(sample)
    assert to_wire(decoded) == sample


def test_attributes_are_snake_case() -> None:
    registry = BasicOciRegistry.model_validate(BASIC)
    assert registry.spec.base_content_path == "charts"
    assert registry.spec.auth.tls is not None and registry.spec.auth.tls.insecure_skip_verify is False
    assert registry.status is not None and registry.status.sync_status is not None
    assert registry.status.sync_status.last_synced_time == "2025-03-01T12:00:05.000Z"
    ecr = EcrRegistry.model_validate(ECR)
    assert ecr.spec.credentials is not None and ecr.spec.credentials.policy_arns == ["arn:aws:iam::aws:policy/ReadOnly"]
    assert ecr.spec.credentials.sts == AwsStsCredentials(
        arn="arn:aws:iam::123456789012:role/palette-ecr", external_id="tenant-1"
    )
    summary = OciRegistries.model_validate(SUMMARY).items[0]
    assert summary.family == "basic" and summary.status is not None and summary.status.sync is not None
    assert OciRegistryEntity.model_validate(ENTITY).family == "basic"


def test_built_by_python_names_serialises_to_valid_request_bodies() -> None:
    basic = BasicOciRegistry(
        metadata=ObjectMeta(name="charts"),
        spec=BasicOciRegistrySpec(
            endpoint="https://harbor.example.com",
            base_content_path="charts",
            provider_type="helm",
            is_sync_supported=True,
            auth=RegistryAuth(type="basic", username="u", password="p", tls=TlsConfiguration(enabled=True, ca="x")),
        ),
    )
    ecr = EcrRegistry(
        metadata=ObjectMeta(name="packs"),
        spec=EcrRegistrySpec(
            endpoint="123456789012.dkr.ecr.us-east-1.amazonaws.com",
            provider_type="pack",
            base_content_path="p",
            credentials=AwsCloudAccount(credential_type="sts", sts=AwsStsCredentials(arn="arn:aws:iam::1:role/r")),
        ),
    )
    for model, definition in [(basic, "v1BasicOciRegistry"), (ecr, "v1EcrRegistry")]:
        # strict: a field the swagger does not declare (a misspelt alias) is a problem too
        assert swagger().problems(definition, to_wire(model), strict=True) == []
    assert to_wire(ecr)["spec"]["isPrivate"] is True
    assert to_wire(basic.spec) == {
        "endpoint": "https://harbor.example.com",
        "auth": {"type": "basic", "username": "u", "password": "p", "tls": {"ca": "x", "enabled": True}},
        "baseContentPath": "charts",
        "isSyncSupported": True,
        "providerType": "helm",
    }
    assert swagger().problems("v1BasicOciRegistrySpec", to_wire(basic.spec), strict=True) == []
    assert swagger().problems("v1EcrRegistrySpec", to_wire(ecr.spec), strict=True) == []


def test_unknown_answer_fields_are_ignored_and_unknown_enum_values_kept() -> None:
    answer = {**ENTITY, "type": "harbor", "newField": {"x": 1}, "providerType": "flux"}
    entity = OciRegistryEntity.model_validate(answer)
    assert entity.family is None and entity.provider_type == "flux"
    assert "newField" not in to_wire(entity)


@pytest.mark.parametrize(
    "model",
    [
        BasicOciRegistry.model_validate(BASIC),
        EcrRegistry.model_validate(ECR),
        RegistryAuth(type="token", token="tok-en-secret"),
        AwsCloudAccount(secret_key="aws-secret-key-value", secret_token="aws-session-token"),
    ],
)
def test_repr_and_str_hide_secrets_but_json_keeps_them(model: BaseModel) -> None:
    secrets = ["hunter2-secret", "tls-private-key", "aws-secret-key-value", "tok-en-secret", "aws-session-token"]
    shown = repr(model) + str(model)
    assert not [s for s in secrets if s in shown]
    assert [s for s in secrets if s in model.model_dump_json(by_alias=True)]


def test_validation_errors_do_not_quote_input_values() -> None:
    with pytest.raises(ValidationError) as caught:
        RegistryAuth.model_validate({"password": ["hunter2-secret"]})
    assert "hunter2-secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "family"), [("basic", "basic"), ("Basic", "basic"), ("ECR", "ecr"), ("", None), (None, None)]
)
def test_registry_family_from_palette_strings(value: str | None, family: str | None) -> None:
    assert registry_family(value) == family


def test_unknown_fields_of_an_answer_go_back_and_known_ones_stay_the_providers() -> None:
    answer: dict[str, Any] = {
        "futureTop": 1,
        "metadata": {"name": "charts", "uid": "u1", "futureMeta": "m"},
        "spec": {
            "endpoint": "https://old.example.com",
            "basePath": "/from-the-ui",  # a known field the body leaves out: stays out
            "futureField": "x",
            "futureList": [1, {"a": 2}],
            "auth": {"type": "basic", "username": "old", "futureAuthMode": "y", "tls": {"futureTls": True}},
        },
        "status": {"syncStatus": {"status": "Success", "futureStatus": "s"}},
    }
    body = {
        "metadata": {"name": "charts", "uid": "u1"},
        "spec": {"endpoint": "https://new.example.com", "auth": {"type": "noAuth"}},
    }
    merged = with_unknown_fields(body, answer, BasicOciRegistry)
    assert merged == {
        "futureTop": 1,
        "metadata": {"name": "charts", "uid": "u1", "futureMeta": "m"},
        "spec": {
            "endpoint": "https://new.example.com",
            "futureField": "x",
            "futureList": [1, {"a": 2}],
            "auth": {"type": "noAuth", "futureAuthMode": "y"},  # no tls in the body: nothing to put it in
        },
    }
    assert body["spec"] == {"endpoint": "https://new.example.com", "auth": {"type": "noAuth"}}  # not changed
    merged["spec"]["futureList"][1]["a"] = 3
    assert answer["spec"]["futureList"][1] == {"a": 2}  # copied, not shared


def test_a_registry_read_from_an_answer_remembers_it_and_copies_keep_it() -> None:
    answer = {"spec": {"endpoint": "e", "futureField": "x"}}
    registry = BasicOciRegistry.model_validate(answer).answered(answer)
    assert registry.answer == answer and registry.model_copy(deep=True).answer == answer
    assert BasicOciRegistry.model_validate(answer).answer is None


def test_palettes_words_are_normalised_once_as_answers_enter() -> None:
    """Every enumeration Palette answers is spelled one way after decoding (any case, surrounding spaces):
    nothing downstream compares in another case. A word this client does not know stays as Palette sent it."""
    summary = OciRegistries.model_validate(
        {
            "items": [
                {"spec": {"providerType": " Helm", "registryType": "ECR", "scope": "Tenant"}},
                {"spec": {"providerType": "Chart", "registryType": "Harbor", "scope": "Galaxy"}},
            ]
        }
    )
    known, unknown = (item.spec for item in summary.items)
    assert (known.provider_type, known.registry_type, known.scope) == ("helm", "ecr", "tenant")
    assert (unknown.provider_type, unknown.registry_type, unknown.scope) == ("Chart", "Harbor", "Galaxy")
    assert [item.family for item in summary.items] == ["ecr", None]
    entity = OciRegistryEntity.model_validate({"type": "Basic", "providerType": "PACK", "auth": {"type": "NOAUTH"}})
    assert (entity.family, entity.provider_type, entity.auth and entity.auth.type) == ("basic", "pack", "noAuth")
    account = AwsCloudAccount.model_validate({"credentialType": "Pod-Identity"})
    assert account.credential_type == "pod-identity"
    assert RegistrySyncStatus.model_validate({"status": "completed"}).status == "Completed"
    assert RegistrySyncStatus.model_validate({"status": "Brand-new"}).status == "Brand-new"
    # What the provider builds goes to Palette in Palette's spelling (auth.type "noAuth", not "noauth").
    assert to_wire(RegistryAuth(type="noauth"))["type"] == "noAuth"
