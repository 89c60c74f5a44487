"""Palette's behaviour the emulator reproduces: the support matrix and the sync rules."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import create, error_of
from tests.harness.emulator import Emulator, basic_registry, ecr_registry


def test_zarf_refuses_sync(palette: httpx.Client) -> None:
    body = basic_registry("zarf", "oci.example.com", provider_type="zarf", base_content_path="pkgs", sync=True)
    error = error_of(palette.post("/v1/registries/oci/basic", json=body), 400)
    assert "Automatic synchronization is not supported for Zarf registries" in error["message"]


def test_zarf_refuses_ecr(palette: httpx.Client) -> None:
    body = ecr_registry("zarf-ecr", access_key="AKIA", secret_key="secret", provider_type="zarf")
    error = error_of(palette.post("/v1/registries/oci/ecr", json=body), 400)
    assert "AWS ECR is not supported for Zarf registries" in error["message"]


def test_zarf_capability_is_false(palette: httpx.Client) -> None:
    uid = create(palette, "basic", basic_registry("zarf", "oci.example.com", provider_type="zarf"))
    status = palette.get(f"/v1/registries/oci/{uid}/basic/sync/status").json()
    assert status == {"isSyncSupported": False, "status": ""}


def test_zarf_update_cannot_enable_sync(palette: httpx.Client) -> None:
    uid = create(palette, "basic", basic_registry("zarf", "oci.example.com", provider_type="zarf"))
    body = basic_registry("zarf", "oci.example.com", provider_type="zarf", base_content_path="p", sync=True)
    assert "Zarf" in error_of(palette.put(f"/v1/registries/oci/{uid}/basic", json=body), 400)["message"]


def test_sync_cannot_be_disabled(palette: httpx.Client) -> None:
    body = basic_registry("helm", "oci.example.com", base_content_path="charts", sync=True)
    uid = create(palette, "basic", body)
    body["spec"]["isSyncSupported"] = False
    error = error_of(palette.put(f"/v1/registries/oci/{uid}/basic", json=body), 400)
    assert "cannot disable synchronization" in error["message"]
    assert palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["isSyncSupported"] is True


def test_sync_can_be_enabled_later(palette: httpx.Client) -> None:
    uid = create(palette, "basic", basic_registry("helm", "oci.example.com", base_content_path="charts"))
    body = basic_registry("helm", "oci.example.com", base_content_path="charts", sync=True)
    assert palette.put(f"/v1/registries/oci/{uid}/basic", json=body).status_code == 204
    assert palette.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["isSyncSupported"] is True


@pytest.mark.parametrize("kind", ["basic", "ecr"])
def test_sync_needs_base_content_path(palette: httpx.Client, kind: str) -> None:
    if kind == "basic":
        body = basic_registry("helm", "oci.example.com", sync=True)
    else:
        body = ecr_registry("helm", access_key="AKIA", secret_key="secret", sync=True)
    error = error_of(palette.post(f"/v1/registries/oci/{kind}", json=body), 400)
    assert "spec.baseContentPath: is required" in error["message"]


def test_pack_always_syncs(palette: httpx.Client) -> None:
    body = basic_registry("packs", "oci.example.com", provider_type="pack", base_content_path="packs", sync=False)
    uid = create(palette, "basic", body)
    got = palette.get(f"/v1/registries/oci/{uid}/basic").json()
    assert got["spec"]["isSyncSupported"] is True
    assert got["status"]["syncStatus"]["status"] in ("InProgress", "Completed", "Failed")


def test_pack_needs_base_content_path(palette: httpx.Client) -> None:
    body = basic_registry("packs", "oci.example.com", provider_type="pack")
    error = error_of(palette.post("/v1/registries/oci/basic", json=body), 400)
    assert "spec.baseContentPath: is required" in error["message"] and "pack" in error["message"]


def test_legacy_helm_registry_takes_sync_but_does_not_synchronize(
    palette: httpx.Client, clean_emulator: Emulator
) -> None:
    """A registry created before Palette 4.5.0 accepts isSyncSupported = true and goes on reporting that it
    does not synchronize (status.syncStatus.isSyncSupported false), until it is re-registered."""
    body = basic_registry("old-charts", "oci.example.com", base_content_path="charts")
    uid = clean_emulator.seed("basic", body, legacy=True)
    got = palette.get(f"/v1/registries/oci/{uid}/basic").json()
    assert got["status"]["syncStatus"]["isSyncSupported"] is False
    body["spec"]["isSyncSupported"] = True
    assert palette.put(f"/v1/registries/oci/{uid}/basic", json=body).status_code == 204
    got = palette.get(f"/v1/registries/oci/{uid}/basic").json()
    assert got["spec"]["isSyncSupported"] is True
    assert got["status"]["syncStatus"] == {"isSyncSupported": False, "status": ""}
    assert palette.post(f"/v1/registries/oci/{uid}/basic/sync").status_code == 202  # a manual sync, as documented
    body["spec"]["isSyncSupported"] = False
    body["spec"]["endpoint"] = "oci2.example.com"
    assert palette.put(f"/v1/registries/oci/{uid}/basic", json=body).status_code == 204  # other updates work


def test_status_reports_whether_a_registry_synchronizes(palette: httpx.Client) -> None:
    """status.syncStatus.isSyncSupported is the sync on/off setting, as Spectro Cloud's provider reads it."""
    helm = create(palette, "basic", basic_registry("helm", "oci.example.com"))
    syncing = create(palette, "basic", basic_registry("syncing", "oci.example.com", base_content_path="c", sync=True))
    ecr = create(palette, "ecr", ecr_registry("ecr", access_key="AKIA", secret_key="secret"))
    assert palette.get(f"/v1/registries/oci/{helm}/basic/sync/status").json()["isSyncSupported"] is False
    assert palette.get(f"/v1/registries/oci/{syncing}/basic/sync/status").json()["isSyncSupported"] is True
    assert palette.get(f"/v1/registries/oci/{ecr}/ecr/sync/status").json()["isSyncSupported"] is False


def test_a_manual_sync_of_a_registry_without_automatic_sync_is_accepted(
    palette: httpx.Client, clean_emulator: Emulator
) -> None:
    """The docs: with synchronization disabled "you must manually synchronize"; the product page rules out only
    automatic sync for Zarf. The status goes on reporting sync off. Variant manual-sync-refused: 400."""
    helm = create(palette, "basic", basic_registry("helm", "oci.example.com"))
    zarf = create(palette, "basic", basic_registry("zarf", "oci.example.com", provider_type="zarf"))
    for uid in (helm, zarf):
        assert palette.post(f"/v1/registries/oci/{uid}/basic/sync", params={"forceSync": "true"}).status_code == 202
        status = palette.get(f"/v1/registries/oci/{uid}/basic/sync/status").json()
        assert status == {"isSyncSupported": False, "status": ""}
    clean_emulator.set_variants(["manual-sync-refused"])
    try:
        for uid in (helm, zarf):
            error = error_of(palette.post(f"/v1/registries/oci/{uid}/basic/sync"), 400)
            assert "not enabled" in error["message"]
    finally:
        clean_emulator.set_variants([])
