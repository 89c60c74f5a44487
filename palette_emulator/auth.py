"""Who is calling: an API key, a tenant's or a system administrator's.

OCI registries are tenant-level in Palette (system level on self-hosted Palette and VerteX):
Spectro Cloud's own provider calls every registry endpoint with a tenant context, and projects
use the tenant's registries (FIDELITY.md, "Scope"). So a `ProjectUid` header changes nothing
here: such a call is served at tenant level. A tenant sees its own registries and the system's;
system scope sees system registries. Only system scope may change system registries.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from .api_error import ApiError, forbidden, not_found, unauthorized
from .config import EmulatorConfig
from .store import Registry, Scope


@dataclass(frozen=True)
class Caller:
    system: bool

    @property
    def scope(self) -> Scope:
        return "system" if self.system else "tenant"

    def can_see(self, reg: Registry) -> bool:
        return reg.scope == "system" if self.system else True

    def check_can_change(self, reg: Registry) -> None:
        if reg.scope == "system" and not self.system:
            raise forbidden(
                f"registry '{reg.name}' is a system-scope registry: tenants may use it, but only a system"
                " administrator's API key may change, synchronise or delete it"
            )


def _key_in(key: str, keys: tuple[str, ...]) -> bool:
    # Compare every key in constant time so timing does not reveal how much of a key matched.
    return any(hmac.compare_digest(key.encode(), known.encode()) for known in keys)


def identify(headers: Mapping[str, str], config: EmulatorConfig, variants: frozenset[str] = frozenset()) -> Caller:
    """The caller behind a request's `ApiKey` header; 401 when it is missing or unknown (or what a
    `bad-key-*` variant answers instead). A `ProjectUid` header is ignored: registries are
    tenant-level (see the module doc)."""
    key = headers.get("apikey", "")
    if key and _key_in(key, config.system_api_keys):
        return Caller(system=True)
    if not key or not _key_in(key, config.api_keys):
        if "bad-key-403" in variants:
            raise ApiError(403, "Forbidden", "Forbidden", plain=True)  # as Spectro Cloud's mock server answers
        if key and "bad-key-not-found" in variants:
            # Spectro's SDK redacts the API key from ResourceNotFound errors (commit ed05432): Palette
            # echoes an unknown key in that answer. A client must never pass this message on unredacted.
            raise not_found(f"ApiKey '{key}' not found")
        raise unauthorized("missing or unknown API key: send a configured key in the ApiKey header")
    return Caller(system=False)
