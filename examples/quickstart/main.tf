# The quick start: one registry of each kind, registered with a local Palette emulator.
#
#   scripts/quickstart        starts the emulator, then runs init, apply and a second plan here
#
# By hand: run `palette-emulator --validate accept` in another terminal (it listens on
# http://127.0.0.1:8080 with the API key "emulator-api-key", the defaults below), then
# `terraform init && terraform apply` in a copy of this directory.

terraform {
  required_providers {
    oci = {
      # Not hashicorp/oci (Oracle Cloud): this provider registers OCI registries with Palette.
      source = "palette/oci"
    }
  }
}

provider "oci" {
  host    = var.palette_host
  api_key = var.palette_api_key

  # The registry endpoints below are illustrative: nothing answers at harbor.example.com or at
  # the ECR host. Preflight would check each one from this machine before Palette stores it and
  # fail, so it is off; the emulator runs in `--validate accept` mode and accepts them too.
  # Against a real Palette and real registries, leave preflight out (it defaults to "apply").
  preflight = "off"
}

# Helm charts with basic authentication; Palette synchronizes them.
resource "oci_registry_helm" "charts" {
  name              = "quickstart-charts"
  endpoint          = "https://harbor.example.com"
  base_content_path = "charts"
  auto_sync         = true
  wait_for_sync     = true # apply returns once the first sync has ended, so the outputs are final

  basic_auth {
    username = "robot$quickstart"
    password = var.registry_password
  }
}

# Zarf packages: basic authentication only, and Palette does not synchronize them.
resource "oci_registry_zarf" "packages" {
  name              = "quickstart-zarf"
  endpoint          = "https://harbor.example.com"
  base_content_path = "zarf"

  basic_auth {
    username = "robot$quickstart"
    password = var.registry_password
  }
}

# Packs with basic authentication; Palette always synchronizes Packs registries.
resource "oci_registry_packs" "packs" {
  name              = "quickstart-packs"
  endpoint          = "https://harbor.example.com"
  base_content_path = "spectro-packs"
  wait_for_sync     = true

  basic_auth {
    username = "robot$quickstart"
    password = var.registry_password
  }
}

# Packs in AWS ECR with static access keys.
resource "oci_registry_packs" "ecr" {
  name              = "quickstart-packs-ecr"
  endpoint          = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  base_content_path = "spectro-packs"
  wait_for_sync     = true

  ecr {
    access_key_id     = var.aws_access_key_id
    secret_access_key = var.aws_secret_access_key
  }
}
