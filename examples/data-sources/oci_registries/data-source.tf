# Every Helm registry visible in the provider's scope (leave provider_type out for all kinds).
data "oci_registries" "helm" {
  provider_type = "helm"
}

output "helm_registry_endpoints" {
  value = { for r in data.oci_registries.helm.registries : r.name => r.endpoint }
}
