output "registry_ids" {
  description = "Palette uid of each registry, by name."
  value = merge(
    { (oci_registry_helm.charts.name) = oci_registry_helm.charts.id },
    { for r in oci_registry_zarf.packages : r.name => r.id },
  )
}

output "charts_sync_status" {
  description = "Palette's status of the charts registry's last synchronization (Completed once it has synced)."
  value       = oci_registry_helm.charts.sync_status
}
