"""The Starlette application: the Palette registries API under /v1/, the admin API under /emulator/.

Handlers are thin and synchronous (Starlette runs them in its thread pool): read the request,
ask `service.Registries`, shape the answer with `views`. Every failure is an ApiError, answered
as a v1Error JSON body by one exception handler.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from functools import partial

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Scope

from . import views
from .admin import admin_routes
from .api_error import ApiError, bad_request
from .auth import Caller, identify
from .config import EmulatorConfig
from .faults import FaultBook, FaultMiddleware, RequestLog
from .handlers import Call, EmulatorState, audited, endpoint, no_content
from .service import Registries
from .store import FAMILIES, Family, Store, new_uid

log = logging.getLogger("palette_emulator")

METADATA_SCOPES = {"system": {"system"}, "tenant": {"tenant"}, "all": {"system", "tenant"}}


class PaletteApi:
    """The /v1/ routes: registries (basic and ECR share every handler), and the projects' metadata
    that proves an API key."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.registries = state.registries

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/v1/dashboard/projects/metadata", endpoint(self.projects), methods=["GET"]),
            Route("/v1/registries/metadata", endpoint(self.metadata), methods=["GET"]),
            Route("/v1/registries/oci/summary", endpoint(self.summary), methods=["GET"]),
        ]
        for family in FAMILIES:
            base, one = f"/v1/registries/oci/{family}", f"/v1/registries/oci/{{uid}}/{family}"
            routes += [
                Route(base, endpoint(partial(self.create, family)), methods=["POST"]),
                Route(f"{base}/validate", endpoint(partial(self.validate, family)), methods=["POST"]),
                Route(one, endpoint(partial(self.get, family)), methods=["GET"]),
                Route(one, endpoint(partial(self.update, family)), methods=["PUT"]),
                Route(one, endpoint(partial(self.delete, family)), methods=["DELETE"]),
                Route(f"{one}/sync", endpoint(partial(self.sync, family)), methods=["POST"]),
                Route(f"{one}/sync/status", endpoint(partial(self.sync_status, family)), methods=["GET"]),
            ]
        routes += [
            Route("/v1/registries/oci/{uid}", endpoint(self.entity), methods=["GET"]),
            Route("/v1/registries/{uid}", endpoint(partial(self.delete, None)), methods=["DELETE"]),
        ]
        return routes

    def _caller(self, call: Call) -> Caller:
        return identify(call.headers, self.state.config, self.registries.variants)

    def projects(self, call: Call) -> Response:
        """The call Spectro's SDK makes first to prove an API key (`client.Validate`)."""
        caller = self._caller(call)
        return JSONResponse(views.projects_metadata(caller.system, call.query.get("name")))

    def metadata(self, call: Call) -> Response:
        caller = self._caller(call)
        scope = call.query.get("scope", "all")
        if scope not in METADATA_SCOPES:
            raise bad_request(f"scope: must be one of system, tenant, all (got '{scope}')", code="InvalidRequest")
        regs = [reg for reg in self.registries.visible(caller) if reg.scope in METADATA_SCOPES[scope]]
        return JSONResponse({"items": [views.metadata_item(reg) for reg in regs]})

    def summary(self, call: Call) -> Response:
        return Response(self.registries.summary_json(self._caller(call)), media_type="application/json")

    def entity(self, call: Call) -> Response:
        caller = self._caller(call)
        if "oci-by-uid-absent" in self.registries.variants:
            # As an unknown path answers (row 4): no Spectro code calls this path, so it may not be served.
            raise ApiError(404, "NotFound", f"GET /v1/registries/oci/{call.params['uid']}: Not Found")
        reg = self.registries.find(caller, call.params["uid"])
        return JSONResponse(views.entity_view(reg, self.registries.variants))

    def create(self, family: Family, call: Call) -> Response:
        caller = self._caller(call)
        reg = self.registries.create(family, call.json(), scope=caller.scope)
        return audited(201, {"uid": reg.uid})

    def validate(self, family: Family, call: Call) -> Response:
        self._caller(call)
        self.registries.validate(family, call.json())
        return audited(204)

    def get(self, family: Family, call: Call) -> Response:
        reg = self.registries.find(self._caller(call), call.params["uid"], family)
        return JSONResponse(views.registry_view(reg, self.registries.status(reg), self.registries.variants))

    def update(self, family: Family, call: Call) -> Response:
        reg = self.registries.find_changeable(self._caller(call), call.params["uid"], family)
        self.registries.update(reg, call.json())
        return no_content()

    def delete(self, family: Family | None, call: Call) -> Response:
        reg = self.registries.find_changeable(self._caller(call), call.params["uid"], family)
        self.registries.delete(reg)
        return no_content()

    def sync(self, family: Family, call: Call) -> Response:
        reg = self.registries.find_changeable(self._caller(call), call.params["uid"], family)
        self.registries.resync(reg)
        return audited(202)

    def sync_status(self, family: Family, call: Call) -> Response:
        reg = self.registries.find(self._caller(call), call.params["uid"], family)
        return JSONResponse(self.registries.status(reg))


# Errors: every answer that is not a success is a v1Error body.


def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.plain:
        return PlainTextResponse(exc.message, status_code=exc.status, headers=exc.headers)
    return JSONResponse(exc.body(new_uid()), status_code=exc.status, headers=exc.headers)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Not "ResourceNotFound": an unknown path is a client bug, not a missing registry.
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "BadRequest")
    message = f"{request.method} {request.url.path}: {exc.detail}"
    return _api_error(request, ApiError(exc.status_code, code, message, dict(exc.headers or {})))


def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _api_error(request, ApiError(500, "InternalError", "internal error in the emulator; see its log"))


def _route_finder(routes: list[BaseRoute]) -> Callable[[Scope], str]:
    """The route template a request matches (for the request log), or its raw path."""

    def route_of(scope: Scope) -> str:
        partial_match = None
        for route in routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return str(getattr(route, "path", scope["path"]))
            if match is Match.PARTIAL and partial_match is None:
                partial_match = str(getattr(route, "path", scope["path"]))
        return partial_match or str(scope["path"])

    return route_of


def create_app(config: EmulatorConfig) -> tuple[ASGIApp, EmulatorState]:
    """The emulator as an ASGI app (serve it with faults.DropCapableH11Protocol) and its state."""
    store = Store(config.db)
    state = EmulatorState(config, store, Registries(store, config), FaultBook(), RequestLog())
    state.registries.sync.resume_unfinished()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.registries.close()
        store.close()

    api_routes = PaletteApi(state).routes()
    starlette = Starlette(
        routes=[*api_routes, *admin_routes(state)],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
        lifespan=lifespan,
    )
    return FaultMiddleware(starlette, state.faults, state.requests, _route_finder(api_routes)), state
