terraform {
  required_providers {
    oci = {
      # Not hashicorp/oci (Oracle Cloud): this provider registers OCI registries with Palette.
      source = "palette/oci"
    }
  }
}

variable "palette_api_key" {
  description = "Palette API key (Palette: Profile > My API Keys). Leave it null to read PALETTE_API_KEY."
  type        = string
  sensitive   = true
  default     = null
}

provider "oci" {
  host    = "palette.example.com" # self-hosted Palette; leave out for api.spectrocloud.com
  api_key = var.palette_api_key

  # A self-hosted Palette whose certificate a private CA signs:
  # ca_certificate = file("${path.module}/corp-ca.pem")

  request_timeout = 30
  max_retries     = 5
  preflight       = "apply" # check each registry from this machine before Palette stores it
}
