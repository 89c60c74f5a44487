"""`oci_registry_zarf`: OCI registries of Zarf packages (basic auth only; no sync)."""

from provider.registries.lifecycle import RegistryResource
from provider.registries.rules import ZARF_RULES


class ZarfRegistry(RegistryResource):
    provider_type = "zarf"
    type_suffix = "registry_zarf"
    rules = ZARF_RULES
    default_auto_sync = False
    description = (
        "Registers an OCI registry of Zarf packages with Palette. Basic authentication only: Palette supports "
        "neither AWS ECR nor automatic synchronisation for Zarf registries."
    )
