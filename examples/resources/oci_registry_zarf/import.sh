# By Palette uid:
terraform import oci_registry_zarf.packages 6650f3a1c2b4d5e6f7a8b9c1

# Or by name (unique in the provider's scope):
terraform import oci_registry_zarf.packages zarf-packages
