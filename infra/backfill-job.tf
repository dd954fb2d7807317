# Backfills and `stockops evaluate --seed-ledger` on a Cloud Run job (docs/backfills.md): the same
# `stockops` CLI the laptop runs, in a container, one shard of the watchlist per task. Each task
# reads CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT (pipelines/config.ts) and takes every
# count-th ticker of the sorted watchlist (pipelines/shard.ts); CLOUD_RUN_EXECUTION names the
# execution, so every task gives a replayed day the same run id. Writes go through the same
# warehouse port as the functions, so a task retried, or a whole execution run again, leaves the
# same rows.
#
# Why a job and not the functions: an event-driven function is stopped at 540 s, and seeding the
# ledger trains an ensemble per ticker per retrain (measured 145-325 s per series on the 2-core
# development machine with stockops.evaluate.json; docs/backfills.md has the sizing). A task may run
# up to 7 days (var.backfill_task_timeout, default 3 h).
#
# The image: scripts/infra/deploy.sh builds it with Cloud Build from the same compiled package as
# the functions (scripts/infra/backfill/Dockerfile), with tfjs-node's install script allowed, so
# libtensorflow downloads in the cloud build exactly as in the functions' build; a failed download
# fails the build. The tag carries the commit and the package's content hash.
locals {
  backfill_env = merge(
    # No bus: a backfill publishes nothing.
    { for k, v in local.common_env : k => v if k != "STOCKOPS_BUS" },
    {
      STOCKOPS_SOURCE     = "yahoo"
      STOCKOPS_TF_BACKEND = "tensorflow"
      # A task is one process with 2 vCPUs: TensorFlow's pools take both (config.ts caps the
      # tickers in parallel to match), so a task runs its tickers one after another.
      STOCKOPS_CONCURRENCY = "1"
    },
    local.mlflow_env,
  )
}

# Where scripts/infra/images.sh builds and pushes the job's (and the MLflow server's) image: from
# variables alone, so `terraform console` gives it before anything exists.
locals {
  image_build = {
    region         = var.region
    repository     = "${var.region}-docker.pkg.dev/${var.project}/${var.topic_prefix}-functions"
    builder        = "projects/${var.project}/serviceAccounts/${var.topic_prefix}-builder@${var.project}.iam.gserviceaccount.com"
    staging_bucket = "${local.bucket_name}-source"
    mlflow_server  = var.mlflow_server
  }
}

resource "google_service_account" "backfill" {
  account_id   = "${var.topic_prefix}-backfill"
  display_name = "StockOps backfill and ledger-seeding job (Cloud Run)"
}

# Declared when the deploy has built its image (always, through make deploy / make plan).
resource "google_cloud_run_v2_job" "backfill" {
  count               = var.backfill_image != "" ? 1 : 0
  name                = "${var.topic_prefix}-backfill"
  location            = var.region
  deletion_protection = false # a job holds no data: the warehouse and bucket do
  labels              = merge(local.labels, { stage = "backfill" })

  template {
    labels      = local.labels
    task_count  = var.backfill_tasks
    parallelism = var.backfill_parallelism

    template {
      service_account = google_service_account.backfill.email
      timeout         = var.backfill_task_timeout
      # A retried task replays its whole shard; every write is an upsert, so that is safe.
      max_retries = 2

      containers {
        image = var.backfill_image
        # No default arguments: each execution names its command (docs/backfills.md), e.g.
        # gcloud run jobs execute stockops-backfill --args=backfill,--from,2021-01-04,--to,2021-12-31
        command = ["node", "dist/pipelines/cli.js"]

        resources {
          # 2 vCPU: training runs on native TensorFlow's thread pools. 4 GiB: native training peaked
          # at 1134 MiB RSS (functions.tf); the evaluate walk-forward keeps an ensemble's forecasts
          # of years in memory beside it (not measured separately: ~3.5x headroom).
          limits = {
            cpu    = "2"
            memory = "4Gi"
          }
        }

        dynamic "env" {
          for_each = local.backfill_env
          content {
            name  = env.key
            value = env.value
          }
        }

        dynamic "env" {
          for_each = var.mlflow_basic_auth && !var.mlflow_server ? local.mlflow_secrets : {}
          content {
            name = env.key
            value_source {
              secret_key_ref {
                secret  = env.value
                version = "latest"
              }
            }
          }
        }
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.backfill_reads_mlflow,
  ]
}

variable "backfill_image" {
  description = "Container image of the backfill job, set by scripts/infra/deploy.sh, which builds it (<region>-docker.pkg.dev/<project>/<prefix>-functions/backfill:<commit>-<hash>). Empty: no job."
  type        = string
  default     = ""

  validation {
    condition     = var.backfill_image == "" || can(regex("^[a-z0-9-]+-docker\\.pkg\\.dev/[^/]+/[^/]+/[^:@]+[:@].+$", var.backfill_image))
    error_message = "backfill_image must be empty (no job) or an Artifact Registry image reference with a tag or digest."
  }
}

variable "backfill_tasks" {
  description = "Tasks per execution of the backfill job: the watchlist is split into this many shards (an execution may override it with --tasks). docs/backfills.md sizes it."
  type        = number
  default     = 50

  validation {
    condition     = var.backfill_tasks >= 1 && var.backfill_tasks <= 10000 && floor(var.backfill_tasks) == var.backfill_tasks
    error_message = "backfill_tasks must be a whole number from 1 to 10000 (Cloud Run's limit)."
  }
}

variable "backfill_parallelism" {
  description = "Tasks running at once. The default, 10, is the model function's max instances: the warehouse, Yahoo and MLflow see no more writers than on a daily run."
  type        = number
  default     = 10

  validation {
    condition     = var.backfill_parallelism >= 1 && floor(var.backfill_parallelism) == var.backfill_parallelism
    error_message = "backfill_parallelism must be a whole number of at least 1."
  }
}

variable "backfill_task_timeout" {
  description = "Time limit of one task (a duration in seconds, e.g. 10800s). Cloud Run allows up to 168 h; the functions stop at 540 s."
  type        = string
  default     = "10800s"

  validation {
    condition     = try(tonumber(regex("^([0-9]+)s$", var.backfill_task_timeout)[0]) <= 604800, false)
    error_message = "backfill_task_timeout must be whole seconds with an s suffix, at most 604800s (7 days)."
  }
}

output "backfill_job" {
  description = "The backfill job (gcloud run jobs execute <name> --region <region> --args=…), or null before its image was built."
  value       = var.backfill_image != "" ? { name = google_cloud_run_v2_job.backfill[0].name, region = var.region, image = var.backfill_image } : null
}
