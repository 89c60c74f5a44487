"""`oci_registry_packs`: OCI registries of Palette Packs (basic auth or AWS ECR; always synced)."""

from provider.registries.lifecycle import RegistryResource
from provider.registries.rules import PACKS_RULES


class PacksRegistry(RegistryResource):
    provider_type = "pack"
    type_suffix = "registry_packs"
    rules = PACKS_RULES
    default_auto_sync = True
    description = (
        "Registers an OCI registry of Palette Packs. Basic authentication or AWS ECR; Palette always "
        "synchronises Packs registries, so `base_content_path` is required."
    )
