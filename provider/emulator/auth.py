"""Who is calling: an API key (tenant or system administrator) and, for tenant keys, a project.

Scopes follow Palette: a system administrator's key works at system scope; a tenant key works at
tenant scope, or at project scope when it sends `ProjectUid`. Visibility widens downwards: a
project sees its own registries plus the tenant's and the system's; the tenant sees its own plus
the system's; system scope sees system registries. Only system scope may change system registries.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from .config import EmulatorConfig
from .errors import ApiError, forbidden, unauthorized
from .store import Registry, Scope, Store


@dataclass(frozen=True)
class Caller:
    system: bool
    project_uid: str = ""

    @property
    def scope(self) -> Scope:
        if self.system:
            return "system"
        return "project" if self.project_uid else "tenant"

    def can_see(self, reg: Registry) -> bool:
        if self.system:
            return reg.scope == "system"
        if reg.scope == "project":
            return reg.project_uid == self.project_uid
        return True

    def check_can_change(self, reg: Registry) -> None:
        if reg.scope == "system" and not self.system:
            raise forbidden(
                f"registry '{reg.name}' is a system-scope registry: tenants may use it, but only a system"
                " administrator's API key may change, synchronise or delete it"
            )


def _key_in(key: str, keys: tuple[str, ...]) -> bool:
    # Compare every key in constant time so timing does not reveal how much of a key matched.
    return any(hmac.compare_digest(key.encode(), known.encode()) for known in keys)


def identify(headers: Mapping[str, str], config: EmulatorConfig, store: Store) -> Caller:
    """The caller behind a request's `ApiKey` and `ProjectUid` headers; 401/400 when they don't fit."""
    key = headers.get("apikey", "")
    if key and _key_in(key, config.system_api_keys):
        # A system administrator works at system scope; a ProjectUid header does not change that.
        return Caller(system=True)
    if not key or not _key_in(key, config.api_keys):
        raise unauthorized("missing or unknown API key: send a configured key in the ApiKey header")
    project_uid = headers.get("projectuid", "").strip()
    if project_uid and store.project(project_uid) is None:
        raise ApiError(
            400,
            "InvalidProject",
            f"ProjectUid header '{project_uid}' names no project; list them with GET /v1/dashboard/projects/metadata",
        )
    return Caller(system=False, project_uid=project_uid)
