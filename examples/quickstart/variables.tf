# The defaults match `palette-emulator`'s own; scripts/quickstart sets palette_host to the URL the
# emulator prints. None of these values is a real credential.

variable "palette_host" {
  description = "Palette API URL: the emulator's."
  type        = string
  default     = "http://127.0.0.1:8080"
}

variable "palette_api_key" {
  description = "Palette API key: the emulator's default tenant key."
  type        = string
  sensitive   = true
  default     = "emulator-api-key"
}

variable "registry_password" {
  description = "Password of the robot$quickstart account (illustrative)."
  type        = string
  sensitive   = true
  default     = "quickstart-password"
}

variable "aws_access_key_id" {
  description = "AWS access key id for the ECR registry (illustrative)."
  type        = string
  default     = "AKIAQUICKSTART000000"
}

variable "aws_secret_access_key" {
  description = "AWS secret access key for the ECR registry (illustrative)."
  type        = string
  sensitive   = true
  default     = "quickstart-secret-access-key"
}
