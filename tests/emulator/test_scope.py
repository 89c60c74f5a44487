"""API keys and scopes: 401, system/tenant/project visibility, and the 403 on system registries."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import create, error_of
from tests.harness.emulator import Emulator, basic_registry


@pytest.mark.parametrize("api_key", [None, "not-a-key", ""])
def test_missing_or_wrong_api_key(clean_emulator: Emulator, api_key: str | None) -> None:
    with clean_emulator.client(api_key=api_key or "") as client:
        if api_key is None:
            del client.headers["ApiKey"]
        error = error_of(client.get("/v1/registries/oci/summary"), 401)
        assert error["code"] == "Unauthorized"
        assert error_of(client.post("/v1/registries/oci/basic", json={}), 401)["code"] == "Unauthorized"
        assert "not-a-key" not in error["message"]


def test_unknown_project_uid(clean_emulator: Emulator) -> None:
    with clean_emulator.client(project_uid="0123456789abcdef01234567") as client:
        error = error_of(client.get("/v1/registries/oci/summary"), 400)
        assert "ProjectUid" in error["message"] and error["code"] != "ResourceNotFound"


def _names(client: httpx.Client) -> set[str]:
    return {item["metadata"]["name"] for item in client.get("/v1/registries/oci/summary").json()["items"]}


def test_scopes_and_visibility(
    palette: httpx.Client, palette_project: httpx.Client, palette_system: httpx.Client, clean_emulator: Emulator
) -> None:
    tenant_uid = create(palette, "basic", basic_registry("tenant-reg", "oci.example.com"))
    project_uid = create(palette_project, "basic", basic_registry("project-reg", "oci.example.com"))
    system_uid = create(palette_system, "basic", basic_registry("system-reg", "oci.example.com"))
    with clean_emulator.client(project="Default") as default_project:
        create(default_project, "basic", basic_registry("default-project-reg", "oci.example.com"))
        assert _names(default_project) == {"default-project-reg", "tenant-reg", "system-reg"}

    assert _names(palette_project) == {"project-reg", "tenant-reg", "system-reg"}
    assert _names(palette) == {"tenant-reg", "system-reg"}
    assert _names(palette_system) == {"system-reg"}

    for client, uid, scope in [(palette, tenant_uid, "tenant"), (palette_project, project_uid, "project"),
                               (palette_system, system_uid, "system")]:
        assert client.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["scope"] == scope
        assert client.get(f"/v1/registries/oci/{uid}").json()["scope"] == scope
    assert error_of(palette.get(f"/v1/registries/oci/{project_uid}/basic"), 404)["code"] == "ResourceNotFound"
    stored = clean_emulator.registry(project_uid)
    assert stored is not None and stored["projectUid"] == clean_emulator.project_uid("Team-A")


def test_tenant_key_may_use_but_not_change_system_registries(
    palette: httpx.Client, palette_project: httpx.Client, palette_system: httpx.Client
) -> None:
    body = basic_registry("shared", "oci.example.com", base_content_path="charts", sync=True)
    uid = create(palette_system, "basic", body)
    for client in (palette, palette_project):
        assert client.get(f"/v1/registries/oci/{uid}/basic").status_code == 200
        assert client.get(f"/v1/registries/oci/{uid}/basic/sync/status").status_code == 200
        for method, path in [("PUT", f"/v1/registries/oci/{uid}/basic"), ("DELETE", f"/v1/registries/oci/{uid}/basic"),
                             ("POST", f"/v1/registries/oci/{uid}/basic/sync"), ("DELETE", f"/v1/registries/{uid}")]:
            error = error_of(client.request(method, path, json=body if method == "PUT" else None), 403)
            assert error["code"] == "Forbidden" and "system" in error["message"]
    assert palette_system.put(f"/v1/registries/oci/{uid}/basic", json=body).status_code == 204
    assert palette_system.delete(f"/v1/registries/oci/{uid}/basic").status_code == 204


def test_project_key_may_change_tenant_registries(palette: httpx.Client, palette_project: httpx.Client) -> None:
    uid = create(palette, "basic", basic_registry("tenant-reg", "oci.example.com"))
    changed = basic_registry("tenant-reg", "oci2.example.com")
    assert palette_project.put(f"/v1/registries/oci/{uid}/basic", json=changed).status_code == 204


def test_system_scope_does_not_see_tenant_registries(palette: httpx.Client, palette_system: httpx.Client) -> None:
    uid = create(palette, "basic", basic_registry("tenant-reg", "oci.example.com"))
    assert error_of(palette_system.get(f"/v1/registries/oci/{uid}/basic"), 404)["code"] == "ResourceNotFound"
