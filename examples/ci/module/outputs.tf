output "registry_ids" {
  description = "Palette uid of each registry, by name."
  value = merge(
    { (oci_registry_helm.charts.name) = oci_registry_helm.charts.id },
    { (oci_registry_packs.packs.name) = oci_registry_packs.packs.id },
    { for r in oci_registry_zarf.packages : r.name => r.id },
  )
}

output "sync_status" {
  description = "Palette's last synchronization status of the registries it synchronizes, by name."
  value = {
    (oci_registry_helm.charts.name) = oci_registry_helm.charts.sync_status
    (oci_registry_packs.packs.name) = oci_registry_packs.packs.sync_status
  }
}
