"""The client against the real emulator: create, read, update, delete, scopes and projects.

The emulator refuses (400) any body that breaks the swagger, unknown fields included, so each
successful create and update here also proves the client's request bodies follow it."""

from __future__ import annotations

from typing import Any, cast

import pytest

from provider.palette.client import PaletteClient
from provider.palette.errors import (
    ConflictError,
    FamilyChangedError,
    ForbiddenError,
    NotFoundError,
    PaletteError,
    UnexplainedNotFoundError,
    ValidationFailedError,
)
from provider.palette.models import BasicOciRegistry, EcrRegistry
from provider.registries import mapping
from provider.registries.values import RegistryValues
from tests.harness.emulator import Emulator
from tests.palette.builders import ECR_ENDPOINT, basic, ecr_keys, ecr_sts

UNKNOWN_UID = "0123456789abcdef01234567"


def test_basic_registry_lifecycle(palette: PaletteClient, clean_emulator: Emulator) -> None:
    sent = basic("charts", password="Harbor-Pa55word-secret")
    uid = palette.create(sent)

    stored = clean_emulator.registry(uid)
    assert stored is not None and stored["spec"]["auth"]["password"] == "Harbor-Pa55word-secret"
    got = palette.get("basic", uid)
    assert (got.metadata.uid, got.metadata.name, got.spec.endpoint) == (uid, "charts", "http://127.0.0.1:1")
    assert got.spec.provider_type == "helm" and got.spec.base_content_path == "charts"
    assert got.spec.auth.username == "robot$ci" and got.spec.scope == "tenant"
    assert got.spec.auth.password != "Harbor-Pa55word-secret"  # Palette masks stored secrets
    assert got.spec.auth.tls is not None  # and always answers a TLS block

    # An update built from what was read must carry the secret that was sent, not the mask.
    got.spec.base_content_path = "charts-v2"
    got.spec.auth.password = sent.spec.auth.password  # as the lifecycle lays the state over the answer
    palette.update(uid, got)
    assert palette.get("basic", uid).spec.base_content_path == "charts-v2"
    stored = clean_emulator.registry(uid)
    assert stored is not None and stored["spec"]["auth"]["password"] == "Harbor-Pa55word-secret"

    palette.delete("basic", uid)
    with pytest.raises(NotFoundError):
        palette.get("basic", uid)
    with pytest.raises(NotFoundError):  # callers decide that a second delete is fine
        palette.delete("basic", uid)


@pytest.mark.parametrize("build", [ecr_keys, ecr_sts], ids=["access-keys", "sts-role"])
def test_ecr_registry_lifecycle(palette: PaletteClient, clean_emulator: Emulator, build: object) -> None:
    assert callable(build)
    sent: EcrRegistry = build("packs-ecr")
    uid = palette.create(sent)

    got = palette.get("ecr", uid)
    assert got.spec.endpoint == "123456789012.dkr.ecr.us-east-1.amazonaws.com" and got.spec.is_private
    assert got.spec.credentials is not None and sent.spec.credentials is not None
    assert got.spec.credentials.credential_type == sent.spec.credentials.credential_type
    assert got.spec.credentials.sts == sent.spec.credentials.sts
    assert got.spec.tls is not None  # ECR answers its TLS block at spec.tls

    got.spec.default_region = "us-west-2"
    got.spec.credentials.secret_key = sent.spec.credentials.secret_key
    palette.update(uid, got)
    assert palette.get("ecr", uid).spec.default_region == "us-west-2"
    stored = clean_emulator.registry(uid)
    assert stored is not None
    assert stored["spec"]["credentials"].get("secretKey") == sent.spec.credentials.secret_key

    palette.delete("ecr", uid)
    with pytest.raises(NotFoundError):
        palette.get("ecr", uid)


def test_family_is_told_by_get_oci_and_the_summary(palette: PaletteClient) -> None:
    basic_uid = palette.create(basic("charts"))
    ecr_uid = palette.create(ecr_keys("packs"))

    assert palette.get_oci(basic_uid).family == "basic"
    assert palette.get_oci(ecr_uid).family == "ecr"
    assert isinstance(palette.get("basic", basic_uid), BasicOciRegistry)
    assert isinstance(palette.get("ecr", ecr_uid), EcrRegistry)
    families = {item.metadata.uid: item.family for item in palette.list_oci()}
    assert families == {basic_uid: "basic", ecr_uid: "ecr"}

    found = palette.find_by_name("charts")
    assert found is not None and found.metadata.uid == basic_uid
    assert palette.find_by_name("charts", family="ecr") is None
    assert palette.find_by_name("no-such-registry") is None


def test_not_found_is_typed_with_palettes_code(palette: PaletteClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        palette.get("basic", UNKNOWN_UID)
    error = caught.value
    assert (error.status, error.code) == (404, "ResourceNotFound")
    assert str(error).startswith(f"Palette answered 404 Not Found on GET /v1/registries/oci/{UNKNOWN_UID}/basic: ")

    uid = palette.create(basic("charts"))
    with pytest.raises(FamilyChangedError) as other:  # the other family's path does not serve it: not "gone"
        palette.get("ecr", uid)
    assert (other.value.expected, other.value.actual, other.value.provider_type) == ("ecr", "basic", "helm")
    assert f"registry {uid} is now a basic helm registry in Palette, not the ecr registry" in str(other.value)
    with pytest.raises(FamilyChangedError):
        palette.delete("ecr", uid)
    assert palette.get("basic", uid).metadata.uid == uid  # and nothing was deleted
    with pytest.raises(NotFoundError):
        palette.get_oci(UNKNOWN_UID)


def test_a_404_without_palettes_code_proves_nothing(palette: PaletteClient, clean_emulator: Emulator) -> None:
    """An ingress's HTML 404 is not "gone": an error naming the host, never NotFoundError."""
    uid = palette.create(basic("charts"))
    html = "<html><body><h1>404 Not Found</h1>nginx</body></html>"
    clean_emulator.set_faults(
        [{"path": f"/{uid}", "kind": "status", "status": 404, "body": html, "content_type": "text/html"}]
    )
    for call in (lambda: palette.get("basic", uid), lambda: palette.delete("basic", uid), lambda: palette.get_oci(uid)):
        with pytest.raises(UnexplainedNotFoundError) as caught:
            call()
        assert not isinstance(caught.value, NotFoundError)
        message = str(caught.value)
        assert palette.base_url in message and "without Palette's ResourceNotFound code" in message
        assert "the registry was not touched" in message
    clean_emulator.clear_faults()
    assert palette.get("basic", uid).metadata.uid == uid


def test_a_second_registry_of_the_same_name_is_a_conflict(palette: PaletteClient, clean_emulator: Emulator) -> None:
    palette.create(basic("charts"))
    with pytest.raises(ConflictError) as caught:
        palette.create(basic("charts"))
    assert caught.value.status == 409
    assert str(caught.value).startswith("Palette answered 409 Conflict on POST /v1/registries/oci/basic: ")
    assert "charts" in caught.value.message
    assert len(clean_emulator.registries()) == 1


def test_palette_refusing_a_body_is_a_validation_error(palette: PaletteClient, clean_emulator: Emulator) -> None:
    zarf_with_sync = basic("zarf-pkgs", provider_type="zarf", sync=True)
    with pytest.raises(ValidationFailedError) as caught:
        palette.create(zarf_with_sync)
    assert caught.value.status == 400 and "zarf" in caught.value.message.lower()
    assert clean_emulator.registries() == []
    requests = clean_emulator.requests()
    assert [(r["method"], r["status"]) for r in requests] == [("POST", 400)]  # a 400 is not retried


def test_registry_calls_are_tenant_level(palette: PaletteClient, clean_emulator: Emulator) -> None:
    """No registry call carries a ProjectUid header: registries are tenant-level (FIDELITY.md, "Scope")."""
    uid = palette.create(basic("tenant-charts"))
    assert palette.get("basic", uid).spec.scope == "tenant"
    palette.list_oci()
    palette.delete("basic", uid)
    log = clean_emulator.requests()
    assert len(log) == 4 and all(r["project_uid"] is None for r in log)


def test_a_tenant_key_cannot_change_a_system_registry(palette: PaletteClient, clean_emulator: Emulator) -> None:
    system_uid = clean_emulator.seed(
        "basic", basic("golden").model_dump(by_alias=True, exclude_none=True), scope="system"
    )
    seen = palette.get("basic", system_uid)
    assert seen.spec.scope == "system"
    with pytest.raises(ForbiddenError) as caught:
        palette.delete("basic", system_uid)
    assert caught.value.status == 403 and "system" in caught.value.message
    assert clean_emulator.registry(system_uid) is not None


def test_one_client_serves_parallel_callers(palette: PaletteClient, clean_emulator: Emulator) -> None:
    # Terraform applies resources in parallel (10 at a time by default) through one client.
    from concurrent.futures import ThreadPoolExecutor

    names = [f"charts-{n}" for n in range(12)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        uids = list(pool.map(lambda name: palette.create(basic(name)), names))
        got = list(pool.map(lambda uid: palette.get("basic", uid), uids))
    assert len(set(uids)) == len(names)
    assert [g.metadata.name for g in got] == names
    assert sorted(r["name"] for r in clean_emulator.registries()) == sorted(names)


def _update_values(name: str, endpoint: str, **overrides: Any) -> RegistryValues:
    """What the Terraform layer hands `mapping.expand` for an update (write-only attributes left out)."""
    values: dict[str, Any] = {
        "id": None,
        "name": name,
        "endpoint": endpoint,
        "base_content_path": "charts",
        "base_path": None,
        "auto_sync": False,
        "basic_auth": None,
        "ecr": None,
        "tls": None,
        **overrides,
    }
    return cast(RegistryValues, values)


@pytest.mark.parametrize("family", ["basic", "ecr"])
def test_an_update_keeps_the_fields_a_newer_palette_has(
    palette: PaletteClient, clean_emulator: Emulator, family: str
) -> None:
    """The provider's update (GET, expand over the answer, PUT) against a newer Palette (variant
    extra-fields): fields no model of ours defines, at the spec's top and inside auth/credentials,
    one of them changed in the UI, are stored unchanged after the PUT, and none is logged as unknown."""
    clean_emulator.set_variants(["extra-fields"])
    sent = basic("charts") if family == "basic" else ecr_keys("charts")
    uid = palette.create(sent)
    before = clean_emulator.patch(uid, {"futureField": "set in the UI"})["spec"]
    nested = "auth" if family == "basic" else "credentials"
    newer = {key: before[key] for key in ("futureField", "futureFlags", "futureList")}
    assert newer["futureField"] == "set in the UI" and len(before[nested]) > 1

    if family == "basic":
        credentials = {"username": "robot2", "password": "New-Pa55word-x"}
        values = _update_values("charts", sent.spec.endpoint, basic_auth=credentials)
    else:
        keys = {"access_key_id": "AKIAEXAMPLE0002", "secret_access_key": "New-Aws-Secret-0123456789"}
        values = _update_values("charts", ECR_ENDPOINT, base_content_path="spectro-packs", ecr=keys)
    current = palette.get(family, uid)
    palette.update(uid, mapping.expand(values, "helm", current))

    after = clean_emulator.registry(uid)
    assert after is not None
    assert {key: after["spec"].get(key) for key in newer} == newer
    future_nested = {k: v for k, v in before[nested].items() if k.startswith("future")}
    assert future_nested and {k: after["spec"][nested].get(k) for k in future_nested} == future_nested
    # ...and the update itself landed.
    if family == "basic":
        assert after["spec"]["auth"]["username"] == "robot2"
        assert after["spec"]["auth"]["password"] == "New-Pa55word-x"
    else:
        assert after["spec"]["credentials"]["secretKey"] == "New-Aws-Secret-0123456789"
    assert clean_emulator.unknown_fields() == []


@pytest.mark.parametrize(
    "by_uid",
    [
        pytest.param({"variant": "oci-by-uid-absent"}, id="not-served-404-NotFound"),
        pytest.param({"status": 405, "body": '{"code": "MethodNotAllowed", "message": "no"}'}, id="405"),
        pytest.param(
            {"status": 404, "body": '{"code": "ResourceNotFound", "message": "no"}'}, id="404-ResourceNotFound"
        ),
        pytest.param({"status": 200, "body": '{"kind": "something else"}'}, id="200-unknown-shape"),
    ],
)
def test_get_oci_falls_back_to_the_family_paths(
    palette: PaletteClient, clean_emulator: Emulator, by_uid: dict[str, object]
) -> None:
    """No Spectro code calls GET /v1/registries/oci/{uid}: where it answers nothing usable, `/ecr` then `/basic`
    tell the family (as Spectro's import does). Only their ResourceNotFound means gone."""
    basic_uid = palette.create(basic("charts"))
    ecr_uid = palette.create(ecr_keys("packs"))
    if "variant" in by_uid:
        clean_emulator.set_variants([str(by_uid["variant"])])
    else:
        rule = {"path": r"^/v1/registries/oci/[^/]+$", "method": "GET", "kind": "status", **by_uid}
        clean_emulator.set_faults([{**rule, "content_type": "application/json"}])
    try:
        assert (palette.get_oci(basic_uid).family, palette.get_oci(basic_uid).provider_type) == ("basic", "helm")
        assert (palette.get_oci(ecr_uid).family, palette.get_oci(ecr_uid).endpoint) == (
            "ecr",
            ecr_keys("x").spec.endpoint,
        )
        with pytest.raises(NotFoundError):
            palette.get_oci(UNKNOWN_UID)
        with pytest.raises(FamilyChangedError):  # the "changed family" error still finds the other family
            palette.get("ecr", basic_uid)
    finally:
        clean_emulator.clear_faults()
        clean_emulator.set_variants([])


def test_get_oci_believes_not_found_only_from_the_family_paths(
    palette: PaletteClient, clean_emulator: Emulator
) -> None:
    """A registry the by-uid path calls ResourceNotFound, but a family path still serves, is not gone."""
    uid = palette.create(basic("charts"))
    body = '{"code": "ResourceNotFound", "message": "no"}'
    by_uid = {"path": rf"^/v1/registries/oci/{uid}$", "kind": "status", "status": 404, "body": body}
    clean_emulator.set_faults([{**by_uid, "content_type": "application/json"}])
    try:
        assert palette.get_oci(uid).family == "basic"
        ecr_path_fails = {"path": rf"^/v1/registries/oci/{uid}/ecr$", "kind": "status", "status": 503}
        clean_emulator.set_faults([{**by_uid, "content_type": "application/json"}, ecr_path_fails])
        with pytest.raises(PaletteError) as caught:  # a family path that proves nothing: not "gone"
            palette.get_oci(uid)
        assert not isinstance(caught.value, NotFoundError)
    finally:
        clean_emulator.clear_faults()
