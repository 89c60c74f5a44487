"""The swagger conformance check used on every emulator answer can fail, and the emulator's routes are the swagger's."""

from __future__ import annotations

import httpx
import pytest
from starlette.routing import Route

from palette_emulator.app import EmulatorState, PaletteApi
from palette_emulator.config import EmulatorConfig
from palette_emulator.schemas import swagger
from palette_emulator.service import Registries
from palette_emulator.store import Store
from tests.harness.swagger import check_response

UID = "0123456789abcdef01234567"


def _answer(
    method: str,
    path: str,
    status: int,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    request = httpx.Request(method, f"http://127.0.0.1{path}")
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def _registry(spec_extra: dict[str, object]) -> dict[str, object]:
    return {
        "metadata": {"name": "r", "uid": UID, "creationTimestamp": "2024-01-02T03:04:05.000Z"},
        "spec": {"endpoint": "e", "auth": {"type": "noAuth"}, **spec_extra},
        "status": {"syncStatus": {"isSyncSupported": True, "status": ""}},
    }


@pytest.mark.parametrize(
    "answer",
    [
        _answer("POST", "/v1/registries/oci/basic", 201, {"uid": UID}, {"AuditUid": UID}),
        _answer("GET", f"/v1/registries/oci/{UID}/basic", 200, _registry({})),
        _answer("PUT", f"/v1/registries/oci/{UID}/basic", 204),
        _answer("GET", "/v1/registries/oci/summary", 200, {"items": []}),
        _answer("GET", f"/v1/registries/oci/{UID}/ecr", 404, {"code": "ResourceNotFound", "message": "gone"}),
        _answer("GET", "/emulator/anything", 200, {"free": "form"}),
    ],
)
def test_conforming_answers_pass(answer: httpx.Response) -> None:
    check_response(answer)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (_answer("POST", "/v1/registries/oci/basic", 201, {"uid": UID}), "header AuditUid missing"),
        (_answer("POST", "/v1/registries/oci/basic", 201, {"id": UID}, {"AuditUid": UID}), "uid: is required"),
        (
            _answer("GET", f"/v1/registries/oci/{UID}/basic", 200, _registry({"isSyncSupport": True})),
            "spec.isSyncSupport: unknown field",
        ),
        (_answer("GET", f"/v1/registries/oci/{UID}/basic", 200, _registry({"isPrivate": "yes"})), "unknown field"),
        (
            _answer(
                "GET",
                f"/v1/registries/oci/{UID}/basic",
                200,
                {**_registry({}), "metadata": {"creationTimestamp": "yesterday"}},
            ),
            "date-time",
        ),
        (_answer("PUT", f"/v1/registries/oci/{UID}/basic", 204, {"unexpected": True}), "expected an empty body"),
        (_answer("PUT", f"/v1/registries/oci/{UID}/basic", 200, {}), "status 200 is not documented"),
        (_answer("GET", f"/v1/registries/oci/{UID}/basic", 404, {"error": "nope"}), "not a v1Error"),
        (
            _answer("GET", "/v1/registries/oci/summary", 200, {"items": [{"spec": {"isPrivate": "no"}}]}),
            "must be boolean",
        ),
    ],
)
def test_broken_answers_fail(answer: httpx.Response, problem: str) -> None:
    with pytest.raises(AssertionError, match=problem):
        check_response(answer)


def test_every_emulator_route_is_a_swagger_path() -> None:
    config = EmulatorConfig()
    store = Store()
    state = EmulatorState(config, store, Registries(store, config), None, None)  # type: ignore[arg-type]
    routes = [route for route in PaletteApi(state).routes() if isinstance(route, Route)]
    assert len(routes) == 19
    for route in routes:
        for method in route.methods or ():
            if method == "HEAD":
                continue
            assert swagger().operation(route.path, method) is not None, f"{method} {route.path} is not in the swagger"
    state.registries.close()
    store.close()
