variable "team" {
  description = "Team name: the registries are named <team>-charts and <team>-zarf."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.team))
    error_message = "The team must be 2-31 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "endpoint" {
  description = "The OCI registry's URL, e.g. https://harbor.example.com."
  type        = string
}

variable "username" {
  description = "The account Palette pulls with."
  type        = string
}

variable "password" {
  description = "That account's password or token."
  type        = string
  sensitive   = true
}

variable "charts_path" {
  description = "Repository path of the Helm charts."
  type        = string
  default     = "charts"
}

variable "zarf_path" {
  description = "Repository path of the Zarf packages; null registers no Zarf registry."
  type        = string
  default     = null
}
