variable "harbor_password" {
  description = "Token of the Harbor robot account robot$packs."
  type        = string
  sensitive   = true
}

variable "aws_access_key_id" {
  description = "Access key of an IAM user allowed to pull from the packs repositories."
  type        = string
}

variable "aws_secret_access_key" {
  description = "Secret key of that access key."
  type        = string
  sensitive   = true
}

# Packs in a Harbor project. Palette always synchronizes Packs registries.
resource "oci_registry_packs" "harbor" {
  name              = "packs-harbor"
  endpoint          = "https://harbor.example.com"
  base_content_path = "spectro-packs"

  basic_auth {
    username = "robot$packs"
    password = var.harbor_password
  }
}

# Packs in AWS ECR, with static access keys.
resource "oci_registry_packs" "ecr" {
  name              = "packs-ecr"
  endpoint          = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  base_content_path = "spectro-packs"

  ecr {
    access_key_id     = var.aws_access_key_id
    secret_access_key = var.aws_secret_access_key
  }
}
