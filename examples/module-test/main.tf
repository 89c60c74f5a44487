# A small module: one team's Helm charts registry, and its Zarf registry when a path is given,
# registered with Palette by palette/oci. tests/registries.tftest.hcl tests it with `terraform test`
# (Terraform 1.6+) against palette-emulator; docs/guides/testing-modules.md shows how to run it.

terraform {
  required_version = ">= 1.6"
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
  wait_for_sync     = true # apply ends once Palette's first sync has, so sync_status is final

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
