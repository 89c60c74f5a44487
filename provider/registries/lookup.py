"""Finding registries: one by uid or by name (import, the `oci_registry` data source), and the summary list
as rows (the `oci_registries` data source, the list resources)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from provider.palette.errors import NotFoundError, PaletteError
from provider.words import Family, Kind, ReadAuth

if TYPE_CHECKING:
    from provider.palette.client import PaletteClient
    from provider.palette.models import OciRegistry

UID = re.compile(r"^[0-9a-f]{24}$")


class Located(NamedTuple):
    uid: str
    family: Family
    kind: str  # a Kind, or the word Palette sent for one this provider does not know


def locate(client: PaletteClient, uid_or_name: str) -> Located | None:
    """The registry a user means by `uid_or_name`: a uid first (one GET), else a name (the summary list).
    A type this provider does not know is a PaletteError naming the registry as Palette spells it."""
    if UID.match(uid_or_name):
        try:
            entity = client.get_oci(uid_or_name)
            return Located(uid_or_name, _family(uid_or_name, entity.type), _kind(entity.provider_type))
        except NotFoundError:
            pass  # a registry may be named like a uid
    found = client.find_by_name(uid_or_name)
    if found is None or not found.metadata.uid:
        return None
    family = _family(uid_or_name, found.spec.registry_type)
    return Located(found.metadata.uid, family, _kind(found.spec.provider_type))


def _family(registry: str, spelled: str | None) -> Family:
    from provider.palette.models import registry_family

    family = registry_family(spelled or "basic")  # an entity without a type is a basic one
    if family is None:
        raise PaletteError(
            f'registry "{registry}" is of type "{spelled}", which this provider does not know: it manages '
            "basic and ECR OCI registries"
        )
    return family


def _kind(word: str | None) -> str:
    return word or ""


def case_hint(name: str, visible: Iterable[str]) -> str:
    """A sentence naming the registries whose names differ from `name` only in case ("" when none):
    Palette's names are case-sensitive, and "Platform-Charts" for "platform-charts" is the usual slip."""
    wanted = name.casefold()
    alike = sorted({n for n in visible if n and n != name and n.casefold() == wanted})
    if not alike:
        return ""
    listed = " and ".join(f'"{n}"' for n in alike)
    return f" Names are case-sensitive: {listed} {'differs' if len(alike) == 1 else 'differ'} only in case."


def not_found_hint(client: PaletteClient, name: str) -> str:
    """`case_hint` over the registries this API key sees; "" when they cannot be listed (the
    not-found message stands on its own)."""
    try:
        return case_hint(name, (r.metadata.name or "" for r in client.list_oci()))
    except PaletteError:
        return ""


class Row(NamedTuple):
    """One registry of Palette's summary list, as the `oci_registries` data source shows it (`element`) and a
    list resource imports it (`family`)."""

    uid: str
    name: str
    kind: str  # a Kind, or the word Palette sent for one this provider does not know
    auth: ReadAuth | str  # for a type this provider does not know, the type as Palette spells it
    endpoint: str
    scope: str
    family: Family | None  # None: a registry type this provider does not know

    def element(self) -> dict[str, str]:
        """The row as an element of `oci_registries.registries` (`ELEMENT_FIELDS`)."""
        return {
            "id": self.uid,
            "name": self.name,
            "provider_type": self.kind,
            "auth_type": self.auth,
            "endpoint": self.endpoint,
            "scope": self.scope,
        }


ELEMENT_FIELDS = ("id", "name", "provider_type", "auth_type", "endpoint", "scope")


def registry_rows(client: PaletteClient, kind: Kind | None = None) -> list[Row]:
    """Every registry the API key can see (only `kind`'s when given), sorted by name and uid. PaletteError
    when Palette does not answer."""
    rows = (summary_row(item) for item in client.list_oci())
    return sorted((row for row in rows if kind is None or row.kind == kind), key=lambda row: (row.name, row.uid))


def summary_row(item: OciRegistry) -> Row:
    """A summary list item as a row (its words normalised as it entered: `provider.palette.models`)."""
    family = item.family
    auth: ReadAuth | str
    if family == "ecr":
        auth = "ecr"
    elif family == "basic":
        # The summary does not say whether a basic registry has credentials; isPrivate does.
        auth = "basic" if item.spec.is_private else "none"
    else:
        auth = item.spec.registry_type or ""  # a type this provider does not know: as Palette says
    return Row(
        uid=item.metadata.uid or "",
        name=item.metadata.name or "",
        kind=item.spec.provider_type or "",
        auth=auth,
        endpoint=item.spec.endpoint or "",
        scope=item.spec.scope or "",
        family=family,
    )
