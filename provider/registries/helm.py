"""`oci_registry_helm`: OCI registries of Helm charts (basic auth or AWS ECR; sync optional)."""

from provider.registries.lifecycle import RegistryResource
from provider.registries.rules import HELM_RULES


class HelmRegistry(RegistryResource):
    kind = "helm"
    rules = HELM_RULES
    default_auto_sync = False
    auto_sync_description = (
        "Default `false` for a new registry (an existing one keeps its setting); `true` needs "
        "`base_content_path`. Turning it from `true` to `false` replaces the registry: Palette cannot disable "
        "synchronization. Turning it on is an in-place update; on a registry created before Palette 4.5.0, "
        "which Palette then still does not synchronize, the apply fails, and every plan after it, with the "
        "command that re-registers it (`terraform taint`, then `terraform apply`)."
    )
    description = (
        "Registers an OCI registry of Helm charts with Palette. Basic authentication or AWS ECR; automatic "
        "synchronization is optional (Helm registries created before Palette 4.5.0 must be re-registered to sync)."
    )
