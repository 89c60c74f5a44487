"""`oci_registry_packs`: OCI registries of Palette Packs (basic auth or AWS ECR; always synced)."""

from provider.registries.lifecycle import RegistryResource
from provider.registries.rules import PACKS_RULES


class PacksRegistry(RegistryResource):
    kind = "pack"
    rules = PACKS_RULES
    default_auto_sync = True
    auto_sync_description = "Always `true` for Packs registries: Palette synchronizes every one; `false` is rejected."
    description = (
        "Registers an OCI registry of Palette Packs. Basic authentication or AWS ECR; Palette always "
        "synchronizes Packs registries, so `base_content_path` is required."
    )
