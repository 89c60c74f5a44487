# `terraform test` (Terraform 1.6+) for the module above, against palette-emulator: start it, then
#   PALETTE_HOST=<the URL it prints> PALETTE_API_KEY=<its API key> terraform init && terraform test
# Each `run` applies (or plans) the module; `terraform test` destroys what the runs created at the end.

provider "oci" {
  # The endpoints below are illustrative: nothing answers at harbor.example.com, so the provider's
  # own registry checks are off (palette-emulator --validate accept takes any endpoint too).
  preflight = "off"
}

variables {
  team     = "team-a"
  endpoint = "https://harbor.example.com"
  username = "robot$team-a"
  password = "not-a-real-password"
}

# A plan: what the module will ask Palette for, before anything is created.
run "plans_the_charts_registry_only" {
  command = plan

  assert {
    condition     = oci_registry_helm.charts.name == "team-a-charts"
    error_message = "The charts registry is named after the team."
  }
  assert {
    condition     = oci_registry_helm.charts.base_content_path == "charts" && oci_registry_helm.charts.auto_sync
    error_message = "The charts registry syncs the charts path."
  }
  assert {
    condition     = length(oci_registry_zarf.packages) == 0
    error_message = "No Zarf registry without a zarf_path."
  }
}

# A team name Palette would take but the module refuses: the plan fails at the variable.
run "refuses_a_team_name_with_capitals" {
  command = plan

  variables {
    team = "Team-A"
  }

  expect_failures = [var.team]
}

# An apply: Palette (the emulator) stores both registries and syncs the charts.
run "registers_and_syncs" {
  variables {
    zarf_path = "zarf"
  }

  assert {
    condition     = output.charts_sync_status == "Completed"
    error_message = "Palette's first sync of the charts registry succeeded (wait_for_sync waited for it)."
  }
  assert {
    condition     = toset(keys(output.registry_ids)) == toset(["team-a-charts", "team-a-zarf"])
    error_message = "Both registries are registered, under the team's names."
  }
  assert {
    condition     = alltrue([for id in values(output.registry_ids) : id != ""])
    error_message = "Palette gave each registry a uid."
  }
  assert {
    condition     = oci_registry_zarf.packages[0].sync_supported == false
    error_message = "Palette does not synchronize Zarf registries."
  }
}
