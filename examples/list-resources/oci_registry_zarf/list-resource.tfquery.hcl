# Every Zarf registry the API key can see whose name starts with "airgap-".
list "oci_registry_zarf" "airgap" {
  provider = oci

  config {
    name_prefix = "airgap-"
  }
}
