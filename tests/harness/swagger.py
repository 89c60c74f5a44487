"""Check an HTTP answer of the Palette API against the swagger (palette_emulator/swagger.json).

    check_response(response)        # raises AssertionError naming the mismatch
    httpx.Client(event_hooks={"response": [check_response]})

For a documented path + method + status: the JSON body must follow the response schema strictly
(no property the swagger does not declare, so a misspelt camelCase name is caught), documented
headers must be present (AuditUid on creates), and a status documented without a schema (204, 202)
must have an empty body. A status the swagger does not document must be an error answer with a
v1Error body (`{"code": str, "message": str, "ref"?: str, "details"?: any}`). Paths outside
/v1/ (the emulator's admin API) are not checked.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from jsonschema import Draft4Validator

from palette_emulator.schemas import describe, swagger

V1_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "ref": {"type": "string"}, "details": {}},
    "additionalProperties": False,
}


def response_problems(method: str, path: str, status: int, headers: httpx.Headers, body: bytes) -> list[str]:
    """Every way an answer breaks the swagger; [] when it conforms (or the path is not under /v1/)."""
    if not path.startswith("/v1/"):
        return []
    spec = swagger()
    template = spec.match_path(path, method)
    if template is None:
        return [] if status in (404, 405) and _is_v1_error(body) else [f"no swagger path serves {method} {path}"]
    documented = spec.response(template, method, status)
    if not documented.documented:
        if status < 400:
            return [f"status {status} is not documented for {method} {template}"]
        return [] if _is_v1_error(body) else [f"error answer is not a v1Error: {body[:300]!r}"]
    problems = [f"header {name} missing" for name in documented.headers if name not in headers]
    if documented.schema is None:
        return problems + ([f"expected an empty body, got {body[:300]!r}"] if body else [])
    try:
        document = json.loads(body)
    except ValueError:
        return [*problems, f"body is not JSON: {body[:300]!r}"]
    validator = spec.validator(json.dumps(documented.schema), strict=True)
    return problems + [f"{template}: {p}" for e in validator.iter_errors(document) for p in describe(e)]


def _is_v1_error(body: bytes) -> bool:
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return Draft4Validator(V1_ERROR_SCHEMA).is_valid(document)


def check_response(response: httpx.Response) -> None:
    """httpx response hook: raise AssertionError when the answer does not follow the swagger."""
    response.read()
    request = response.request
    problems = response_problems(
        request.method, request.url.path, response.status_code, response.headers, response.content
    )
    if problems:
        raise AssertionError(
            f"{request.method} {request.url.path} -> {response.status_code} breaks the swagger:\n  "
            + "\n  ".join(problems)
        )
