# Where the model function and the backfill job track (docs/mlflow-server.md). Either:
# - mlflow_server = true: the optional module below runs the MLflow tracking server on Cloud Run,
#   with a Cloud SQL PostgreSQL backend store and its own private bucket as the artifact store.
#   The service takes only authenticated requests: run.invoker is granted to the pipeline's
#   service accounts (model function, backfill job) and the named operators, never allUsers. The
#   pipeline authenticates with a Google-signed ID token for the service's URL
#   (STOCKOPS_MLFLOW_AUTH=google-id-token, pipelines/ports/tracking/google-id-token.ts); or
# - mlflow_tracking_uri: a server you already run (basic auth through mlflow_basic_auth); or
# - neither: local tracking under /tmp, lost when an instance recycles.
module "mlflow" {
  source = "./modules/mlflow"
  count  = var.mlflow_server ? 1 : 0

  project             = var.project
  region              = var.region
  name_prefix         = var.topic_prefix
  image               = var.mlflow_image
  labels              = local.labels
  deletion_protection = var.deletion_protection
  invokers = merge(
    {
      model    = "serviceAccount:${google_service_account.fn["model"].email}"
      backfill = "serviceAccount:${google_service_account.backfill.email}"
    },
    { for m in var.mlflow_operators : m => m },
  )

  depends_on = [google_project_service.apis]
}

locals {
  mlflow_tracking_uri = var.mlflow_server ? module.mlflow[0].uri : var.mlflow_tracking_uri
  # The tracking settings of every process that logs to MLflow (the model function, the backfill job).
  mlflow_env = local.mlflow_tracking_uri == "" ? {} : merge(
    { MLFLOW_TRACKING_URI = local.mlflow_tracking_uri },
    var.mlflow_server ? { STOCKOPS_MLFLOW_AUTH = "google-id-token" } : {},
  )
}

output "mlflow" {
  description = "The MLflow tracking server the pipeline logs to (empty: local tracking), and the module's server when mlflow_server is on."
  value = {
    tracking_uri = local.mlflow_tracking_uri
    server       = var.mlflow_server ? module.mlflow[0].service : null
  }

  precondition {
    condition     = !(var.mlflow_server && var.mlflow_tracking_uri != "")
    error_message = "Set either mlflow_server = true (run the server here) or mlflow_tracking_uri (a server you already have), not both."
  }
}

variable "mlflow_server" {
  description = "Run the MLflow tracking server on Cloud Run with a Cloud SQL PostgreSQL store (infra/modules/mlflow). Off by default."
  type        = bool
  default     = false
}

variable "mlflow_image" {
  description = "Container image of the MLflow server (set by scripts/infra/deploy.sh when mlflow_server is on; built from scripts/infra/mlflow/Dockerfile)."
  type        = string
  default     = ""

  validation {
    condition     = var.mlflow_image == "" || can(regex("^[a-z0-9-]+-docker\\.pkg\\.dev/[^/]+/[^/]+/[^:@]+[:@].+$", var.mlflow_image))
    error_message = "mlflow_image must be empty or an Artifact Registry image reference with a tag or digest."
  }
}

variable "mlflow_operators" {
  description = "People or groups who may open the MLflow server (run.invoker), e.g. [\"user:ana@example.com\", \"group:ml@example.com\"]. Never allUsers or allAuthenticatedUsers."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.mlflow_operators : can(regex("^(user|group|serviceAccount|domain):.+", m))])
    error_message = "mlflow_operators must be IAM members such as user:… or group:… (allUsers and allAuthenticatedUsers are refused: the server is private)."
  }
}
