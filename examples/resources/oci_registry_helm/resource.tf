variable "harbor_password" {
  description = "Token of the Harbor robot account robot$ci."
  type        = string
  sensitive   = true
}

variable "harbor_ca_certificate" {
  description = "PEM bundle of the CA that signs harbor.example.com's certificate, e.g. file(\"harbor-ca.pem\")."
  type        = string
}

# Charts in a private Harbor project, behind a private CA; Palette keeps them in sync.
resource "oci_registry_helm" "charts" {
  name              = "platform-charts"
  endpoint          = "https://harbor.example.com"
  base_content_path = "charts"
  auto_sync         = true

  basic_auth {
    username = "robot$ci"
    password = var.harbor_password
  }

  tls {
    ca_certificate = var.harbor_ca_certificate
  }
}

# Charts in AWS ECR: Palette assumes an IAM role through STS. Apply waits for the first sync.
resource "oci_registry_helm" "ecr" {
  name              = "charts-ecr"
  endpoint          = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  base_content_path = "helm"
  auto_sync         = true
  wait_for_sync     = true

  ecr {
    role_arn    = "arn:aws:iam::123456789012:role/palette-ecr-read"
    external_id = "palette-tenant-1"
  }

  timeouts {
    create = "15m"
  }
}
