# The module under test, against palette-emulator (see ../.github/workflows/terraform.yml).
# The provider reads its settings from the environment the workflow sets:
#   PALETTE_HOST            the URL palette-emulator prints
#   PALETTE_API_KEY         the emulator's API key (not a secret)
#   PALETTE_OCI_PREFLIGHT   "off": the endpoint below is illustrative, nothing answers there

terraform {
  required_providers {
    oci = {
      source = "palette/oci"
    }
  }
}

provider "oci" {}

module "registries" {
  source = "../module"

  team      = "team-a"
  endpoint  = "https://harbor.example.com"
  username  = "robot$team-a"
  password  = "not-a-real-password"
  zarf_path = "zarf"
}

output "registry_ids" {
  value = module.registries.registry_ids
}

output "sync_status" {
  value = module.registries.sync_status
}
