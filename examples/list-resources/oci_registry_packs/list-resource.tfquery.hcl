# The Packs registries at one ECR registry (a host alone means https://), at most 20 of them.
list "oci_registry_packs" "ecr" {
  provider = oci
  limit    = 20

  config {
    endpoint = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  }
}
