"""A registry's kind, in one table: helm | zarf | pack (Palette's `providerType`, the `Kind` of
`provider.words`).

Everything that names a kind reads it here: the resource type that manages it, the data source's
filter, the messages that point a user to the right resource, preflight's content check. (A
registry's *auth* and *family* are the other words of `provider.words`.)
Standard library only: the plugin imports it at start-up.
"""

from __future__ import annotations

from typing import NamedTuple

from provider.words import KIND_NAMES, Kind, is_kind


class KindInfo(NamedTuple):
    kind: Kind
    resource_type: str  # the Terraform resource that manages registries of this kind
    title: str  # how messages and docs name it


KINDS: dict[Kind, KindInfo] = {
    "helm": KindInfo("helm", "oci_registry_helm", "Helm"),
    "zarf": KindInfo("zarf", "oci_registry_zarf", "Zarf"),
    "pack": KindInfo("pack", "oci_registry_packs", "Packs"),
}
assert tuple(KINDS) == KIND_NAMES, "one row per kind, in the order of provider.words.Kind"


def resource_type_for(kind: str) -> str:
    """The resource type for a kind Palette reports (normalised as it entered, `provider.palette.models`);
    words for a kind this provider does not know."""
    return KINDS[kind].resource_type if is_kind(kind) else f"a resource for {kind} registries"
