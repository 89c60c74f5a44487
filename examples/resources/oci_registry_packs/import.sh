# By Palette uid:
terraform import oci_registry_packs.ecr 6650f3a1c2b4d5e6f7a8b9c2

# Or by name (unique in the provider's scope):
terraform import oci_registry_packs.ecr packs-ecr
