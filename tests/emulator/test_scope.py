"""API keys and scopes: 401, tenant/system visibility (ProjectUid ignored), and the 403 on system registries."""

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


PROJECT_HEADER = {"ProjectUid": "0123456789abcdef01234567"}


def test_a_project_header_is_served_at_tenant_level(palette: httpx.Client, clean_emulator: Emulator) -> None:
    """Registries are tenant-level: a call that carries ProjectUid (any uid) sees and makes tenant registries."""
    tenant_uid = create(palette, "basic", basic_registry("tenant-reg", "oci.example.com"))
    with clean_emulator.client(headers=PROJECT_HEADER) as from_project:
        project_made = create(from_project, "basic", basic_registry("from-project", "oci.example.com"))
        assert _names(from_project) == {"tenant-reg", "from-project"}
        assert from_project.get(f"/v1/registries/oci/{tenant_uid}/basic").json()["spec"]["scope"] == "tenant"
        taken = basic_registry("tenant-reg", "x.io")
        conflict = error_of(from_project.post("/v1/registries/oci/basic", json=taken), 409)
        assert "tenant" in conflict["message"]
    assert palette.get(f"/v1/registries/oci/{project_made}/basic").json()["spec"]["scope"] == "tenant"
    assert [r["scope"] for r in clean_emulator.registries()] == ["tenant", "tenant"]
    headers_seen = {r["project_uid"] for r in clean_emulator.requests()}
    assert headers_seen == {None, PROJECT_HEADER["ProjectUid"]}  # logged, and ignored


def _names(client: httpx.Client) -> set[str]:
    return {item["metadata"]["name"] for item in client.get("/v1/registries/oci/summary").json()["items"]}


def test_scopes_and_visibility(palette: httpx.Client, palette_system: httpx.Client) -> None:
    tenant_uid = create(palette, "basic", basic_registry("tenant-reg", "oci.example.com"))
    system_uid = create(palette_system, "basic", basic_registry("system-reg", "oci.example.com"))

    assert _names(palette) == {"tenant-reg", "system-reg"}
    assert _names(palette_system) == {"system-reg"}
    for client, uid, scope in [(palette, tenant_uid, "tenant"), (palette_system, system_uid, "system")]:
        assert client.get(f"/v1/registries/oci/{uid}/basic").json()["spec"]["scope"] == scope
        assert client.get(f"/v1/registries/oci/{uid}").json()["scope"] == scope


def test_tenant_key_may_use_but_not_change_system_registries(
    palette: httpx.Client, palette_system: httpx.Client, clean_emulator: Emulator
) -> None:
    body = basic_registry("shared", "oci.example.com", base_content_path="charts", sync=True)
    uid = create(palette_system, "basic", body)
    for client in (palette, clean_emulator.client(headers=PROJECT_HEADER)):
        assert client.get(f"/v1/registries/oci/{uid}/basic").status_code == 200
        assert client.get(f"/v1/registries/oci/{uid}/basic/sync/status").status_code == 200
        for method, path in [
            ("PUT", f"/v1/registries/oci/{uid}/basic"),
            ("DELETE", f"/v1/registries/oci/{uid}/basic"),
            ("POST", f"/v1/registries/oci/{uid}/basic/sync"),
            ("DELETE", f"/v1/registries/{uid}"),
        ]:
            error = error_of(client.request(method, path, json=body if method == "PUT" else None), 403)
            assert error["code"] == "Forbidden" and "system" in error["message"]
    assert palette_system.put(f"/v1/registries/oci/{uid}/basic", json=body).status_code == 204
    assert palette_system.delete(f"/v1/registries/oci/{uid}/basic").status_code == 204


def test_system_scope_does_not_see_tenant_registries(palette: httpx.Client, palette_system: httpx.Client) -> None:
    uid = create(palette, "basic", basic_registry("tenant-reg", "oci.example.com"))
    assert error_of(palette_system.get(f"/v1/registries/oci/{uid}/basic"), 404)["code"] == "ResourceNotFound"


PROJECTS = "/v1/dashboard/projects/metadata"


def test_projects_metadata_proves_a_key(
    palette: httpx.Client, palette_system: httpx.Client, clean_emulator: Emulator
) -> None:
    """The call Spectro's SDK makes to prove an API key: 200 with v1ProjectsMetadata (the swagger check of
    `clean_emulator.client()` holds the body to its definition), 401 for a wrong key."""
    [project] = palette.get(PROJECTS).json()["items"]
    assert project["metadata"]["name"] == "Default" and len(project["metadata"]["uid"]) == 24
    assert palette.get(PROJECTS, params={"name": "Default"}).json()["items"] == [project]
    assert palette.get(PROJECTS, params={"name": "other"}).json() == {"items": []}
    assert palette_system.get(PROJECTS).json() == {"items": []}  # the system console has no projects
    with clean_emulator.client(api_key="not-a-key") as wrong:
        assert error_of(wrong.get(PROJECTS), 401)["code"] == "Unauthorized"
