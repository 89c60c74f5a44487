# A reusable module: the OCI registries of one team's Harbor project, registered with Palette.
# Helm charts and Packs are synchronized by Palette; Zarf packages (optional) cannot be.

terraform {
  required_providers {
    oci = {
      # Modules name the source too, or Terraform assumes hashicorp/oci (Oracle Cloud).
      source = "palette/oci"
    }
  }
}

resource "oci_registry_helm" "charts" {
  name              = "${var.team}-charts"
  endpoint          = var.endpoint
  base_content_path = var.charts_path
  auto_sync         = true
  wait_for_sync     = var.wait_for_sync

  basic_auth {
    username = var.username
    password = var.password
  }
}

resource "oci_registry_packs" "packs" {
  name              = "${var.team}-packs"
  endpoint          = var.endpoint
  base_content_path = var.packs_path
  wait_for_sync     = var.wait_for_sync

  basic_auth {
    username = var.username
    password = var.password
  }
}

resource "oci_registry_zarf" "packages" {
  count = var.zarf_path == null ? 0 : 1

  name              = "${var.team}-zarf"
  endpoint          = var.endpoint
  base_content_path = var.zarf_path

  basic_auth {
    username = var.username
    password = var.password
  }
}
