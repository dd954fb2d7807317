variable "project" {
  description = "Project id."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run service, the Cloud SQL instance and the artifact bucket."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every name (the pipeline's topic_prefix)."
  type        = string
}

variable "image" {
  description = "The MLflow server image (scripts/infra/mlflow/Dockerfile: mlflow, psycopg2, google-cloud-storage)."
  type        = string

  validation {
    condition     = var.image != ""
    error_message = "image is required: scripts/infra/deploy.sh builds it and sets mlflow_image when mlflow_server is on."
  }
}

variable "invokers" {
  description = "IAM members allowed to call the server (run.invoker), by a name known at plan time: the pipeline's service accounts and named operators."
  type        = map(string)

  validation {
    condition     = alltrue([for m in values(var.invokers) : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "The MLflow server is private: allUsers and allAuthenticatedUsers may not invoke it."
  }
}

variable "labels" {
  description = "Labels on every resource."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Protect the Cloud SQL instance (the runs and the registry) and the service from destroy."
  type        = bool
  default     = true
}

variable "sql_tier" {
  description = "Cloud SQL machine tier. db-custom-1-3840 (1 vCPU, 3.75 GB) is the smallest dedicated-core tier of the Enterprise edition; the shared-core db-g1-small is cheaper but has no SLA."
  type        = string
  default     = "db-custom-1-3840"
}

variable "database" {
  description = "PostgreSQL database and user names of the backend store."
  type        = object({ name = string, user = string })
  default     = { name = "mlflow", user = "mlflow" }
}

variable "max_instances" {
  description = "Maximum server instances. Each keeps its own pool of database connections."
  type        = number
  default     = 3
}
