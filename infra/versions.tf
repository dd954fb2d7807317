terraform {
  # 1.5+: `check` blocks. (Provider-defined functions, should this configuration use them, need 1.8.)
  required_version = ">= 1.5.0"

  required_providers {
    # Only hashicorp/google: every resource here is GA. No archive/random/null providers: the deploy
    # script builds the function zip itself (scripts/infra/package.ts).
    google = {
      source  = "hashicorp/google"
      version = ">= 6.14.0, < 8.0.0"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}
