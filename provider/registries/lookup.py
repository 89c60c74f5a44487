"""Finding a registry by uid or by name, for import and the data sources."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from provider.palette.errors import NotFoundError

if TYPE_CHECKING:
    from provider.palette.client import PaletteClient

UID = re.compile(r"^[0-9a-f]{24}$")


class Located(NamedTuple):
    uid: str
    kind: str  # Palette's API family: "basic" or "ecr"
    provider_type: str  # helm | zarf | pack


def locate(client: PaletteClient, uid_or_name: str) -> Located | None:
    """The registry a user means by `uid_or_name`: a uid first (one GET), else a name (the summary list)."""
    if UID.match(uid_or_name):
        try:
            entity = client.get_oci(uid_or_name)
            return Located(uid_or_name, entity.type or "basic", entity.provider_type or "")
        except NotFoundError:
            pass  # a registry may be named like a uid
    found = client.find_by_name(uid_or_name)
    if found is None or not found.metadata.uid:
        return None
    return Located(found.metadata.uid, found.spec.registry_type or "basic", found.spec.provider_type or "")
