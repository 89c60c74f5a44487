terraform {
  required_version = ">= 1.11" # write-only arguments; ephemeral variables need 1.10
  required_providers {
    oci = {
      source = "palette/oci"
    }
  }
}

# Ephemeral: the value reaches the provider at apply and is kept in no plan file and no state.
variable "harbor_password" {
  description = "Token of the Harbor robot account robot$ci."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "oci_registry_helm" "charts" {
  name              = "platform-charts"
  endpoint          = "https://harbor.example.com"
  base_content_path = "charts"
  auto_sync         = true

  basic_auth {
    username    = "robot$ci"
    password_wo = var.harbor_password
    # Terraform cannot see a write-only value change: bump this with the password to send it.
    password_wo_version = 1
  }
}
