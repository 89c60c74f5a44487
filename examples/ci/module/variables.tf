variable "team" {
  description = "Team name: the registries are named <team>-charts, <team>-packs and <team>-zarf."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.team))
    error_message = "The team must be 2-31 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "endpoint" {
  description = "The Harbor (or other OCI registry) URL, e.g. https://harbor.example.com."
  type        = string
}

variable "username" {
  description = "Robot account that Palette uses to pull."
  type        = string
}

variable "password" {
  description = "The robot account's token."
  type        = string
  sensitive   = true
}

variable "charts_path" {
  description = "Repository path of the Helm charts."
  type        = string
  default     = "charts"
}

variable "packs_path" {
  description = "Repository path of the Packs."
  type        = string
  default     = "spectro-packs"
}

variable "zarf_path" {
  description = "Repository path of the Zarf packages; null registers no Zarf registry."
  type        = string
  default     = null
}

variable "wait_for_sync" {
  description = "Wait for Palette's first synchronization of the charts and packs during apply."
  type        = bool
  default     = true
}
