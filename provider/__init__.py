"""terraform-provider-oci: register OCI registries with Spectro Cloud Palette from Terraform."""
