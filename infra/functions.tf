# The three Cloud Functions (2nd gen, nodejs24), one per step of the daily path (functions/index.ts:
# schedule -> ingest -> model), each with its own service account (iam.tf) and an Eventarc Pub/Sub
# trigger with retry on.
#
# Sizing, and the figure behind each setting (README "Performance": `make bench`, 2026-11-22, on a
# busy 2-core machine, figures ±30 %; ingest measured for this issue, see infra/README section):
# - stockopsModel trains or loads the LSTM on native TensorFlow, forecasts, scores drift and records.
#   memory 2Gi: a training day's fit at the defaults (5 members, 1260 sessions) on one CPU
#     (taskset -c 0, TF threads 1 + 1; docs/model.md "Training cost") peaked at 694 MiB RSS, the
#     whole daily training day at 1039 MiB (README, make bench); 2 GiB leaves ~2x headroom for the
#     in-memory /tmp and BigQuery/MLflow clients.
#   cpu 1: Cloud Run needs at least 1 vCPU above 1 GiB. TF threads 1 + 1 (env below): TensorFlow
#     would size its pools from the host's cores, not the 1-vCPU quota.
#   timeout 540 s: the maximum for an event-driven function. That fit took 23.9 CPU-s on one CPU
#     (206 s wall there, sharing it at load ~20: an uncontended vCPU pays about the CPU-seconds;
#     early stopping ended every member after 3 epochs, ~1.6 CPU-s per member-epoch); at the
#     30-epoch cap (config model.epochs) it would be ~240 s plus load/record, so 540 s holds.
#   concurrency 1: one training at a time per instance (two would need 2.3 GiB and split the vCPU).
#   max instances 10 (variable): the loaded-model daily path took 0.14-0.42 s per ticker, so 10
#     instances clear a 100-ticker watchlist in well under a minute without flooding BigQuery/MLflow.
# - stockopsIngest fetches one ticker's bars and writes bars + features; it never imports TensorFlow.
#   memory 512Mi: ingest + features of SP500 from the first day (2590 bars, 33 241 feature rows, the
#     worst case: a full backfill) peaked at 242 MiB RSS here; 512 MiB is ~2x that.
#   cpu 0.5, concurrency 1: below 1 vCPU Cloud Run allows only one request at a time.
#   timeout 300 s: the whole daily path took under 0.5 s per ticker; the rest is room for Yahoo's
#     retries with backoff (config source.retries) on a slow day.
#   max instances 5 (variable): limits parallel requests to Yahoo.
# - stockopsCommit (docs/scale.md) is the fan-in on the done topic: it marks each ticker reported and,
#   when the run is complete (or on the follow-up flush), commits the day's staged writes: one load
#   job and one MERGE per table, in one transaction. The flush also re-publishes to the ingest topic,
#   once per run, the tickers of a stalled run that never reported (dead-lettered after their
#   delivery attempts), so the run still completes.
#   memory 1Gi, cpu 1: not measured in the cloud; the commit holds a day's staged rows (a few dozen
#     per ticker) and the BigQuery client. timeout 540 s: the commit's MERGEs wait for each table.
#   max instances 1 (variable): commits never run concurrently, so they never cancel each other.
# - stockopsSchedule only validates the message and publishes one message per ticker.
#   memory 256Mi, cpu 0.167, timeout 60 s, concurrency 1, max instances 1: not measured; the smallest
#     size with room over Node 24's own footprint, and one run a day needs one instance.
locals {
  common_env = {
    STOCKOPS_WAREHOUSE = "bigquery"
    # Per-ticker writes go to batch objects in the bucket; stockopsCommit commits the day (docs/scale.md).
    STOCKOPS_WAREHOUSE_WRITES = "staged"
    GOOGLE_CLOUD_PROJECT      = var.project
    STOCKOPS_BQ_DATASET       = google_bigquery_dataset.stockops.dataset_id
    STOCKOPS_BUCKET           = google_storage_bucket.data.name
    STOCKOPS_BUS              = "pubsub"
    STOCKOPS_TOPIC_PREFIX     = var.topic_prefix
    STOCKOPS_TICKERS          = join(",", var.watchlist)
    STOCKOPS_GIT_COMMIT       = var.git_commit
    # Only /tmp is writable on a function instance (and it is memory): local scratch goes there.
    STOCKOPS_DATA_DIR = "/tmp/stockops"
  }

  functions = {
    schedule = {
      name        = "${var.topic_prefix}-schedule"
      entry_point = "stockopsSchedule"
      trigger     = "schedule"
      publishes   = ["ingest", "dead_letter"]
      memory      = "256Mi"
      cpu         = "0.167"
      timeout     = 60
      concurrency = 1
      env         = {}
      mlflow      = false
    }
    ingest = {
      name        = "${var.topic_prefix}-ingest"
      entry_point = "stockopsIngest"
      trigger     = "ingest"
      publishes   = ["model", "dead_letter"]
      memory      = "512Mi"
      cpu         = "0.5"
      timeout     = 300
      concurrency = 1
      env         = { STOCKOPS_SOURCE = "yahoo" }
      mlflow      = false
    }
    model = {
      name        = "${var.topic_prefix}-model"
      entry_point = "stockopsModel"
      trigger     = "model"
      publishes   = ["done", "dead_letter"]
      memory      = "2Gi"
      cpu         = "1"
      timeout     = 540
      concurrency = 1
      # Production runs native TensorFlow: the deploy package installs tfjs-node with its install
      # script (scripts/infra/package.ts), and `tensorflow` makes a missing addon a failure, not wasm.
      # TensorFlow sizes its thread pools from the host's cores, not the instance's 1-vCPU quota:
      # set 1 + 1 explicitly (docs/model.md, "Threads": measured at 1 CPU with taskset -c 0).
      env = merge(
        {
          STOCKOPS_TF_BACKEND         = "tensorflow"
          STOCKOPS_TF_INTRAOP_THREADS = "1"
          STOCKOPS_TF_INTEROP_THREADS = "1"
        },
        local.mlflow_env,
      )
      mlflow = true
    }
    commit = {
      name        = "${var.topic_prefix}-commit"
      entry_point = "stockopsCommit"
      trigger     = "done"
      publishes   = ["ingest", "dead_letter"]
      memory      = "1Gi"
      cpu         = "1"
      timeout     = 540
      concurrency = 1
      env         = {}
      mlflow      = false
    }
  }

  mlflow_secrets = {
    MLFLOW_TRACKING_USERNAME = google_secret_manager_secret.mlflow["username"].secret_id
    MLFLOW_TRACKING_PASSWORD = google_secret_manager_secret.mlflow["password"].secret_id
  }
}

# Function images live in the project's own repository, written only by the builder account.
resource "google_artifact_registry_repository" "functions" {
  location      = var.region
  repository_id = "${var.topic_prefix}-functions"
  format        = "DOCKER"
  description   = "StockOps function images (Cloud Functions 2nd gen builds)."
  labels        = local.labels

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 10
    }
  }

  depends_on = [google_project_service.apis]
}

# The zip scripts/infra/package.ts built; its name carries the commit and the content hash, so a new
# build is a new object and the functions redeploy.
resource "google_storage_bucket_object" "function_source" {
  name   = "functions/${var.git_commit}-${filemd5(var.source_zip)}.zip"
  bucket = google_storage_bucket.source.name
  source = var.source_zip
}

resource "google_cloudfunctions2_function" "fn" {
  for_each    = local.functions
  name        = each.value.name
  location    = var.region
  description = "StockOps ${each.key} (${each.value.entry_point}), commit ${var.git_commit}."
  labels      = merge(local.labels, { stage = each.key })

  build_config {
    runtime           = "nodejs24"
    entry_point       = each.value.entry_point
    service_account   = google_service_account.builder.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout
    max_instance_count               = var.max_instances[each.key]
    min_instance_count               = 0
    max_instance_request_concurrency = each.value.concurrency
    service_account_email            = google_service_account.fn[each.key].email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    environment_variables            = merge(local.common_env, each.value.env)

    dynamic "secret_environment_variables" {
      for_each = each.value.mlflow && var.mlflow_basic_auth ? local.mlflow_secrets : {}
      content {
        key        = secret_environment_variables.key
        project_id = var.project
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.stage[each.value.trigger].id
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.invoker.email
  }

  depends_on = [
    google_project_service.apis,
    google_artifact_registry_repository_iam_member.builder_writes_images,
    google_storage_bucket_iam_member.builder_reads_source,
    google_project_iam_member.builder_logs,
    google_secret_manager_secret_iam_member.model_reads_mlflow,
  ]
}
