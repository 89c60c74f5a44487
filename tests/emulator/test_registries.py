"""The registry endpoints over HTTP: create, read, update, delete, list, for basic and ECR registries."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from tests.emulator.helpers import create, error_of
from tests.harness.emulator import Emulator, basic_registry, ecr_registry

BASIC = basic_registry("charts", "https://harbor.example.com", username="robot$ci", password="s3cret-password-1")
ECR = ecr_registry(
    "packs-ecr",
    access_key="AKIAEXAMPLE",
    secret_key="ecr-secret-key-value",
    provider_type="pack",
    base_content_path="spectro-packs",
    sync=True,
)


def test_create_then_get_basic(palette: httpx.Client) -> None:
    uid = create(palette, "basic", BASIC)
    answer = palette.get(f"/v1/registries/oci/{uid}/basic")
    assert answer.status_code == 200
    got = answer.json()
    assert got["metadata"]["name"] == "charts" and got["metadata"]["uid"] == uid
    created = datetime.fromisoformat(got["metadata"]["creationTimestamp"])
    assert created.tzinfo is not None
    spec = got["spec"]
    assert spec["endpoint"] == "https://harbor.example.com"
    assert spec["providerType"] == "helm" and spec["scope"] == "tenant" and spec["isSyncSupported"] is False
    assert spec["auth"]["username"] == "robot$ci"
    assert spec["auth"]["password"] == "s3c***d-1"
    assert spec["auth"]["tls"]["insecureSkipVerify"] is False
    assert got["status"]["syncStatus"] == {"isSyncSupported": False, "status": ""}


def test_create_then_get_ecr(palette: httpx.Client) -> None:
    uid = create(palette, "ecr", ECR)
    spec = palette.get(f"/v1/registries/oci/{uid}/ecr").json()["spec"]
    assert spec["endpoint"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert spec["providerType"] == "pack" and spec["isSyncSupported"] is True
    assert spec["credentials"]["accessKey"] == "AKIAEXAMPLE"
    assert spec["credentials"]["secretKey"] == "ecr***lue"
    assert spec["tls"] == {"enabled": False, "insecureSkipVerify": False}


def test_default_provider_type_is_helm(palette: httpx.Client) -> None:
    body = basic_registry("plain", "oci.example.com")
    del body["spec"]["providerType"]
    uid = create(palette, "basic", body)
    assert palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["providerType"] == "helm"


def test_update_replaces_the_spec(palette: httpx.Client, clean_emulator: Emulator) -> None:
    uid = create(palette, "basic", BASIC)
    before = palette.get(f"/v1/registries/oci/{uid}/basic").json()["metadata"]
    changed = basic_registry("charts", "https://harbor2.example.com", username="other", password="new-password-22")
    answer = palette.put(f"/v1/registries/oci/{uid}/basic", json=changed)
    assert answer.status_code == 204 and answer.content == b""
    after = palette.get(f"/v1/registries/oci/{uid}/basic").json()
    assert after["spec"]["endpoint"] == "https://harbor2.example.com"
    assert after["metadata"]["creationTimestamp"] == before["creationTimestamp"]
    assert after["metadata"]["lastModifiedTimestamp"] >= before["lastModifiedTimestamp"]
    stored = clean_emulator.registry(uid)
    assert stored is not None and stored["spec"]["auth"]["password"] == "new-password-22"


def test_update_cannot_rename(palette: httpx.Client) -> None:
    uid = create(palette, "basic", BASIC)
    renamed = basic_registry("other-name", "https://harbor.example.com")
    error = error_of(palette.put(f"/v1/registries/oci/{uid}/basic", json=renamed), 400)
    assert "metadata.name" in error["message"]


@pytest.mark.parametrize("kind", ["basic", "ecr"])
def test_delete_by_kind(palette: httpx.Client, kind: str) -> None:
    uid = create(palette, kind, BASIC if kind == "basic" else ECR)
    assert palette.delete(f"/v1/registries/oci/{uid}/{kind}").status_code == 204
    error = error_of(palette.get(f"/v1/registries/oci/{uid}/{kind}"), 404)
    assert error["code"] == "ResourceNotFound"
    assert error_of(palette.delete(f"/v1/registries/oci/{uid}/{kind}"), 404)["code"] == "ResourceNotFound"


def test_delete_any_kind(palette: httpx.Client) -> None:
    uid = create(palette, "ecr", ECR)
    assert palette.delete(f"/v1/registries/{uid}").status_code == 204
    assert error_of(palette.get(f"/v1/registries/oci/{uid}"), 404)["code"] == "ResourceNotFound"
    assert error_of(palette.delete(f"/v1/registries/{uid}"), 404)["code"] == "ResourceNotFound"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_uid_is_resource_not_found(palette: httpx.Client, method: str) -> None:
    body = BASIC if method == "PUT" else None
    answer = palette.request(method, "/v1/registries/oci/0123456789abcdef01234567/basic", json=body)
    assert error_of(answer, 404)["code"] == "ResourceNotFound"


def test_wrong_kind_is_resource_not_found(palette: httpx.Client) -> None:
    basic_uid = create(palette, "basic", BASIC)
    ecr_uid = create(palette, "ecr", ECR)
    error = error_of(palette.get(f"/v1/registries/oci/{basic_uid}/ecr"), 404)
    assert error["code"] == "ResourceNotFound" and f"/v1/registries/oci/{basic_uid}/basic" in error["message"]
    assert error_of(palette.get(f"/v1/registries/oci/{ecr_uid}/basic"), 404)["code"] == "ResourceNotFound"
    assert error_of(palette.put(f"/v1/registries/oci/{ecr_uid}/basic", json=BASIC), 404)["code"] == "ResourceNotFound"


def test_unknown_path_is_not_a_missing_registry(palette: httpx.Client) -> None:
    error = error_of(palette.get("/v1/registries/oci/nothing/here/at/all"), 404)
    assert error["code"] != "ResourceNotFound"


def test_duplicate_name_in_same_scope_conflicts(palette: httpx.Client, palette_system: httpx.Client) -> None:
    create(palette, "basic", BASIC)
    duplicate = ecr_registry("charts", access_key="AKIA", secret_key="x")
    error = error_of(palette.post("/v1/registries/oci/ecr", json=duplicate), 409)
    assert "charts" in error["message"]
    create(palette_system, "basic", BASIC)  # another scope: allowed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["spec"].pop("endpoint"), "spec.endpoint: is required"),
        (lambda b: b["spec"].pop("auth"), "spec.auth: is required"),
        (lambda b: b["metadata"].pop("name"), "metadata.name: is required"),
        (lambda b: b["spec"].update(isSyncSupported="yes"), "spec.isSyncSupported: must be boolean"),
        (lambda b: b["spec"].update(providerType="docker"), "spec.providerType: must be one of helm, zarf, pack"),
        (lambda b: b["spec"]["auth"].update(type="oauth"), "spec.auth.type: must be one of"),
        (lambda b: b["spec"]["auth"].update(password=""), "spec.auth.password: is required"),
    ],
)
def test_body_validation_names_the_field(palette: httpx.Client, change: object, field: str) -> None:
    body = basic_registry("bad", "oci.example.com", username="u", password="p")
    change(body)  # type: ignore[operator]
    error = error_of(palette.post("/v1/registries/oci/basic", json=body), 400)
    assert field in error["message"]


def test_ecr_body_validation(palette: httpx.Client) -> None:
    body = ecr_registry("bad")
    del body["spec"]["isPrivate"]
    assert "spec.isPrivate: is required" in error_of(palette.post("/v1/registries/oci/ecr", json=body), 400)["message"]
    body = ecr_registry("bad", access_key="AKIA")
    assert "spec.credentials.secretKey" in error_of(palette.post("/v1/registries/oci/ecr", json=body), 400)["message"]
    body = ecr_registry("bad", role_arn="")
    body["spec"]["credentials"] = {"credentialType": "sts"}
    assert "spec.credentials.sts.arn" in error_of(palette.post("/v1/registries/oci/ecr", json=body), 400)["message"]


def test_body_that_is_not_json(palette: httpx.Client) -> None:
    answer = palette.post(
        "/v1/registries/oci/basic", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert "not valid JSON" in error_of(answer, 400)["message"]


def test_nulls_count_as_absent(palette: httpx.Client) -> None:
    body = basic_registry("nulls", "oci.example.com")
    body["spec"]["basePath"] = None
    create(palette, "basic", body)


def test_summary_lists_both_kinds(palette: httpx.Client) -> None:
    basic_uid = create(palette, "basic", BASIC)
    ecr_uid = create(palette, "ecr", ECR)
    items = {item["metadata"]["uid"]: item for item in palette.get("/v1/registries/oci/summary").json()["items"]}
    assert set(items) == {basic_uid, ecr_uid}
    basic, ecr = items[basic_uid], items[ecr_uid]
    assert basic["metadata"]["name"] == "charts" and "creationTimestamp" in basic["metadata"]
    assert basic["spec"] == {
        "endpoint": "https://harbor.example.com",
        "providerType": "helm",
        "registryType": "basic",
        "scope": "tenant",
        "isPrivate": True,
        "containsSpectroManifest": False,
    }
    assert ecr["spec"]["registryType"] == "ecr" and ecr["spec"]["providerType"] == "pack"
    assert ecr["status"]["sync"]["isSyncSupported"] is True


def test_entity_view(palette: httpx.Client) -> None:
    basic_uid = create(palette, "basic", BASIC)
    ecr_uid = create(palette, "ecr", ECR)
    basic = palette.get(f"/v1/registries/oci/{basic_uid}").json()
    assert basic["type"] == "basic" and basic["providerType"] == "helm" and basic["scope"] == "tenant"
    assert basic["auth"]["password"] == "s3c***d-1" and basic["auth"]["username"] == "robot$ci"
    ecr = palette.get(f"/v1/registries/oci/{ecr_uid}").json()
    assert ecr["type"] == "ecr" and ecr["defaultRegion"] == "" and ecr["endpoint"].endswith("amazonaws.com")


def test_registries_metadata(palette: httpx.Client, palette_system: httpx.Client) -> None:
    uid = create(palette, "basic", BASIC)
    system_uid = create(palette_system, "basic", basic_registry("system-charts", "oci.example.com"))
    items = {item["uid"]: item for item in palette.get("/v1/registries/metadata").json()["items"]}
    assert items[uid] == {
        "uid": uid,
        "name": "charts",
        "kind": "oci",
        "scope": "tenant",
        "isPrivate": True,
        "isDefault": False,
    }
    assert items[system_uid]["scope"] == "system" and items[system_uid]["isPrivate"] is False
    tenant_only = palette.get("/v1/registries/metadata", params={"scope": "tenant"}).json()["items"]
    assert [item["uid"] for item in tenant_only] == [uid]
    system_only = palette.get("/v1/registries/metadata", params={"scope": "system"}).json()["items"]
    assert [item["uid"] for item in system_only] == [system_uid]
    assert error_of(palette.get("/v1/registries/metadata", params={"scope": "galaxy"}), 400)


def test_concurrent_creates_of_one_name(clean_emulator: Emulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def attempt(index: int) -> int:
        with clean_emulator.client() as client:
            body = basic_registry("race", f"oci-{index}.example.com")
            return client.post("/v1/registries/oci/basic", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(attempt, range(16)))
    assert outcomes == [201] + [409] * 15
    assert [item["name"] for item in clean_emulator.registries()] == ["race"]


def test_annotations_are_stored_returned_and_kept_by_an_update(palette: httpx.Client, clean_emulator: Emulator) -> None:
    """metadata.annotations (v1ObjectMeta): what a client sets on create comes back on GET and in the
    summary, and an update that sends none keeps them (the provider's create token relies on it)."""
    body = basic_registry("annotated", "oci.example.com")
    body["metadata"]["annotations"] = {"terraform-provider-oci/create-token": "abc"}
    uid = create(palette, "basic", body)
    assert palette.get(f"/v1/registries/oci/{uid}/basic").json()["metadata"]["annotations"] == {
        "terraform-provider-oci/create-token": "abc"
    }
    update = basic_registry("annotated", "oci.example.com", base_content_path="x")
    assert palette.put(f"/v1/registries/oci/{uid}/basic", json=update).status_code == 204
    summary = palette.get("/v1/registries/oci/summary").json()["items"]
    assert summary[0]["metadata"]["annotations"] == {"terraform-provider-oci/create-token": "abc"}
