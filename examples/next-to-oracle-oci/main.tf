# Oracle Cloud Infrastructure's provider and this one in one configuration. Both are "oci" by name:
# Oracle's keeps the local name `oci` (its resources start with `oci_`, so Terraform gives them to it),
# and this one gets the local name `palette`, which every one of its resources names with
# `provider = palette`. Without that line Terraform sends `oci_registry_helm` to Oracle's provider.
#
# Here: an OCI Registry (OCIR) repository made with Oracle's provider, registered with Palette as a
# Helm registry by this one.

terraform {
  required_providers {
    oci = {
      source = "oracle/oci"
    }
    palette = {
      source = "palette/oci"
    }
  }
}

provider "oci" {
  region = var.oci_region
}

# Settings from PALETTE_HOST and PALETTE_API_KEY (or host and api_key here).
provider "palette" {}

data "oci_objectstorage_namespace" "tenancy" {
  compartment_id = var.tenancy_ocid
}

resource "oci_artifacts_container_repository" "charts" {
  compartment_id = var.compartment_ocid
  display_name   = "${var.team}/charts"
  is_public      = false
}

resource "oci_registry_helm" "charts" {
  provider = palette

  name              = "${var.team}-ocir-charts"
  endpoint          = "https://${var.ocir_host}"
  base_content_path = "${data.oci_objectstorage_namespace.tenancy.namespace}/${oci_artifacts_container_repository.charts.display_name}"
  auto_sync         = true

  basic_auth {
    # OCIR's user name is "<namespace>/<user>", its password an auth token.
    username = "${data.oci_objectstorage_namespace.tenancy.namespace}/${var.ocir_user}"
    password = var.ocir_auth_token
  }
}

output "palette_registry_id" {
  value = oci_registry_helm.charts.id
}
