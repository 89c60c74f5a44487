variable "registry_password" {
  description = "Password of the zarf-ci account on registry.example.com."
  type        = string
  sensitive   = true
}

# Zarf packages: basic authentication only, no automatic synchronization.
resource "oci_registry_zarf" "packages" {
  name              = "zarf-packages"
  endpoint          = "https://registry.example.com"
  base_content_path = "zarf"

  basic_auth {
    username = "zarf-ci"
    password = var.registry_password
  }
}
