variable "oci_region" {
  type        = string
  description = "Oracle Cloud region, e.g. eu-frankfurt-1."
  default     = "eu-frankfurt-1"
}

variable "ocir_host" {
  type        = string
  description = "The region's OCI Registry host, e.g. fra.ocir.io."
  default     = "fra.ocir.io"
}

variable "tenancy_ocid" {
  type        = string
  description = "The tenancy's OCID."
  default     = "ocid1.tenancy.oc1..example"
}

variable "compartment_ocid" {
  type        = string
  description = "The compartment that holds the repository."
  default     = "ocid1.compartment.oc1..example"
}

variable "team" {
  type        = string
  description = "Prefix of the repository and of the Palette registry."
  default     = "team-a"
}

variable "ocir_user" {
  type        = string
  description = "The OCI user whose auth token Palette uses to pull."
  default     = "palette-robot"
}

variable "ocir_auth_token" {
  type        = string
  description = "That user's auth token (OCI Console: User settings > Auth tokens)."
  sensitive   = true
}
