"""The Palette swagger beside this module (swagger.json) as JSON Schema validators.

Swagger 2.0 definitions are almost JSON Schema draft 4: we drop the vendor keys (`x-*`) and the
`password` format, keep `#/definitions/...` references resolvable by putting every definition
under one root, and check `date-time` strings. The same object answers "which body does this
path take" and "which schema does this answer follow", for the emulator (request bodies) and for
the tests (every answer the emulator gives is checked against it).

`strict=True` also forbids properties the swagger does not declare (for checking the emulator's
own answers). Request bodies are checked without it: Palette's Go server decodes a body into its
models and drops fields they do not declare, so `known_only` does the same and reports what it
dropped.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker, ValidationError

SWAGGER_FILE = Path(__file__).with_name("swagger.json")
_REF_PREFIX = "#/definitions/"
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}


@dataclass(frozen=True)
class ResponseSpec:
    """What the swagger documents for one path + method + status."""

    documented: bool
    schema: dict[str, Any] | None
    headers: tuple[str, ...]


def _convert(node: Any, *, strict: bool) -> Any:
    """One swagger schema node -> JSON Schema draft 4."""
    if isinstance(node, list):
        return [_convert(item, strict=strict) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: _convert(value, strict=strict)
        for key, value in node.items()
        if not key.startswith("x-") and not (key == "format" and value == "password")
    }
    if strict and "properties" in converted and "additionalProperties" not in converted:
        converted["additionalProperties"] = False
    return converted


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _dotted(path: Iterator[Any] | Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(body)"


def _join(parent: str, child: str) -> str:
    return child if parent == "(body)" else f"{parent}.{child}"


def describe(error: ValidationError) -> list[str]:
    """Readable problems for one validation error, each naming the field: `spec.endpoint: is required`."""
    where = _dotted(error.absolute_path)
    instance, expected = error.instance, error.validator_value
    if error.validator == "required" and isinstance(instance, dict):
        return [f"{_join(where, name)}: is required" for name in expected if name not in instance]
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        return [f"{_join(where, name)}: unknown field" for name in sorted(set(instance) - known)]
    if error.validator == "type":
        return [f"{where}: must be {expected} (got {_json_type(instance)})"]
    if error.validator == "enum":
        return [f"{where}: must be one of {', '.join(map(str, expected))} (got {instance!r})"]
    return [f"{where}: {error.message}"]


def drop_nulls(value: Any) -> Any:
    """Go's JSON decoding treats `null` as absent; so do we, before validating."""
    if isinstance(value, dict):
        return {key: drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [drop_nulls(item) for item in value]
    return value


class Swagger:
    """Validators and path lookups over one swagger 2.0 document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._templates = [
            (template, re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", template) + "$"), template.count("{"))
            for template in document["paths"]
        ]
        self._format_checker = FormatChecker(formats=["date-time"])

    @functools.cache  # noqa: B019 - one Swagger per process, validators are reused for its lifetime
    def _root(self, strict: bool) -> dict[str, Any]:
        return {"definitions": _convert(self.document["definitions"], strict=strict)}

    @functools.cache  # noqa: B019
    def validator(self, schema_json: str, strict: bool = False) -> Draft4Validator:
        """A validator for a swagger schema node (passed as JSON so it can be cached)."""
        schema = {**_convert(json.loads(schema_json), strict=strict), **self._root(strict)}
        return Draft4Validator(schema, format_checker=self._format_checker)

    def known_only(
        self, definition: str, instance: Any, also_known: frozenset[str] = frozenset()
    ) -> tuple[Any, list[str]]:
        """`instance` without the properties the definition does not declare, and their dotted paths.
        Properties named in `also_known` are kept as they are, at any depth (a newer server's fields)."""
        dropped: list[str] = []
        kept = self._known(self.document["definitions"][definition], instance, "(body)", dropped, also_known)
        return kept, dropped

    def _known(
        self, schema: dict[str, Any], value: Any, where: str, dropped: list[str], also_known: frozenset[str]
    ) -> Any:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            definition = self.document["definitions"][ref.removeprefix(_REF_PREFIX)]
            return self._known(definition, value, where, dropped, also_known)
        if isinstance(value, list) and isinstance(schema.get("items"), dict):
            return [
                self._known(schema["items"], item, f"{where}[{i}]", dropped, also_known) for i, item in enumerate(value)
            ]
        if not isinstance(value, dict):
            return value
        values_schema = schema.get("additionalProperties")
        if isinstance(values_schema, dict):  # a map: any key, typed values
            return {k: self._known(values_schema, v, _join(where, k), dropped, also_known) for k, v in value.items()}
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return value
        kept = {}
        for key, item in value.items():
            if key in properties:
                kept[key] = self._known(properties[key], item, _join(where, key), dropped, also_known)
            elif key in also_known:
                kept[key] = item
            else:
                dropped.append(_join(where, key))
        return kept

    def definition_validator(self, name: str, strict: bool = False) -> Draft4Validator:
        return self.validator(json.dumps({"$ref": _REF_PREFIX + name}), strict)

    def problems(self, definition: str, instance: Any, strict: bool = False) -> list[str]:
        """Every way `instance` breaks the definition, one readable line each; [] when it conforms."""
        validator = self.definition_validator(definition, strict)
        errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
        return [problem for error in errors for problem in describe(error)]

    def match_path(self, path: str, method: str | None = None) -> str | None:
        """The path template serving `path` (literal segments win over `{params}`), or None."""
        candidates = [
            (params, template)
            for template, pattern, params in self._templates
            if pattern.match(path) and (method is None or method.lower() in self.document["paths"][template])
        ]
        return min(candidates)[1] if candidates else None

    def operation(self, template: str, method: str) -> dict[str, Any] | None:
        op = self.document["paths"].get(template, {}).get(method.lower())
        return op if isinstance(op, dict) else None

    def body_definition(self, template: str, method: str) -> str | None:
        """The definition name of the operation's body parameter, if it takes one."""
        for param in (self.operation(template, method) or {}).get("parameters", []):
            if param.get("in") == "body":
                return str(param["schema"]["$ref"]).removeprefix(_REF_PREFIX)
        return None

    def response(self, template: str, method: str, status: int) -> ResponseSpec:
        answer = (self.operation(template, method) or {}).get("responses", {}).get(str(status))
        if answer is None:
            return ResponseSpec(False, None, ())
        return ResponseSpec(True, answer.get("schema"), tuple(answer.get("headers", {})))


@functools.cache
def swagger() -> Swagger:
    """The Palette registries swagger shipped with the emulator."""
    return Swagger(json.loads(SWAGGER_FILE.read_text()))
