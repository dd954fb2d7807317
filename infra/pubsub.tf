# Topics, one per stage, plus the dead-letter topic.
#
# What Terraform can and cannot set on the functions' subscriptions: each function's Eventarc
# Pub/Sub trigger creates and owns its push subscription (eventarc-<region>-<function>-…). Terraform
# sets `retry_policy = RETRY_POLICY_RETRY` on the trigger (functions.tf), but the provider exposes no
# dead-letter or backoff settings for that subscription, and declaring it here would fight
# Eventarc over it. So `scripts/infra/deploy.sh`, right after `terraform apply`, looks each
# trigger's subscription up and sets the dead-letter topic, max delivery attempts and the backoff
# below with `gcloud pubsub subscriptions update` (idempotent; rerun on every deploy because a
# function redeploy may recreate the subscription). The subscriptions Terraform owns (below) carry
# the same policy declaratively.

resource "google_pubsub_topic" "stage" {
  for_each = local.topic_names
  name     = each.value
  labels   = local.labels

  # A topic's messages stay in the pipeline's region.
  message_storage_policy {
    allowed_persistence_regions = [var.region]
  }

  depends_on = [google_project_service.apis]
}

# Dead-lettered messages are kept for a week for inspection and replay; the dead-letter alert
# (monitoring.tf) fires on every message published here.
resource "google_pubsub_subscription" "dead_letter_hold" {
  name                       = "${local.topic_names.dead_letter}-hold"
  topic                      = google_pubsub_topic.stage["dead_letter"].id
  labels                     = local.labels
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  retain_acked_messages      = true

  expiration_policy {
    ttl = "" # never expires while unused
  }
}

# Each ticker's final result, for consumers outside the pipeline (and the "run finished" alert's
# metric comes from publishes to this topic). Same retry and dead-letter policy as the triggers.
resource "google_pubsub_subscription" "done" {
  name                       = "${local.topic_names.done}-results"
  topic                      = google_pubsub_topic.stage["done"].id
  labels                     = local.labels
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = local.retry_min_backoff
    maximum_backoff = local.retry_max_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.stage["dead_letter"].id
    max_delivery_attempts = local.max_delivery_attempts
  }
}
