# The daily run: after the US close, in New York time, publishing the schedule message
# ({ date?, tickers? }; empty = today in New York and the functions' STOCKOPS_TICKERS) to the
# schedule function's trigger topic. Cloud Scheduler publishes as its service agent, which gets
# publisher on that one topic (iam.tf).
resource "google_cloud_scheduler_job" "daily" {
  name        = "${var.topic_prefix}-daily"
  description = "StockOps daily run: publishes the run message to ${local.topic_names.schedule}."
  region      = var.region
  schedule    = var.schedule
  time_zone   = var.schedule_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.stage["schedule"].id
    data       = base64encode(jsonencode({}))
    attributes = { source = "cloud-scheduler" }
  }

  retry_config {
    retry_count          = 3
    min_backoff_duration = "30s"
    max_backoff_duration = "600s"
  }

  depends_on = [google_project_service.apis, google_pubsub_topic_iam_member.scheduler_publishes_schedule]
}

# The follow-up: `{"flush": true}` on the done topic makes stockopsCommit commit whatever is still
# staged (tickers that reported after the run's commit, redeliveries, or none at all).
resource "google_cloud_scheduler_job" "flush" {
  name        = "${var.topic_prefix}-flush"
  description = "StockOps follow-up: commits the staged writes left after the daily run (${local.topic_names.done})."
  region      = var.region
  schedule    = var.flush_schedule
  time_zone   = var.schedule_time_zone

  pubsub_target {
    topic_name = google_pubsub_topic.stage["done"].id
    data       = base64encode(jsonencode({ flush = true }))
    attributes = { source = "cloud-scheduler" }
  }

  retry_config {
    retry_count          = 3
    min_backoff_duration = "30s"
    max_backoff_duration = "600s"
  }

  depends_on = [google_project_service.apis, google_pubsub_topic_iam_member.scheduler_publishes_done]
}
