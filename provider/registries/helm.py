"""`oci_registry_helm`: OCI registries of Helm charts (basic auth or AWS ECR; sync optional)."""

from provider.registries.lifecycle import RegistryResource
from provider.registries.rules import HELM_RULES


class HelmRegistry(RegistryResource):
    provider_type = "helm"
    type_suffix = "registry_helm"
    rules = HELM_RULES
    default_auto_sync = False
    auto_sync_description = (
        "Default `false` for a new registry (an existing one keeps its setting); `true` needs "
        "`base_content_path`. Turning it from `true` to `false` replaces the registry: Palette cannot disable "
        "synchronization. A registry created before Palette 4.5.0 is re-registered to enable it."
    )
    description = (
        "Registers an OCI registry of Helm charts with Palette. Basic authentication or AWS ECR; automatic "
        "synchronization is optional (Helm registries created before Palette 4.5.0 must be re-registered to sync)."
    )
