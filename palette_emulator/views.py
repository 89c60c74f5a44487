"""Stored registries -> the JSON shapes the swagger defines, with every secret masked.

Palette never returns a stored password or secret key: GET answers carry a masked form
(`abc***xyz` for secrets of 12 characters or more, `******` for shorter ones, "" stays "").
It returns a TLS block: `spec.auth.tls` for basic registries, `spec.tls` for ECR.
Each function takes the active variants (variants.py): where the evidence leaves Palette's
answer open, a variant gives the other plausible shape.
"""

from __future__ import annotations

import copy
import functools
import json
from datetime import UTC, datetime
from typing import Any

from .store import Family, Registry

# Where secrets live in a stored spec, per family.
SECRET_PATHS: dict[Family, tuple[tuple[str, ...], ...]] = {
    "basic": (("auth", "password"), ("auth", "token"), ("auth", "tls", "key")),
    "ecr": (("credentials", "secretKey"), ("credentials", "secretToken"), ("tls", "key")),
}
TLS_PATHS: dict[Family, tuple[str, ...]] = {"basic": ("auth", "tls"), "ecr": ("tls",)}
TLS_DEFAULTS = {"enabled": False, "insecureSkipVerify": False}


def to_json(document: Any) -> bytes:
    """JSON exactly as Starlette's JSONResponse renders it."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@functools.lru_cache(maxsize=65536)  # listings format the same few thousand instants over and over
def timestamp(epoch: float) -> str:
    """RFC 3339 in UTC with milliseconds, as Palette writes v1Time."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


NO_VARIANTS: frozenset[str] = frozenset()
# "extra-fields" plays a newer Palette, with fields the 4.8 swagger does not define, of several JSON
# types. Answers carry EXTRA_FIELDS at their top level (read-only, like `status`). A registry's spec
# stores NEWER_SPEC_FIELDS: filled in at create when the body leaves them out (as Palette fills any
# field), answered like every stored field, kept by a PUT that sends them back and, like any field a
# PUT omits, gone after one that does not (FIDELITY.md rows 23 and 31).
EXTRA_FIELDS = {"futureField": "x", "futureFlags": {"beta": True}, "futureList": [1, 2]}
NEWER_SPEC_FIELDS: dict[Family, dict[str, Any]] = {
    "basic": {**EXTRA_FIELDS, "auth": {"futureAuthMode": "y"}},
    "ecr": {**EXTRA_FIELDS, "credentials": {"futureRoleSession": "y"}},
}
NEWER_FIELD_NAMES = frozenset({*EXTRA_FIELDS, "futureAuthMode", "futureRoleSession"})


def mask(secret: str, variants: frozenset[str] = NO_VARIANTS) -> str:
    if not secret or "mask-empty" in variants:
        return ""
    if "mask-stars" in variants:
        return "******"
    return f"{secret[:3]}***{secret[-3:]}" if len(secret) >= 12 else "******"


def spelled_family(family: Family, variants: frozenset[str]) -> str:
    """A registry's basic/ecr type as answers spell it."""
    if "registry-type-upper" in variants:
        return "ECR" if family == "ecr" else "Basic"
    return family


def with_newer_fields(family: Family, spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with the newer Palette's fields it lacks filled in (nested ones only where their block
    exists: a public ECR registry has no credentials)."""
    filled = copy.deepcopy(spec)
    for key, value in NEWER_SPEC_FIELDS[family].items():
        if key in NEWER_FIELD_NAMES:
            filled.setdefault(key, copy.deepcopy(value))
        elif isinstance(filled.get(key), dict):
            filled[key] = {**value, **filled[key]}
    return filled


def without_newer_fields(document: Any) -> Any:
    """`document` without the newer Palette's fields, at any depth (to check it against the swagger)."""
    if isinstance(document, dict):
        return {k: without_newer_fields(v) for k, v in document.items() if k not in NEWER_FIELD_NAMES}
    if isinstance(document, list):
        return [without_newer_fields(item) for item in document]
    return document


def _with_extras(document: dict[str, Any], variants: frozenset[str]) -> dict[str, Any]:
    return {**document, **EXTRA_FIELDS} if "extra-fields" in variants else document


def _with_scope(document: dict[str, Any], scope: str, variants: frozenset[str]) -> dict[str, Any]:
    if "scope-empty" not in variants:
        document["scope"] = scope
    return document


def unmasked(reg: Registry, spec: Any, variants: frozenset[str] = NO_VARIANTS) -> Any:
    """An update's spec with each secret that comes back exactly as GET masked it replaced by the
    stored secret: what a client that read the registry sends for a secret it does not know (as
    Palette's UI must when it edits a registry). FIDELITY.md, row 24: an assumption."""
    if not isinstance(spec, dict):
        return spec
    spec = copy.deepcopy(spec)
    for path in SECRET_PATHS[reg.family]:
        stored_parent, sent_parent = _parent(reg.spec, path, create=False), _parent(spec, path, create=False)
        stored = stored_parent.get(path[-1]) if stored_parent else None
        if (
            sent_parent is not None
            and isinstance(stored, str)
            and stored
            and sent_parent.get(path[-1]) == mask(stored, variants)
        ):
            sent_parent[path[-1]] = stored
    return spec


def tls_block(family: Family, spec: dict[str, Any]) -> dict[str, Any] | None:
    """The TLS block of a stored spec (`auth.tls` for basic registries, `tls` for ECR), or None."""
    path = TLS_PATHS[family]
    parent = _parent(spec, path, create=False)
    block = parent.get(path[-1]) if parent is not None else None
    return block if isinstance(block, dict) else None


def _parent(tree: dict[str, Any], path: tuple[str, ...], create: bool) -> dict[str, Any] | None:
    node = tree
    for part in path[:-1]:
        if create and not isinstance(node.get(part), dict):
            node[part] = {}
        child = node.get(part)
        if not isinstance(child, dict):
            return None
        node = child
    return node


def public_spec(reg: Registry, variants: frozenset[str] = NO_VARIANTS) -> dict[str, Any]:
    """The stored spec as GET shows it: secrets masked, TLS block present, scope filled in."""
    spec = copy.deepcopy(reg.spec)
    for path in SECRET_PATHS[reg.family]:
        parent = _parent(spec, path, create=False)
        if parent is not None and isinstance(parent.get(path[-1]), str):
            parent[path[-1]] = mask(parent[path[-1]], variants)
    tls_path = TLS_PATHS[reg.family]
    tls_parent = _parent(spec, tls_path, create=True)
    assert tls_parent is not None
    tls = {**TLS_DEFAULTS, **(tls_parent.get(tls_path[-1]) or {})}
    if "no-tls" in variants and all(not value for value in tls.values()):
        tls_parent.pop(tls_path[-1], None)
    else:
        tls_parent[tls_path[-1]] = tls
    spec.setdefault("baseContentPath", "")
    spec.setdefault("containsSpectroManifest", False)
    spec["isSyncSupported"] = reg.sync_enabled
    if "sync-in-status-only" in variants:
        del spec["isSyncSupported"]
    return _with_scope(spec, reg.scope, variants)  # a newer Palette's fields are stored (NEWER_SPEC_FIELDS)


def is_private(reg: Registry) -> bool:
    if reg.family == "ecr":
        return bool(reg.spec.get("isPrivate"))
    auth = reg.spec.get("auth") or {}
    return bool(auth.get("type", "basic" if auth.get("username") or auth.get("token") else "noAuth") != "noAuth")


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


def status_view(sync_status: dict[str, Any], variants: frozenset[str]) -> dict[str, Any]:
    """v1RegistrySyncStatus as registry answers embed it."""
    if "sync-in-spec-only" in variants:
        return {k: v for k, v in sync_status.items() if k != "isSyncSupported"}
    return sync_status


def registry_view(reg: Registry, sync_status: dict[str, Any], variants: frozenset[str] = NO_VARIANTS) -> dict[str, Any]:
    """v1BasicOciRegistry or v1EcrRegistry."""
    view: dict[str, Any] = {"metadata": object_meta(reg), "spec": public_spec(reg, variants)}
    if "no-status" not in variants:
        view["status"] = {"syncStatus": status_view(sync_status, variants)}
    return _with_extras(view, variants)


def summary_item(reg: Registry, sync_status: dict[str, Any], variants: frozenset[str] = NO_VARIANTS) -> dict[str, Any]:
    """v1OciRegistry, an item of GET /v1/registries/oci/summary."""
    spec: dict[str, Any] = {
        "endpoint": reg.spec.get("endpoint", ""),
        "providerType": reg.provider_type,
        "registryType": spelled_family(reg.family, variants),
        "isPrivate": is_private(reg),
        "containsSpectroManifest": bool(reg.spec.get("containsSpectroManifest")),
    }
    if reg.family == "ecr":
        spec["defaultRegion"] = reg.spec.get("defaultRegion", "")
    item: dict[str, Any] = {"metadata": object_meta(reg), "spec": _with_scope(spec, reg.scope, variants)}
    if "no-status" not in variants:
        item["status"] = {"sync": status_view(sync_status, variants)}
    return _with_extras(item, variants)


def entity_view(reg: Registry, variants: frozenset[str] = NO_VARIANTS) -> dict[str, Any]:
    """v1OciRegistryEntity, the family-agnostic GET /v1/registries/oci/{uid}."""
    spec = public_spec(reg, variants)
    entity: dict[str, Any] = {
        "auth": spec.get("auth") if reg.family == "basic" else ({"tls": spec["tls"]} if "tls" in spec else None),
        "endpoint": spec.get("endpoint", ""),
        "providerType": reg.provider_type,
        "type": spelled_family(reg.family, variants),
    }
    if entity["auth"] is None:
        del entity["auth"]
    if reg.family == "ecr":
        entity["defaultRegion"] = spec.get("defaultRegion", "")
    return _with_extras(_with_scope(entity, reg.scope, variants), variants)


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


# The one project a tenant has from the start (Palette names it "Default"; Spectro's provider targets it
# when no project_name is given). Registries are tenant-level: the emulator models no other projects.
DEFAULT_PROJECT = {"name": "Default", "uid": "5d1b0f4e2c3a4b5c6d7e8f90"}


def projects_metadata(system: bool, name: str | None = None) -> dict[str, Any]:
    """v1ProjectsMetadata, the answer to GET /v1/dashboard/projects/metadata (`?name=` filters): a
    tenant's Default project; none for a system administrator's key (the system console has no projects)."""
    projects = [] if system else [DEFAULT_PROJECT]
    return {"items": [{"metadata": dict(p)} for p in projects if name is None or p["name"] == name]}


def dump_item(reg: Registry, sync_status: dict[str, Any]) -> dict[str, Any]:
    """The test-only admin view: everything as stored, secrets in clear."""
    return {
        "uid": reg.uid,
        "name": reg.name,
        "family": reg.family,
        "kind": reg.family,  # the family's old name here, deprecated: gone in the next version (admin.py)
        "providerType": reg.provider_type,
        "scope": reg.scope,
        "legacy": reg.provider_type == "helm" and not reg.sync_capable,
        "spec": copy.deepcopy(reg.spec),
        "annotations": dict(reg.annotations),
        "syncStatus": sync_status,
        "creationTimestamp": timestamp(reg.created),
        "lastModifiedTimestamp": timestamp(reg.modified),
    }
