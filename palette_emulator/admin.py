"""The test-only admin API under /emulator/ (no API key; never faulted, logged or counted).

GET    /emulator/health                 200 {"status": "ok"}
POST   /emulator/faults                 {"rules": [...]} -> 201 {"rules": all active rules, with ids}
GET    /emulator/faults                 {"rules": [...]} (each with how often it "fired")
DELETE /emulator/faults                 204, removes every rule
GET    /emulator/requests               {"items": [{method, path, query, route, status, duration_ms, fault,
                                        project_uid}]} (query: the raw query string, e.g. "forceSync=true";
                                        project_uid: the ProjectUid header a call carried, which is ignored)
GET    /emulator/unknown-fields         {"items": ["POST /v1/...: spec.field", ...]} body fields dropped as unknown
GET    /emulator/variants               {"active": [...], "known": {name: description}}
PUT    /emulator/variants               {"active": [...]} -> 200 the same as GET (variants.py)
PUT    /emulator/clock                  {"behind": seconds} -> 200 the same: records are stamped (creationTimestamp,
                                        lastModifiedTimestamp) by a clock that many seconds behind the Date
                                        header's (negative: ahead), as when another server behind Palette's
                                        load balancer stored them; reset sets 0
GET    /emulator/counters               {"total", "writes", "by_route": {"GET /v1/...": n}}
POST   /emulator/reset                  204: registries, request log, counters, faults, unknown fields cleared,
                                        the clock set right
                                        (variants stay: set them with PUT /emulator/variants)
POST   /emulator/registries             seed {"family", "registry", "scope", "legacy"} -> 201 {"uid"}
                                        ("registry" is the body Palette's create takes: v1BasicOciRegistry
                                        or v1EcrRegistry, checked against the swagger like a create)
GET    /emulator/registries             {"items": [...]} everything as stored, secrets in clear (each
                                        item's "family"; "kind", the same value, for one more version)
PATCH  /emulator/registries/{uid}       merge a partial spec (null removes a key) -> 200 the item; the body
                                        is the spec's fields, or {"spec": {...}} (unwrapped); the result must
                                        still be a valid spec of the registry's family (400 naming the field)
PUT    /emulator/registries/{uid}/family  {"family", "spec"}: the registry moves to the other family, same uid
PUT    /emulator/registries/{uid}/sync  {"status", "message"}: the latest sync ends so, at once
DELETE /emulator/registries/{uid}       204 (404 when absent)

A registry's family is "basic" or "ecr" (which of Palette's two APIs holds it). This API called it
"kind" before, a word that names helm|zarf|pack everywhere else: "kind" in a seed or a family
change, and PUT .../{uid}/kind, are still accepted for one version, answered with a `Warning: 299`
header and logged at WARNING (KIND_IS_FAMILY).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import views
from .api_error import bad_request, not_found
from .constraints import SPEC_DEFINITIONS
from .handlers import Call, EmulatorState, endpoint, no_content
from .schemas import drop_nulls, swagger
from .service import _merge
from .store import FAMILIES, Family, Registry, Scope
from .variants import VARIANTS
from .variants import parse as parse_variants

log = logging.getLogger("palette_emulator")

SEED_FIELDS = {"family", "kind", "registry", "scope", "legacy"}
KIND_IS_FAMILY = (
    '"kind" (the family) is deprecated in the emulator\'s admin API and goes in the next version: '
    'send "family" ("basic" or "ecr") and PUT /emulator/registries/{uid}/family'
)


def family_field(body: dict[str, Any]) -> tuple[Family, bool]:
    """The family a seed or family change names, and whether it was named by the deprecated `kind`."""
    if "family" in body and "kind" in body and body["family"] != body["kind"]:
        raise bad_request(
            'family: given twice, differently (as "family" and as "kind"); send "family" alone', code="InvalidRequest"
        )
    value = body.get("family", body.get("kind"))
    if value not in FAMILIES:
        raise bad_request('family: must be "basic" or "ecr"', code="InvalidRequest")
    family: Family = value
    return family, "family" not in body


def deprecated(response: Response, what: str) -> Response:
    """`response` with the deprecation of `kind` said where a client sees it (a Warning header) and in the log."""
    log.warning("%s: %s", what, KIND_IS_FAMILY)
    response.headers["Warning"] = f'299 palette-emulator "{KIND_IS_FAMILY}"'
    return response


class AdminApi:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/emulator/health", endpoint(self.health), methods=["GET"]),
            Route("/emulator/faults", endpoint(self.add_faults), methods=["POST"]),
            Route("/emulator/faults", endpoint(self.list_faults), methods=["GET"]),
            Route("/emulator/faults", endpoint(self.clear_faults), methods=["DELETE"]),
            Route("/emulator/requests", endpoint(self.requests), methods=["GET"]),
            Route("/emulator/unknown-fields", endpoint(self.unknown_fields), methods=["GET"]),
            Route("/emulator/variants", endpoint(self.variants), methods=["GET"]),
            Route("/emulator/variants", endpoint(self.set_variants), methods=["PUT"]),
            Route("/emulator/clock", endpoint(self.set_clock), methods=["PUT"]),
            Route("/emulator/counters", endpoint(self.counters), methods=["GET"]),
            Route("/emulator/reset", endpoint(self.reset), methods=["POST"]),
            Route("/emulator/registries", endpoint(self.seed), methods=["POST"]),
            Route("/emulator/registries", endpoint(self.dump), methods=["GET"]),
            Route("/emulator/registries/{uid}", endpoint(self.patch), methods=["PATCH"]),
            Route("/emulator/registries/{uid}", endpoint(self.delete), methods=["DELETE"]),
            Route("/emulator/registries/{uid}/family", endpoint(self.change_family), methods=["PUT"]),
            Route("/emulator/registries/{uid}/kind", endpoint(self.change_family_by_kind), methods=["PUT"]),
            Route("/emulator/registries/{uid}/sync", endpoint(self.end_sync), methods=["PUT"]),
        ]

    def health(self, call: Call) -> Response:
        return JSONResponse({"status": "ok"})

    def add_faults(self, call: Call) -> Response:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("rules"), list):
            raise bad_request('body must be {"rules": [...]}', code="InvalidRequest")
        try:
            rules = self.state.faults.add(body["rules"])
        except ValueError as exc:
            raise bad_request(f"fault rule: {exc}", code="InvalidRequest") from None
        return JSONResponse({"rules": [rule.public() for rule in rules]}, status_code=201)

    def list_faults(self, call: Call) -> Response:
        return JSONResponse({"rules": [rule.public() for rule in self.state.faults.rules()]})

    def clear_faults(self, call: Call) -> Response:
        self.state.faults.clear()
        return no_content()

    def requests(self, call: Call) -> Response:
        return JSONResponse({"items": self.state.requests.items()})

    def unknown_fields(self, call: Call) -> Response:
        return JSONResponse({"items": self.state.registries.unknown_fields()})

    def variants(self, call: Call) -> Response:
        return JSONResponse({"active": sorted(self.state.registries.variants), "known": VARIANTS})

    def set_variants(self, call: Call) -> Response:
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("active"), list):
            raise bad_request('body must be {"active": [variant, ...]}', code="InvalidRequest")
        try:
            self.state.registries.variants = parse_variants(str(name) for name in body["active"])
        except ValueError as exc:
            raise bad_request(f"active: {exc}", code="InvalidRequest") from None
        return self.variants(call)

    def set_clock(self, call: Call) -> Response:
        body = call.json()
        behind = body.get("behind") if isinstance(body, dict) else None
        if isinstance(behind, bool) or not isinstance(behind, int | float) or not abs(behind) <= 86400:
            raise bad_request('body must be {"behind": seconds}, at most a day either way', code="InvalidRequest")
        self.state.registries.clock_behind = float(behind)
        return JSONResponse({"behind": self.state.registries.clock_behind})

    def counters(self, call: Call) -> Response:
        return JSONResponse(self.state.requests.counters())

    def reset(self, call: Call) -> Response:
        self.state.store.delete_all()
        self.state.requests.clear()
        self.state.faults.clear()
        self.state.registries.forget_unknown_fields()
        self.state.registries.clock_behind = 0.0
        return no_content()

    def seed(self, call: Call) -> Response:
        body = call.json()
        if not isinstance(body, dict):
            raise bad_request('body must be {"family", "registry", "scope", "legacy"}', "InvalidRequest")
        if set(body) - SEED_FIELDS:
            raise bad_request(f"unknown field(s): {', '.join(sorted(set(body) - SEED_FIELDS))}", "InvalidRequest")
        family, by_kind = family_field(body)
        if not isinstance(body.get("registry"), dict):
            raise bad_request(
                "registry: must be an object, the body of Palette's create: "
                '{"metadata": {"name": ...}, "spec": {...}}',
                code="InvalidRequest",
            )
        if not isinstance(body.get("legacy", False), bool):
            raise bad_request("legacy: must be true or false", code="InvalidRequest")
        scope: Scope = body.get("scope", "tenant")
        if scope not in ("system", "tenant"):
            raise bad_request("scope: must be system or tenant (registries are tenant-level)", code="InvalidRequest")
        reg = self.state.registries.create(family, body.get("registry"), scope=scope, legacy=bool(body.get("legacy")))
        answer = JSONResponse({"uid": reg.uid}, status_code=201)
        return deprecated(answer, 'POST /emulator/registries with "kind"') if by_kind else answer

    def dump(self, call: Call) -> Response:
        registries = self.state.registries
        items = [views.dump_item(reg, registries.status(reg)) for reg in self.state.store.all()]
        return JSONResponse({"items": items})

    def patch(self, call: Call) -> Response:
        reg = self._stored(call.params["uid"])
        try:
            change = json.loads(call.body or b"null")  # nulls kept: they remove keys
        except ValueError as exc:
            raise bad_request(f"request body is not valid JSON: {exc}", code="InvalidRequest") from None
        change = _partial_spec(change)
        merged = _merge(reg.spec, change)  # what patch_out_of_band will store
        problems = swagger().problems(
            SPEC_DEFINITIONS[reg.family], views.without_newer_fields(drop_nulls(merged)), strict=True
        )
        if problems:
            raise bad_request("; ".join(f"spec.{p}" for p in problems), code="InvalidRequest")
        self.state.registries.patch_out_of_band(reg, change)
        return JSONResponse(views.dump_item(reg, self.state.registries.status(reg)))

    def change_family(self, call: Call) -> Response:
        """Out-of-band family change (basic <-> ecr) keeping the uid, to test a client that finds its
        registry under the other family's path."""
        reg = self._stored(call.params["uid"])
        body = call.json()
        if not isinstance(body, dict) or not isinstance(body.get("spec"), dict):
            raise bad_request('body must be {"family": "basic" or "ecr", "spec": {...}}', code="InvalidRequest")
        family, by_kind = family_field(body)
        self.state.registries.change_family_out_of_band(reg, family, body["spec"])
        answer = JSONResponse(views.dump_item(reg, self.state.registries.status(reg)))
        return deprecated(answer, 'PUT /emulator/registries/{uid}/family with "kind"') if by_kind else answer

    def change_family_by_kind(self, call: Call) -> Response:
        """The family change at its old path (deprecated with the word)."""
        answer = self.change_family(call)
        return answer if "Warning" in answer.headers else deprecated(answer, "PUT /emulator/registries/{uid}/kind")

    def end_sync(self, call: Call) -> Response:
        """The latest sync run ends now with `status` ("Success" or "Failed") and `message`."""
        reg = self._stored(call.params["uid"])
        body = call.json()
        if not isinstance(body, dict) or body.get("status") not in ("Success", "Failed"):
            raise bad_request('body must be {"status": "Success" or "Failed", "message": "..."}', "InvalidRequest")
        message = body.get("message") or ""
        if not isinstance(message, str):
            raise bad_request("message: must be a string", code="InvalidRequest")
        self.state.registries.end_sync_out_of_band(reg, body["status"], message)
        return JSONResponse(views.dump_item(reg, self.state.registries.status(reg)))

    def delete(self, call: Call) -> Response:
        self.state.registries.delete(self._stored(call.params["uid"]))
        return no_content()

    def _stored(self, uid: str) -> Registry:
        reg = self.state.store.get(uid)
        if reg is None:
            raise not_found(f"registry '{uid}' not found")
        return reg


def _partial_spec(change: Any) -> dict[str, Any]:
    """The PATCH body as a partial spec: the spec's own fields, or the same wrapped as {"spec": {...}}
    (as seeding and Palette's bodies wrap it), unwrapped; never stored nested."""
    if not isinstance(change, dict):
        raise bad_request(
            'body must be a (partial) spec object, e.g. {"endpoint": "https://other.example.com"}',
            code="InvalidRequest",
        )
    if "spec" in change:
        if set(change) != {"spec"} or not isinstance(change["spec"], dict):
            raise bad_request(
                'spec: give either the spec\'s fields or {"spec": {...}} alone (metadata cannot be patched)',
                code="InvalidRequest",
            )
        return dict(change["spec"])
    if "metadata" in change:
        raise bad_request("metadata: cannot be patched; only the spec can", code="InvalidRequest")
    return change


def admin_routes(state: EmulatorState) -> list[BaseRoute]:
    return AdminApi(state).routes()
