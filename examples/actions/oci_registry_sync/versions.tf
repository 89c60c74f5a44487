# Not embedded in the docs: lets `terraform validate` run in this directory on its own.
terraform {
  # Actions need Terraform 1.14 or later.
  required_version = ">= 1.14"

  required_providers {
    oci = {
      source = "palette/oci"
    }
  }
}
