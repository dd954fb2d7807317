terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # The root's provider (infra/versions.tf pins it below 8.0); nothing else.
    google = {
      source  = "hashicorp/google"
      version = ">= 6.14.0, < 8.0.0"
    }
  }
}
