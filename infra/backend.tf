# State lives in a GCS bucket created once by hand (README, "Deploying to Google Cloud"). A backend
# block cannot read variables, so the bucket comes from `-backend-config=bucket=<state bucket>`,
# which `make plan` / `make deploy` pass from STOCKOPS_STATE_BUCKET (the state_bucket variable below
# is for documentation and for the outputs; it must name the same bucket).
terraform {
  backend "gcs" {
    prefix = "stockops/terraform"
  }
}
