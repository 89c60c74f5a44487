"""Palette's constraints on registry bodies, beyond what the swagger says: pure functions raising 400s.

The support matrix (the product page's, FIDELITY.md rows 19-21): Zarf registries take basic auth only
and never synchronise; Pack registries always synchronise; Helm registries synchronise on request, except those created
before Palette 4.5.0 ("legacy", not sync-capable): they accept the request and go on not
synchronising until re-registered. Once on, synchronisation cannot be turned off, and it needs a
base content path.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .api_error import bad_request
from .schemas import drop_nulls, swagger
from .store import Family, Registry

BODY_DEFINITIONS: dict[Family, str] = {"basic": "v1BasicOciRegistry", "ecr": "v1EcrRegistry"}
SPEC_DEFINITIONS: dict[Family, str] = {"basic": "v1BasicOciRegistrySpec", "ecr": "v1EcrRegistrySpec"}
FAMILY_LABELS: dict[Family, str] = {"basic": "a basic", "ecr": "an AWS ECR"}

ZARF_NO_SYNC = "Automatic synchronization is not supported for Zarf registries"
ZARF_NO_ECR = "AWS ECR is not supported for Zarf registries; register it with basic authentication"


def parse_json(raw: bytes) -> Any:
    try:
        return drop_nulls(json.loads(raw or b"null"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"request body is not valid JSON: {exc}", code="InvalidRequest") from exc


def checked(
    definition: str, body: Any, unknown: list[str] | None = None, also_known: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """`body` as Palette's Go server would decode it: a 400 naming each field that breaks the swagger
    definition; fields it does not declare are dropped (and their paths added to `unknown`), except
    those named in `also_known` (a newer Palette's, variant extra-fields)."""
    if body is None:
        raise bad_request("request body is required", code="InvalidRequest")
    problems = swagger().problems(definition, body)
    if problems:
        raise bad_request("; ".join(problems), code="InvalidRequest")
    kept, dropped = swagger().known_only(definition, body, also_known)
    if unknown is not None:
        unknown.extend(dropped)
    return dict(kept)


def _require(spec: dict[str, Any], path: str, why: str = "") -> None:
    value: Any = spec
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value in (None, ""):
        raise bad_request(f"spec.{path}: is required{why}", code="InvalidRequest")


def check_connection_fields(family: Family, spec: dict[str, Any]) -> None:
    """What a registry needs before anyone can contact it (create, update and validate alike)."""
    _require(spec, "endpoint")
    if family == "basic":
        auth = spec.get("auth") or {}
        if auth.get("type") == "basic":
            _require(spec, "auth.username", " when spec.auth.type is basic")
            _require(spec, "auth.password", " when spec.auth.type is basic")
        if auth.get("type") == "token":
            _require(spec, "auth.token", " when spec.auth.type is token")
        return
    if not spec.get("isPrivate"):
        return
    _require(spec, "credentials", " for a private ECR registry")
    credentials = spec["credentials"]
    if credentials.get("credentialType", "secret") == "secret":
        _require(spec, "credentials.accessKey", " when spec.credentials.credentialType is secret")
        _require(spec, "credentials.secretKey", " when spec.credentials.credentialType is secret")
    elif credentials["credentialType"] == "sts":
        _require(spec, "credentials.sts.arn", " when spec.credentials.credentialType is sts")


def registry_spec(family: Family, body: dict[str, Any], name: str, previous: Registry | None) -> dict[str, Any]:
    """The spec to store for registry `name`: a create (`previous` None) or an update, after Palette's rules."""
    spec = copy.deepcopy(body.get("spec"))
    if not isinstance(spec, dict):
        raise bad_request("spec: is required", code="InvalidRequest")
    check_connection_fields(family, spec)
    spec.pop("scope", None)  # the server decides the scope
    provider_type = spec.setdefault("providerType", "helm")
    if provider_type == "zarf" and family == "ecr":
        raise bad_request(ZARF_NO_ECR)
    if provider_type == "pack":
        spec["isSyncSupported"] = True
    enabled = bool(spec.get("isSyncSupported"))
    spec["isSyncSupported"] = enabled
    _check_sync_rules(spec, name, previous)
    return spec


def _check_sync_rules(spec: dict[str, Any], name: str, previous: Registry | None) -> None:
    enabled = spec["isSyncSupported"]
    provider_type = spec["providerType"]
    if provider_type == "zarf" and enabled:
        raise bad_request(ZARF_NO_SYNC)
    if previous is not None and previous.syncing and not enabled:
        raise bad_request(
            f"cannot disable synchronization on registry '{name}': once enabled it stays on;"
            " delete and re-create the registry to turn it off"
        )
    # A registry created before Palette 4.5.0 (not sync-capable) takes isSyncSupported = true without
    # an error and goes on not synchronizing: status.syncStatus.isSyncSupported stays false.
    if enabled and not spec.get("baseContentPath"):
        why = "pack registries always synchronize" if provider_type == "pack" else "spec.isSyncSupported is true"
        raise bad_request(f"spec.baseContentPath: is required when synchronization is on ({why})", "InvalidRequest")


def registry_name(body: dict[str, Any], previous: Registry | None) -> str:
    """metadata.name: required on create, unchangeable afterwards (a rename is a new registry)."""
    name = str((body.get("metadata") or {}).get("name") or "").strip()
    if previous is None:
        if not name:
            raise bad_request("metadata.name: is required", code="InvalidRequest")
        return name
    if name and name != previous.name:
        raise bad_request(
            f"metadata.name: cannot be changed (registry is '{previous.name}'); create a new registry instead",
            code="InvalidRequest",
        )
    return previous.name


def sync_capable(family: Family, spec: dict[str, Any], legacy: bool) -> bool:
    """status.syncStatus.isSyncSupported: whether the registry CAN synchronise (not whether it does)."""
    if legacy:
        if spec.get("providerType", "helm") != "helm":
            raise bad_request("legacy: only Helm registries predate Palette 4.5.0", code="InvalidRequest")
        return False
    return bool(spec.get("providerType", "helm") != "zarf")
