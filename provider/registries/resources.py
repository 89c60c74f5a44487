"""The kind table's resources: each kind's resource class (the plugin's list of resources, and what a list
resource imports through). `provider.kinds` names the kinds at start-up; this module loads the classes."""

from __future__ import annotations

from provider.registries.helm import HelmRegistry
from provider.registries.lifecycle import RegistryResource
from provider.registries.packs import PacksRegistry
from provider.registries.zarf import ZarfRegistry
from provider.words import KIND_NAMES, Kind

RESOURCE_CLASSES: dict[Kind, type[RegistryResource]] = {
    registry.kind: registry for registry in (HelmRegistry, ZarfRegistry, PacksRegistry)
}
assert tuple(RESOURCE_CLASSES) == KIND_NAMES, "one resource class per kind, in the order of provider.words.Kind"
