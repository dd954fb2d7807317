output "topics" {
  description = "The pipeline's Pub/Sub topics by stage."
  value       = { for k, t in google_pubsub_topic.stage : k => t.name }
}

output "bucket" {
  description = "The pipeline's bucket (STOCKOPS_BUCKET)."
  value       = google_storage_bucket.data.name
}

output "dataset" {
  description = "The BigQuery dataset (STOCKOPS_BQ_DATASET), as project.dataset."
  value       = "${var.project}.${google_bigquery_dataset.stockops.dataset_id}"
}

output "dashboard_url" {
  description = "The dashboard (make dashboard-url): the Looker Studio report when dashboard_report_id is set, else the dataset's views in the BigQuery console."
  value = (var.dashboard_report_id != ""
    ? "https://lookerstudio.google.com/reporting/${var.dashboard_report_id}"
  : "https://console.cloud.google.com/bigquery?project=${var.project}&ws=!1m4!1m3!3m2!1s${var.project}!2s${google_bigquery_dataset.stockops.dataset_id}")
}

output "functions" {
  description = "The functions by stage: name, entry point and trigger topic."
  value = { for k, f in google_cloudfunctions2_function.fn : k => {
    name        = f.name
    entry_point = local.functions[k].entry_point
    topic       = google_pubsub_topic.stage[local.functions[k].trigger].name
  } }
}

output "region" {
  description = "Region of the functions (the deploy script looks up their trigger subscriptions there)."
  value       = var.region
}

output "dead_letter" {
  description = "Dead-letter topic id and the retry policy the deploy script applies to the trigger subscriptions."
  value = {
    topic                 = google_pubsub_topic.stage["dead_letter"].id
    max_delivery_attempts = local.max_delivery_attempts
    min_retry_delay       = local.retry_min_backoff
    max_retry_delay       = local.retry_max_backoff
    pubsub_agent          = local.pubsub_agent
  }
}

output "views" {
  description = "Dashboard views created from dashboards/views/*.sql."
  value       = sort(keys(google_bigquery_table.view))
}
