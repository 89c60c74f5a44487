terraform {
  required_version = ">= 1.12" # import blocks with a resource identity
  required_providers {
    oci = {
      source = "palette/oci"
    }
  }
}

variable "harbor_password" {
  description = "Token of the Harbor robot account robot$ci, as registered in the Palette UI."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# Adopt the registry someone registered in the UI by its name: no uid to look up first.
import {
  to       = oci_registry_helm.charts
  identity = { name = "platform-charts" }
}

resource "oci_registry_helm" "charts" {
  name              = "platform-charts"
  endpoint          = "https://harbor.example.com"
  base_content_path = "charts"
  auto_sync         = true

  basic_auth {
    username            = "robot$ci"
    password_wo         = var.harbor_password
    password_wo_version = 1
  }
}
