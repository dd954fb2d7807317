# Alerting. The functions log JSON lines (pipelines/log.ts) that Cloud Logging parses into
# jsonPayload; the log-based metrics below count the lines of this contract:
#   - a failed ticker: message "ticker failed", with `stage` (ingest|features|model|forecast|drift|
#     record) and `ticker` (functions/handlers.ts, when a ticker fails for good);
#   - a dead-lettered message: a message matching "dead-letter" (the functions log a malformed
#     message once before publishing it to <prefix>-dead-letter), plus Pub/Sub's own forwarding,
#     which the dead-letter topic's publish count catches;
#   - a ticker's result, once per ticker and run from the model function: message "ticker result"
#     with `datasetDrift` (boolean, null when too few sessions) and `servedMaseMax` (the largest
#     realised MASE over the horizons of the forecasts served in the accuracy window, null before
#     any outcome; functions/result-log.ts).
# tests/infra/alerts.test.ts runs the handlers and checks each filter matches a line they write.
# Everything goes to var.notification_channels.
locals {
  function_logs = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=(${join(" OR ", [for f in local.functions : "\"${f.name}\""])})"

  log_metrics = {
    failed_tickers = {
      description = "Tickers whose daily run failed, by stage."
      filter      = "${local.function_logs} AND jsonPayload.message=\"ticker failed\""
      labels      = { stage = "EXTRACT(jsonPayload.stage)", ticker = "EXTRACT(jsonPayload.ticker)" }
    }
    dead_lettered = {
      description = "Messages the functions sent to the dead-letter topic."
      filter      = "${local.function_logs} AND jsonPayload.message=~\"dead-letter\""
      labels      = {}
    }
    dataset_drift = {
      description = "Tickers whose day showed dataset drift."
      filter      = "${local.function_logs} AND jsonPayload.datasetDrift=true"
      labels      = { ticker = "EXTRACT(jsonPayload.ticker)" }
    }
    served_mase_breach = {
      description = "Tickers whose serving model's realised MASE reached ${var.mase_alert_threshold}."
      filter      = "${local.function_logs} AND jsonPayload.servedMaseMax>=${var.mase_alert_threshold}"
      labels      = { ticker = "EXTRACT(jsonPayload.ticker)" }
    }
  }
}

resource "google_logging_metric" "pipeline" {
  for_each    = local.log_metrics
  name        = "${var.topic_prefix}/${each.key}"
  description = each.value.description
  filter      = each.value.filter

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"

    dynamic "labels" {
      for_each = each.value.labels
      content {
        key        = labels.key
        value_type = "STRING"
      }
    }
  }

  label_extractors = each.value.labels

  depends_on = [google_project_service.apis]
}

# One alert per log-based metric: any occurrence within an hour is worth a look.
resource "google_monitoring_alert_policy" "pipeline" {
  for_each              = google_logging_metric.pipeline
  display_name          = "StockOps: ${replace(each.key, "_", " ")}"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  documentation {
    content   = "${local.log_metrics[each.key].description} Filter: `${local.log_metrics[each.key].filter}`. See pipeline_runs in BigQuery for the reason."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "${each.key} > 0"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${each.value.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = contains(keys(local.log_metrics[each.key].labels), "stage") ? ["metric.label.stage"] : []
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }
}

# Pub/Sub's own dead-lettering (a message that failed max_delivery_attempts times) logs nothing in
# the functions: count publishes to the dead-letter topic instead.
resource "google_monitoring_alert_policy" "dead_letter_topic" {
  display_name          = "StockOps: messages on ${local.topic_names.dead_letter}"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  documentation {
    content   = "Messages reached ${local.topic_names.dead_letter}; they are kept on ${google_pubsub_subscription.dead_letter_hold.name} for 7 days."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "publishes to the dead-letter topic"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/topic/send_message_operation_count\" AND resource.type=\"pubsub_topic\" AND resource.labels.topic_id=\"${google_pubsub_topic.stage["dead_letter"].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "3600s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }
}

# Silence is a failure too: on a weekday at run_deadline_hour_utc, if nothing was published to the
# done topic in the last run_window_hours, the day's run did not finish. PromQL because only it can
# say "at this hour"; it evaluates in UTC, hence the UTC variable.
resource "google_monitoring_alert_policy" "run_not_finished" {
  display_name          = "StockOps: the day's run did not finish by ${var.run_deadline_hour_utc}:00 UTC"
  combiner              = "OR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  documentation {
    content   = "No ticker result reached ${local.topic_names.done} in the ${var.run_window_hours} h before ${var.run_deadline_hour_utc}:00 UTC on a weekday. Check the scheduler job ${google_cloud_scheduler_job.daily.name} and the functions' logs."
    mime_type = "text/markdown"
  }

  conditions {
    display_name = "no done message before the deadline"
    condition_prometheus_query_language {
      query               = "absent_over_time(pubsub_googleapis_com:topic_send_message_operation_count{monitored_resource=\"pubsub_topic\",topic_id=\"${google_pubsub_topic.stage["done"].name}\"}[${var.run_window_hours}h]) and on() (hour() == ${var.run_deadline_hour_utc}) and on() (day_of_week() >= 1 <= 5)"
      duration            = "0s"
      evaluation_interval = "300s"
    }
  }

  alert_strategy {
    auto_close = "43200s"
  }
}
