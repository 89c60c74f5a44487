# What Palette reports for each registry: its uid, kind, authentication and synchronization.
output "registries" {
  value = {
    for r in [
      oci_registry_helm.charts,
      oci_registry_zarf.packages,
      oci_registry_packs.packs,
      oci_registry_packs.ecr,
      ] : r.name => {
      id             = r.id
      provider_type  = r.provider_type
      auth_type      = r.auth_type
      scope          = r.scope
      sync_supported = r.sync_supported
      sync_status    = r.sync_status
      last_synced_at = r.last_synced_at
    }
  }
}
