"""`oci_registry_zarf`: OCI registries of Zarf packages (basic auth only; no sync)."""

from provider.registries.lifecycle import RegistryResource
from provider.registries.rules import ZARF_RULES


class ZarfRegistry(RegistryResource):
    kind = "zarf"
    rules = ZARF_RULES
    default_auto_sync = False
    syncs = False
    auto_sync_description = "Not supported for Zarf registries: only `false` is accepted."
    ecr_description = (
        "Not supported for Zarf registries: use `basic_auth`. Kept in the schema so a module can switch kinds."
    )
    description = (
        "Registers an OCI registry of Zarf packages with Palette. Basic authentication only: Palette supports "
        "neither AWS ECR nor automatic synchronization for Zarf registries."
    )
