locals {
  # The daily path's topics (the same names as pipelines/ports/bus/topics.ts derives from config
  # bus.topicPrefix): scheduler -> schedule -> ingest -> model -> done.
  topic_names = {
    schedule    = "${var.topic_prefix}-schedule"
    ingest      = "${var.topic_prefix}-ingest"
    model       = "${var.topic_prefix}-model"
    done        = "${var.topic_prefix}-done"
    dead_letter = "${var.topic_prefix}-dead-letter"
  }

  bucket_name = var.bucket_name != "" ? var.bucket_name : "${var.project}-stockops"

  # Retry of every subscription (Eventarc's, set by the deploy script, and ours below): exponential
  # backoff from 10 s to 10 min, then the dead-letter topic after max_delivery_attempts.
  retry_min_backoff     = "10s"
  retry_max_backoff     = "600s"
  max_delivery_attempts = var.max_delivery_attempts

  labels = { app = "stockops", managed-by = "terraform" }
}

data "google_project" "this" {
  project_id = var.project
}
