"""Stored registries -> the JSON shapes the swagger defines, with every secret masked.

Palette never returns a stored password or secret key: GET answers carry a masked form
(`abc***xyz` for secrets of 12 characters or more, `******` for shorter ones, "" stays "").
It always returns a TLS block: `spec.auth.tls` for basic registries, `spec.tls` for ECR.
"""

from __future__ import annotations

import copy
import functools
import json
from datetime import UTC, datetime
from typing import Any

from .store import Kind, Registry

# Where secrets live in a stored spec, per kind.
SECRET_PATHS: dict[Kind, tuple[tuple[str, ...], ...]] = {
    "basic": (("auth", "password"), ("auth", "token"), ("auth", "tls", "key")),
    "ecr": (("credentials", "secretKey"), ("credentials", "secretToken"), ("tls", "key")),
}
TLS_PATHS: dict[Kind, tuple[str, ...]] = {"basic": ("auth", "tls"), "ecr": ("tls",)}
TLS_DEFAULTS = {"enabled": False, "insecureSkipVerify": False}


def to_json(document: Any) -> bytes:
    """JSON exactly as Starlette's JSONResponse renders it."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@functools.lru_cache(maxsize=65536)  # listings format the same few thousand instants over and over
def timestamp(epoch: float) -> str:
    """RFC 3339 in UTC with milliseconds, as Palette writes v1Time."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def mask(secret: str) -> str:
    if not secret:
        return ""
    return f"{secret[:3]}***{secret[-3:]}" if len(secret) >= 12 else "******"


def _parent(tree: dict[str, Any], path: tuple[str, ...], create: bool) -> dict[str, Any] | None:
    node: Any = tree
    for part in path[:-1]:
        if create and not isinstance(node.get(part), dict):
            node[part] = {}
        node = node.get(part)
        if not isinstance(node, dict):
            return None
    return node


def public_spec(reg: Registry) -> dict[str, Any]:
    """The stored spec as GET shows it: secrets masked, TLS block present, scope filled in."""
    spec = copy.deepcopy(reg.spec)
    for path in SECRET_PATHS[reg.kind]:
        parent = _parent(spec, path, create=False)
        if parent is not None and isinstance(parent.get(path[-1]), str):
            parent[path[-1]] = mask(parent[path[-1]])
    tls_path = TLS_PATHS[reg.kind]
    tls_parent = _parent(spec, tls_path, create=True)
    assert tls_parent is not None
    tls_parent[tls_path[-1]] = {**TLS_DEFAULTS, **(tls_parent.get(tls_path[-1]) or {})}
    spec.setdefault("baseContentPath", "")
    spec.setdefault("containsSpectroManifest", False)
    spec["scope"] = reg.scope
    return spec


def is_private(reg: Registry) -> bool:
    if reg.kind == "ecr":
        return bool(reg.spec.get("isPrivate"))
    auth = reg.spec.get("auth") or {}
    return auth.get("type", "basic" if auth.get("username") or auth.get("token") else "noAuth") != "noAuth"


def object_meta(reg: Registry) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": reg.name,
        "uid": reg.uid,
        "creationTimestamp": timestamp(reg.created),
        "lastModifiedTimestamp": timestamp(reg.modified),
    }
    if reg.annotations:
        meta["annotations"] = dict(reg.annotations)
    return meta


def registry_view(reg: Registry, sync_status: dict[str, Any]) -> dict[str, Any]:
    """v1BasicOciRegistry or v1EcrRegistry."""
    return {"metadata": object_meta(reg), "spec": public_spec(reg), "status": {"syncStatus": sync_status}}


def summary_item(reg: Registry, sync_status: dict[str, Any]) -> dict[str, Any]:
    """v1OciRegistry, an item of GET /v1/registries/oci/summary."""
    spec: dict[str, Any] = {
        "endpoint": reg.spec.get("endpoint", ""),
        "providerType": reg.provider_type,
        "registryType": reg.kind,
        "scope": reg.scope,
        "isPrivate": is_private(reg),
        "containsSpectroManifest": bool(reg.spec.get("containsSpectroManifest")),
    }
    if reg.kind == "ecr":
        spec["defaultRegion"] = reg.spec.get("defaultRegion", "")
    return {"metadata": object_meta(reg), "spec": spec, "status": {"sync": sync_status}}


def entity_view(reg: Registry) -> dict[str, Any]:
    """v1OciRegistryEntity, the kind-agnostic GET /v1/registries/oci/{uid}."""
    spec = public_spec(reg)
    entity: dict[str, Any] = {
        "auth": spec.get("auth") if reg.kind == "basic" else {"tls": spec["tls"]},
        "endpoint": spec.get("endpoint", ""),
        "providerType": reg.provider_type,
        "scope": reg.scope,
        "type": reg.kind,
    }
    if reg.kind == "ecr":
        entity["defaultRegion"] = spec.get("defaultRegion", "")
    return entity


def metadata_item(reg: Registry) -> dict[str, Any]:
    """v1RegistryMetadata, an item of GET /v1/registries/metadata."""
    return {
        "uid": reg.uid,
        "name": reg.name,
        "kind": "oci",
        "scope": reg.scope,
        "isPrivate": is_private(reg),
        "isDefault": False,
    }


def dump_item(reg: Registry, sync_status: dict[str, Any]) -> dict[str, Any]:
    """The test-only admin view: everything as stored, secrets in clear."""
    return {
        "uid": reg.uid,
        "name": reg.name,
        "kind": reg.kind,
        "providerType": reg.provider_type,
        "scope": reg.scope,
        "projectUid": reg.project_uid,
        "legacy": reg.provider_type == "helm" and not reg.sync_capable,
        "spec": copy.deepcopy(reg.spec),
        "annotations": dict(reg.annotations),
        "syncStatus": sync_status,
        "creationTimestamp": timestamp(reg.created),
        "lastModifiedTimestamp": timestamp(reg.modified),
    }
