resource "oci_registry_helm" "charts" {
  name              = "platform-charts"
  endpoint          = "https://harbor.example.com"
  base_content_path = "charts"
  auto_sync         = true

  # Optional: sync again each time Terraform changes the registry.
  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.oci_registry_sync.charts]
    }
  }
}

# After a pipeline pushes charts: terraform apply -invoke=action.oci_registry_sync.charts
action "oci_registry_sync" "charts" {
  config {
    uid     = oci_registry_helm.charts.id
    timeout = "15m" # how long to wait for the sync (default "10m"); wait = false returns once Palette accepts it
  }
}
