# Not embedded in the docs: lets `terraform validate` run in this directory on its own.
terraform {
  required_providers {
    oci = {
      source = "palette/oci"
    }
  }
}
