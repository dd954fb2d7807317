variable "project" {
  description = "Google Cloud project id that hosts the pipeline."
  type        = string
}

variable "region" {
  description = "Region of the functions, topics' message storage, the bucket and the scheduler job."
  type        = string
  default     = "us-east1"
}

variable "bigquery_location" {
  description = "BigQuery dataset location (a multi-region such as US, or a region)."
  type        = string
  default     = "US"
}

variable "state_bucket" {
  description = "Name of the GCS bucket that holds Terraform state (created once, see README)."
  type        = string
}

variable "topic_prefix" {
  description = "Prefix of every topic (config bus.topicPrefix, env STOCKOPS_TOPIC_PREFIX)."
  type        = string
  default     = "stockops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.topic_prefix))
    error_message = "topic_prefix must be 2-20 characters (it prefixes service account ids, at most 30) of lower-case letters, digits and '-', starting with a letter."
  }
}

variable "watchlist" {
  description = "Tickers the daily run covers (env STOCKOPS_TICKERS)."
  type        = list(string)
  default     = ["SPY", "AAPL", "MSFT"]

  validation {
    condition     = length(var.watchlist) > 0 && alltrue([for t in var.watchlist : can(regex("^[A-Z0-9.^=-]{1,20}$", t))])
    error_message = "watchlist must be a non-empty list of upper-case ticker symbols (A-Z, 0-9, . ^ = -)."
  }
}

variable "schedule" {
  description = "Cron expression of the daily run, in schedule_time_zone. Default: 16:30 on weekdays, after the 16:00 US close."
  type        = string
  default     = "30 16 * * 1-5"
}

variable "schedule_time_zone" {
  description = "Time zone of the schedule (the watched exchanges close in New York)."
  type        = string
  default     = "America/New_York"
}

variable "run_deadline_hour_utc" {
  description = "UTC hour (0-23) by which the day's run must have finished on a weekday, else an alert fires. Cloud Monitoring evaluates in UTC: 23 is 18:00 in New York in winter, 19:00 in summer."
  type        = number
  default     = 23

  validation {
    condition     = var.run_deadline_hour_utc >= 0 && var.run_deadline_hour_utc <= 23 && floor(var.run_deadline_hour_utc) == var.run_deadline_hour_utc
    error_message = "run_deadline_hour_utc must be an integer hour from 0 to 23."
  }
}

variable "run_window_hours" {
  description = "How far back, from the deadline hour, a finished ticker counts for the day's run."
  type        = number
  default     = 6
}

variable "mlflow_tracking_uri" {
  description = "MLflow tracking server URI (http or https). Empty: the model function tracks locally under /tmp, which is lost when an instance recycles; set it in production."
  type        = string
  default     = ""

  validation {
    condition     = var.mlflow_tracking_uri == "" || can(regex("^https?://", var.mlflow_tracking_uri))
    error_message = "mlflow_tracking_uri must be empty or start with http:// or https://."
  }
}

variable "mlflow_basic_auth" {
  description = "Mount the MLflow username/password secrets into the model function. Add their versions first (README): Terraform never holds the values."
  type        = bool
  default     = false
}

variable "notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/<p>/notificationChannels/<id>) every alert goes to."
  type        = list(string)
  default     = []
}

variable "mase_alert_threshold" {
  description = "Served-model MASE (realised, any horizon) at or above which the MASE-breach alert fires. The naive forecast scores 1."
  type        = number
  default     = 1.5
}

variable "bucket_name" {
  description = "Name of the pipeline's bucket (STOCKOPS_BUCKET). Empty: <project>-stockops."
  type        = string
  default     = ""
}

variable "dataset" {
  description = "BigQuery dataset id (STOCKOPS_BQ_DATASET)."
  type        = string
  default     = "stockops"
}

variable "raw_archive_nearline_days" {
  description = "Age in days after which raw market-data archives (raw/) move to Nearline."
  type        = number
  default     = 30
}

variable "raw_archive_delete_days" {
  description = "Age in days after which raw market-data archives (raw/) are deleted; the bars stay in BigQuery."
  type        = number
  default     = 400
}

variable "model_coldline_days" {
  description = "Age in days after which model version files (models/) move to Coldline (never deleted by age: an old version may still be the champion)."
  type        = number
  default     = 180
}

variable "bookkeeping_delete_days" {
  description = "Days after which the fan-in's run markers (warehouse-staging/runs/) and MLflow delivery claims (mlflow-outbox/claims/) are deleted. At least 8: the follow-up flush re-drives runs up to 7 days old."
  type        = number
  default     = 30
  validation {
    condition     = var.bookkeeping_delete_days >= 8
    error_message = "bookkeeping_delete_days must be at least 8 (the re-drive looks 7 days back)."
  }
}

variable "noncurrent_delete_days" {
  description = "Days after which an overwritten or deleted object's previous generation is removed."
  type        = number
  default     = 30
}

variable "source_zip" {
  description = "Path of the function source zip that scripts/infra/package.ts built (set by the deploy script)."
  type        = string
}

variable "git_commit" {
  description = "Git commit the functions were built from (STOCKOPS_GIT_COMMIT, for lineage; set by the deploy script)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{7,40}(-dirty)?$", var.git_commit))
    error_message = "git_commit must be a git commit hash (7-40 hex digits), optionally with -dirty."
  }
}

variable "dashboard_report_id" {
  description = "Looker Studio report id of the dashboard, once created (README). Empty: the dashboard output links to the dataset's views in the BigQuery console."
  type        = string
  default     = ""
}

variable "deletion_protection" {
  description = "Protect the BigQuery tables from `terraform destroy` (set false only to tear everything down)."
  type        = bool
  default     = true
}

variable "max_instances" {
  description = "Maximum instances per function (see functions.tf for the reasoning behind each default)."
  type = object({
    schedule = number
    ingest   = number
    model    = number
    commit   = number
  })
  default = {
    schedule = 1
    ingest   = 5
    model    = 10
    commit   = 1
  }
}

variable "max_delivery_attempts" {
  description = "Deliveries of one message before Pub/Sub dead-letters it (5 to 100). A push that finds every instance busy is answered 429 and uses one up; with thousands of tickers raise it (docs/scale.md), and the follow-up flush re-drives whatever was dead-lettered anyway."
  type        = number
  default     = 5
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub accepts max_delivery_attempts from 5 to 100."
  }
}

variable "flush_schedule" {
  description = "Cron expression (schedule_time_zone) of the follow-up that commits whatever is still staged: late, redelivered or never-reported tickers (docs/scale.md). Default: 18:30 on weekdays, two hours after the daily run."
  type        = string
  default     = "30 18 * * 1-5"
}
