"""A registry's kind, in one table: helm | zarf | pack (Palette's `providerType`).

Everything that names a kind reads it here: the resource type that manages it, the data source's
filter, the messages that point a user to the right resource, preflight's content check. (A
registry's *auth*, basic | ecr | none, is the other axis; see `provider.registries.mapping`.)
Standard library only: the plugin imports it at start-up.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["helm", "zarf", "pack"]


class KindInfo(NamedTuple):
    kind: Kind
    resource_type: str  # the Terraform resource that manages registries of this kind
    title: str  # how messages and docs name it


KINDS: dict[str, KindInfo] = {
    "helm": KindInfo("helm", "oci_registry_helm", "Helm"),
    "zarf": KindInfo("zarf", "oci_registry_zarf", "Zarf"),
    "pack": KindInfo("pack", "oci_registry_packs", "Packs"),
}
KIND_NAMES: tuple[Kind, ...] = tuple(info.kind for info in KINDS.values())


def resource_type_for(kind: str) -> str:
    """The resource type for a kind Palette reports (any case); words for a kind this provider does not know."""
    info = KINDS.get(kind.strip().lower())
    return info.resource_type if info else f"a resource for {kind} registries"
