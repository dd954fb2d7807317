# Identity. One service account per function, each bound only to the resources it uses:
# dataset-, bucket-, topic- and secret-level bindings. The only project-level grants are roles that
# exist only at project level (BigQuery jobs; the build's log writing). Never editor/owner, never a
# service-account key: functions run as their account, the scheduler and Pub/Sub as Google's
# service agents. tests/infra/iam.test.ts holds each account's documented role set and fails on any
# other binding. The table in README ("Deploying to Google Cloud") lists them.

resource "google_service_account" "fn" {
  for_each     = local.functions
  account_id   = "${var.topic_prefix}-${each.key}"
  display_name = "StockOps ${each.key} function (${each.value.entry_point})"
}

# Eventarc pushes each trigger's messages to its function as this account.
resource "google_service_account" "invoker" {
  account_id   = "${var.topic_prefix}-invoker"
  display_name = "StockOps Eventarc trigger invoker"
}

# Cloud Build builds the function images as this account instead of the project's default one.
resource "google_service_account" "builder" {
  account_id   = "${var.topic_prefix}-builder"
  display_name = "StockOps function builder"
}

locals {
  pubsub_agent    = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  scheduler_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com"
}

# ---- stockopsSchedule: publishes the fan-out; reads nothing but its config.
# Opening the catalog opens the warehouse on every instance, so the account may read the dataset.
resource "google_bigquery_dataset_iam_member" "schedule_reads_dataset" {
  dataset_id = google_bigquery_dataset.stockops.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "serviceAccount:${google_service_account.fn["schedule"].email}"
}

# Staged writes: the schedule writes the run's manifest to the bucket before it fans out.
resource "google_storage_bucket_iam_member" "schedule_uses_bucket" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.fn["schedule"].email}"
}

resource "google_pubsub_topic_iam_member" "schedule_publishes_ingest" {
  topic  = google_pubsub_topic.stage["ingest"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["schedule"].email}"
}

resource "google_pubsub_topic_iam_member" "schedule_publishes_dead_letter" {
  topic  = google_pubsub_topic.stage["dead_letter"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["schedule"].email}"
}

# ---- stockopsIngest: writes bars, quarantine, features, run records; archives raw responses.
resource "google_bigquery_dataset_iam_member" "ingest_writes_dataset" {
  dataset_id = google_bigquery_dataset.stockops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.fn["ingest"].email}"
}

# Upserts are MERGE query jobs; jobs exist only at project level. Data access still comes only from
# the dataset binding above.
resource "google_project_iam_member" "ingest_runs_jobs" {
  project = var.project
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.fn["ingest"].email}"
}

resource "google_storage_bucket_iam_member" "ingest_uses_bucket" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.fn["ingest"].email}"
}

resource "google_pubsub_topic_iam_member" "ingest_publishes_model" {
  topic  = google_pubsub_topic.stage["model"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["ingest"].email}"
}

resource "google_pubsub_topic_iam_member" "ingest_publishes_dead_letter" {
  topic  = google_pubsub_topic.stage["dead_letter"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["ingest"].email}"
}

# ---- stockopsModel: reads bars/features, writes decisions, predictions, ledger, drift; model
# versions and the MLflow outbox in the bucket; logs to MLflow.
resource "google_bigquery_dataset_iam_member" "model_writes_dataset" {
  dataset_id = google_bigquery_dataset.stockops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.fn["model"].email}"
}

resource "google_project_iam_member" "model_runs_jobs" {
  project = var.project
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.fn["model"].email}"
}

resource "google_storage_bucket_iam_member" "model_uses_bucket" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.fn["model"].email}"
}

resource "google_pubsub_topic_iam_member" "model_publishes_done" {
  topic  = google_pubsub_topic.stage["done"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["model"].email}"
}

resource "google_pubsub_topic_iam_member" "model_publishes_dead_letter" {
  topic  = google_pubsub_topic.stage["dead_letter"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["model"].email}"
}

# The model function is the only one that logs to MLflow, so the only reader of its credentials.
resource "google_secret_manager_secret_iam_member" "model_reads_mlflow" {
  for_each  = google_secret_manager_secret.mlflow
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn["model"].email}"
}

# ---- Eventarc's invoker identity: may invoke the three functions' services, nothing else.
resource "google_cloud_run_service_iam_member" "invoker_runs_function" {
  for_each = google_cloudfunctions2_function.fn
  location = var.region
  service  = each.value.name # a 2nd gen function's Cloud Run service has the function's name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker.email}"
}

# Pub/Sub mints the OIDC token of the invoker account for the triggers' push requests.
resource "google_service_account_iam_member" "pubsub_signs_as_invoker" {
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# ---- Cloud Scheduler's service agent publishes the daily run message to the schedule topic only.
# ---- stockopsCommit: reads the staged batches in the bucket, commits them to the dataset.
resource "google_bigquery_dataset_iam_member" "commit_writes_dataset" {
  dataset_id = google_bigquery_dataset.stockops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.fn["commit"].email}"
}

resource "google_project_iam_member" "commit_runs_jobs" {
  project = var.project
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.fn["commit"].email}"
}

resource "google_storage_bucket_iam_member" "commit_uses_bucket" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.fn["commit"].email}"
}

# The follow-up flush re-drives the tickers of a stalled run (docs/scale.md).
resource "google_pubsub_topic_iam_member" "commit_publishes_ingest" {
  topic  = google_pubsub_topic.stage["ingest"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["commit"].email}"
}

resource "google_pubsub_topic_iam_member" "commit_publishes_dead_letter" {
  topic  = google_pubsub_topic.stage["dead_letter"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn["commit"].email}"
}

# The follow-up flush job publishes to the done topic.
resource "google_pubsub_topic_iam_member" "scheduler_publishes_done" {
  topic  = google_pubsub_topic.stage["done"].name
  role   = "roles/pubsub.publisher"
  member = local.scheduler_agent
}

resource "google_pubsub_topic_iam_member" "scheduler_publishes_schedule" {
  topic  = google_pubsub_topic.stage["schedule"].name
  role   = "roles/pubsub.publisher"
  member = local.scheduler_agent
}

# ---- Dead-lettering: Pub/Sub's service agent forwards undeliverable messages to the dead-letter
# topic and must be able to acknowledge them on the source subscription. For the subscription
# Terraform owns that is below; for the Eventarc-owned trigger subscriptions the deploy script
# grants the same on each subscription (pubsub.tf says why).
resource "google_pubsub_topic_iam_member" "pubsub_publishes_dead_letter" {
  topic  = google_pubsub_topic.stage["dead_letter"].name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_acks_done" {
  subscription = google_pubsub_subscription.done.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# ---- The builder: writes images to the functions' repository, reads the source bucket, writes
# build logs (logging has no finer-grained binding than the project).
resource "google_artifact_registry_repository_iam_member" "builder_writes_images" {
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_storage_bucket_iam_member" "builder_reads_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_project_iam_member" "builder_logs" {
  project = var.project
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.builder.email}"
}

# ---- The backfill job (backfill-job.tf): the model function's data access, without the bus.
resource "google_bigquery_dataset_iam_member" "backfill_writes_dataset" {
  dataset_id = google_bigquery_dataset.stockops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.backfill.email}"
}

resource "google_project_iam_member" "backfill_runs_jobs" {
  project = var.project
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.backfill.email}"
}

resource "google_storage_bucket_iam_member" "backfill_uses_bucket" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.backfill.email}"
}

# It trains and registers models like the model function, so it logs to MLflow too.
resource "google_secret_manager_secret_iam_member" "backfill_reads_mlflow" {
  for_each  = google_secret_manager_secret.mlflow
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.backfill.email}"
}
