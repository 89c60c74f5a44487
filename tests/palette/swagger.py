"""The swagger's definitions as JSON Schema validators, to prove request bodies match Palette's API."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

# The emulator ships the same file as shared/palette-api/registries-swagger.json.
SWAGGER = Path(__file__).resolve().parents[2] / "provider" / "emulator" / "swagger.json"


@cache
def _definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads(SWAGGER.read_text())["definitions"]
    return definitions


def swagger_errors(definition: str, body: Any) -> list[str]:
    """Every way `body` violates `#/definitions/<definition>` (swagger 2.0 schemas are draft 4)."""
    schema = {"$ref": f"#/definitions/{definition}", "definitions": _definitions()}
    validator = jsonschema.Draft4Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(body)]


def unknown_fields(definition: str, body: Any) -> list[str]:
    """Fields in `body` that `#/definitions/<definition>` does not declare (JSON Schema lets them
    pass, Palette would silently drop them: a misspelt alias)."""
    return _unknown(_definitions()[definition], body, definition)


def _unknown(schema: dict[str, Any], body: Any, where: str) -> list[str]:
    if "$ref" in schema:
        return _unknown(_definitions()[schema["$ref"].rsplit("/", 1)[1]], body, where)
    if isinstance(body, list) and "items" in schema:
        return [f for item in body for f in _unknown(schema["items"], item, f"{where}[]")]
    if not isinstance(body, dict) or "properties" not in schema:
        return []
    found = []
    for key, value in body.items():
        if key not in schema["properties"]:
            found.append(f"{where}.{key}")
        else:
            found.extend(_unknown(schema["properties"][key], value, f"{where}.{key}"))
    return found
