# Every Helm registry the API key can see: `terraform query`, or
# `terraform query -generate-config-out=generated.tf` to adopt them (see the adoption guide).
list "oci_registry_helm" "all" {
  provider = oci
}

# Only the platform team's, at one endpoint; include_resource shows every attribute.
list "oci_registry_helm" "platform" {
  provider         = oci
  include_resource = true

  config {
    name_prefix = "platform-"
    endpoint    = "https://harbor.example.com"
  }
}
