# By Palette uid:
terraform import oci_registry_helm.charts 6650f3a1c2b4d5e6f7a8b9c0

# Or by name (unique in the provider's scope):
terraform import oci_registry_helm.charts platform-charts
