"""Variants: the emulator answers as Palette may where the evidence is silent (palette_emulator/variants.py),
and drops request fields the swagger does not declare, as Palette's Go server does, logging them."""

from __future__ import annotations

import httpx
import pytest

from palette_emulator.variants import VARIANTS
from tests.emulator.helpers import create, error_of
from tests.harness.emulator import Emulator, basic_registry, ecr_registry


@pytest.fixture
def raw(clean_emulator: Emulator):
    """A client whose answers are not checked against the swagger (extra-fields breaks it on purpose)."""
    with clean_emulator.client(check_swagger=False) as client:
        yield client


def _seed_both(palette: httpx.Client) -> tuple[str, str]:
    basic = create(
        palette,
        "basic",
        basic_registry(
            "b", "oci.example.com", username="u", password="password-12345", base_content_path="charts", sync=True
        ),
    )
    ecr = create(palette, "ecr", ecr_registry("e", access_key="AKIA", secret_key="secret-key-123456"))
    return basic, ecr


def test_unknown_request_fields_are_dropped_and_logged(clean_emulator: Emulator, palette: httpx.Client) -> None:
    body = basic_registry("x", "oci.example.com")
    body["spec"]["futureField"] = "ignored"
    body["spec"]["auth"]["tls"]["futureTls"] = True
    uid = create(palette, "basic", body)
    stored = clean_emulator.registry(uid)
    assert (
        stored is not None and "futureField" not in stored["spec"] and "futureTls" not in stored["spec"]["auth"]["tls"]
    )
    assert clean_emulator.unknown_fields() == [
        "POST /v1/registries/oci/basic: spec.auth.tls.futureTls",
        "POST /v1/registries/oci/basic: spec.futureField",
    ]
    # Known fields of the wrong type are still refused.
    body["spec"]["isSyncSupported"] = "yes"
    assert "spec.isSyncSupported" in error_of(palette.post("/v1/registries/oci/basic", json=body), 400)["message"]


def test_variants_are_listed_set_and_refused_when_unknown(clean_emulator: Emulator) -> None:
    assert clean_emulator.set_variants(["no-tls", "mask-empty"]) == ["mask-empty", "no-tls"]
    listed = httpx.get(f"{clean_emulator.url}/emulator/variants").json()
    assert listed["active"] == ["mask-empty", "no-tls"] and set(listed["known"]) == set(VARIANTS)
    answer = httpx.put(f"{clean_emulator.url}/emulator/variants", json={"active": ["no-such-thing"]})
    assert answer.status_code == 400 and "no-such-thing" in answer.json()["message"]
    clean_emulator.reset()
    assert httpx.get(f"{clean_emulator.url}/emulator/variants").json()["active"] == []


def test_registry_type_upper(clean_emulator: Emulator, raw: httpx.Client) -> None:
    basic, ecr = _seed_both(raw)
    clean_emulator.set_variants(["registry-type-upper"])
    types = {
        i["metadata"]["uid"]: i["spec"]["registryType"] for i in raw.get("/v1/registries/oci/summary").json()["items"]
    }
    assert types == {basic: "Basic", ecr: "ECR"}
    assert raw.get(f"/v1/registries/oci/{ecr}").json()["type"] == "ECR"


def test_sync_flag_placement(clean_emulator: Emulator, raw: httpx.Client) -> None:
    basic, _ = _seed_both(raw)
    clean_emulator.set_variants(["sync-in-status-only"])
    got = raw.get(f"/v1/registries/oci/{basic}/basic").json()
    assert "isSyncSupported" not in got["spec"] and got["status"]["syncStatus"]["isSyncSupported"] is True
    clean_emulator.set_variants(["sync-in-spec-only"])
    got = raw.get(f"/v1/registries/oci/{basic}/basic").json()
    assert got["spec"]["isSyncSupported"] is True and "isSyncSupported" not in got["status"]["syncStatus"]
    clean_emulator.set_variants(["no-status"])
    assert "status" not in raw.get(f"/v1/registries/oci/{basic}/basic").json()


def test_masks_tls_scope_and_extras(clean_emulator: Emulator, raw: httpx.Client) -> None:
    basic, ecr = _seed_both(raw)
    clean_emulator.set_variants(["mask-empty"])
    assert raw.get(f"/v1/registries/oci/{basic}/basic").json()["spec"]["auth"]["password"] == ""
    clean_emulator.set_variants(["mask-stars"])
    assert raw.get(f"/v1/registries/oci/{ecr}/ecr").json()["spec"]["credentials"]["secretKey"] == "******"
    clean_emulator.set_variants(["no-tls", "scope-empty"])
    got = raw.get(f"/v1/registries/oci/{ecr}/ecr").json()
    assert "tls" not in got["spec"] and "scope" not in got["spec"]
    clean_emulator.set_variants(["extra-fields"])
    got = raw.get(f"/v1/registries/oci/{basic}/basic").json()
    assert got["futureField"] == "x" and "futureFlags" not in got["spec"]  # made before the "upgrade"
    newer = create(raw, "basic", basic_registry("n", "oci.example.com", username="u", password="password-12345"))
    got = raw.get(f"/v1/registries/oci/{newer}/basic").json()
    assert got["spec"]["futureFlags"] == {"beta": True} and got["spec"]["auth"]["futureAuthMode"] == "y"


def test_extra_fields_are_stored_kept_when_sent_back_and_gone_when_omitted(
    clean_emulator: Emulator, raw: httpx.Client
) -> None:
    """extra-fields plays a newer Palette: its fields are stored, a PUT that sends them back keeps
    them (never logged as unknown), one that omits them stores the zero value, as for any field."""
    clean_emulator.set_variants(["extra-fields"])
    body = ecr_registry("e", access_key="AKIA", secret_key="secret-key-123456")
    uid = create(raw, "ecr", body)
    stored = clean_emulator.patch(uid, {"futureField": "set in the UI"})["spec"]
    assert stored["futureList"] == [1, 2] and stored["credentials"]["futureRoleSession"] == "y"
    answer = raw.get(f"/v1/registries/oci/{uid}/ecr").json()
    assert raw.put(f"/v1/registries/oci/{uid}/ecr", json={**answer, "status": None}).status_code == 204
    after = clean_emulator.registry(uid)
    assert after is not None and after["spec"]["futureField"] == "set in the UI"
    assert after["spec"]["credentials"]["futureRoleSession"] == "y" and clean_emulator.unknown_fields() == []
    assert raw.put(f"/v1/registries/oci/{uid}/ecr", json=body).status_code == 204
    after = clean_emulator.registry(uid)
    assert after is not None and "futureField" not in after["spec"]
    assert "futureRoleSession" not in after["spec"]["credentials"]


def test_names_not_unique_and_put_merges(clean_emulator: Emulator, raw: httpx.Client) -> None:
    clean_emulator.set_variants(["names-not-unique", "put-merges"])
    body = basic_registry("twin", "oci.example.com")
    body["spec"]["basePath"] = "/kept"
    first = create(raw, "basic", body)
    second = create(raw, "basic", basic_registry("twin", "oci.example.com"))
    assert first != second
    assert (
        raw.put(f"/v1/registries/oci/{first}/basic", json=basic_registry("twin", "oci2.example.com")).status_code == 204
    )
    stored = clean_emulator.registry(first)
    assert (
        stored is not None
        and stored["spec"]["basePath"] == "/kept"
        and stored["spec"]["endpoint"] == "oci2.example.com"
    )


def test_put_replaces_by_default(clean_emulator: Emulator, palette: httpx.Client) -> None:
    body = basic_registry("ui-made", "oci.example.com")
    body["spec"]["basePath"] = "/artifactory"
    uid = create(palette, "basic", body)
    assert (
        palette.put(f"/v1/registries/oci/{uid}/basic", json=basic_registry("ui-made", "oci.example.com")).status_code
        == 204
    )
    stored = clean_emulator.registry(uid)
    assert stored is not None and "basePath" not in stored["spec"]  # what a PUT omits is not kept


def test_bad_key_403(clean_emulator: Emulator) -> None:
    clean_emulator.set_variants(["bad-key-403"])
    with clean_emulator.client(api_key="wrong", check_swagger=False) as wrong:
        answer = wrong.get("/v1/registries/oci/summary")
    assert (answer.status_code, answer.text, answer.headers["content-type"].split(";")[0]) == (
        403,
        "Forbidden",
        "text/plain",
    )
    with clean_emulator.client() as right:
        assert right.get("/v1/registries/oci/summary").status_code == 200


def test_bad_key_not_found(clean_emulator: Emulator, palette: httpx.Client) -> None:
    """Every call with an unknown key: 404 ResourceNotFound echoing the key (what SDK commit ed05432 redacts);
    the right key is served as usual, and a missing key is still 401 (there is nothing to echo)."""
    uid = create(palette, "basic", basic_registry("kept", "oci.example.com"))
    clean_emulator.set_variants(["bad-key-not-found"])
    with clean_emulator.client(api_key="wrong-key-1234") as wrong:
        for answer in (
            wrong.get("/v1/dashboard/projects/metadata"),
            wrong.get("/v1/registries/oci/summary"),
            wrong.get(f"/v1/registries/oci/{uid}/basic"),
            wrong.delete(f"/v1/registries/oci/{uid}/basic"),
        ):
            error = error_of(answer, 404)
            assert error["code"] == "ResourceNotFound" and "wrong-key-1234" in error["message"]
    with clean_emulator.client(api_key="") as missing:
        assert error_of(missing.get("/v1/registries/oci/summary"), 401)["code"] == "Unauthorized"
    assert palette.get(f"/v1/registries/oci/{uid}/basic").status_code == 200
    assert palette.get("/v1/dashboard/projects/metadata").status_code == 200
