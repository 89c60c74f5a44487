# One registry of any kind, by name (or by id = "<Palette uid>").
data "oci_registry" "charts" {
  name = "platform-charts"
}

output "charts_sync" {
  value = {
    kind   = data.oci_registry.charts.provider_type
    status = data.oci_registry.charts.sync_status
    last   = data.oci_registry.charts.last_synced_at
  }
}
