# Every API the pipeline needs. disable_on_destroy = false: turning an API off on destroy would break
# anything else in the project that uses it.
locals {
  apis = toset([
    "artifactregistry.googleapis.com", # function images (Cloud Functions 2nd gen build output)
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com", # builds the function source
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com", # the functions' Pub/Sub triggers
    "iam.googleapis.com",
    "logging.googleapis.com", # log-based metrics
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com", # 2nd gen functions run on Cloud Run
    "secretmanager.googleapis.com",
    "sqladmin.googleapis.com", # the MLflow module's Cloud SQL instance and Cloud Run's /cloudsql connector (enabled always: costs nothing unused)
    "storage.googleapis.com",
  ])
}

resource "google_project_service" "apis" {
  for_each           = local.apis
  project            = var.project
  service            = each.value
  disable_on_destroy = false
}
