# The MLflow tracking server on Cloud Run (docs/mlflow-server.md): runs and the model registry in
# Cloud SQL for PostgreSQL, artifacts in a private bucket of its own behind the server's artifact
# proxy (--serve-artifacts, which the pipeline's client requires). Private: Cloud Run checks IAM on
# every request, and run.invoker goes only to var.invokers (never allUsers); callers send a
# Google-signed ID token whose audience is the service URL.
#
# The database password: Terraform creates the secret but never its value, so it never sits in the
# state (the same rule as the MLflow credentials in infra/secrets.tf). Once, after the first apply:
# add a version to the secret and create the database user with that password (the commands are in
# docs/mlflow-server.md). Until then the server's revisions fail to start, and nothing else breaks.

locals {
  name = "${var.name_prefix}-mlflow"
}

resource "google_service_account" "mlflow" {
  account_id   = local.name
  display_name = "StockOps MLflow tracking server (Cloud Run)"
}

# ---- Artifact store: the server reads and writes it; callers reach it only through the proxy.
resource "google_storage_bucket" "artifacts" {
  name                        = "${var.project}-${local.name}"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels
  force_destroy               = !var.deletion_protection
}

resource "google_storage_bucket_iam_member" "server_uses_artifacts" {
  bucket = google_storage_bucket.artifacts.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.mlflow.email}"
}

# ---- Backend store.
resource "google_sql_database_instance" "mlflow" {
  name                = local.name
  region              = var.region
  database_version    = "POSTGRES_16"
  deletion_protection = var.deletion_protection

  settings {
    edition                     = "ENTERPRISE"
    tier                        = var.sql_tier
    availability_type           = "ZONAL"
    disk_autoresize             = true
    deletion_protection_enabled = var.deletion_protection
    user_labels                 = var.labels

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }

    # A public IP with no authorised networks: only the Cloud SQL connector (Cloud Run's
    # /cloudsql socket, IAM-checked through roles/cloudsql.client) reaches it, and only encrypted.
    ip_configuration {
      ipv4_enabled = true
      ssl_mode     = "ENCRYPTED_ONLY"
    }
  }
}

resource "google_sql_database" "mlflow" {
  name     = var.database.name
  instance = google_sql_database_instance.mlflow.name
}

resource "google_secret_manager_secret" "db_password" {
  secret_id = "${local.name}-db-password"
  labels    = var.labels

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_member" "server_reads_password" {
  secret_id = google_secret_manager_secret.db_password.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.mlflow.email}"
}

# Cloud SQL roles exist only at project level.
resource "google_project_iam_member" "server_connects_sql" {
  project = var.project
  role    = "roles/cloudsql.client"
  member  = "serviceAccount:${google_service_account.mlflow.email}"
}

# ---- The server.
resource "google_cloud_run_v2_service" "mlflow" {
  name                = local.name
  location            = var.region
  deletion_protection = var.deletion_protection
  labels              = var.labels
  # Reachable from the functions and the job, which have no VPC: authentication is IAM's job.
  ingress = "INGRESS_TRAFFIC_ALL"

  template {
    service_account                  = google_service_account.mlflow.email
    timeout                          = "300s"
    max_instance_request_concurrency = 20

    scaling {
      min_instance_count = 0
      max_instance_count = var.max_instances
    }

    volumes {
      name = "cloudsql"
      cloud_sql_instance {
        instances = [google_sql_database_instance.mlflow.connection_name]
      }
    }

    containers {
      image = var.image

      ports {
        container_port = 5000
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "2Gi"
        }
      }

      volume_mounts {
        name       = "cloudsql"
        mount_path = "/cloudsql"
      }

      # Read by scripts/infra/mlflow/entrypoint.sh, which builds the server's command line.
      env {
        name  = "CLOUD_SQL_CONNECTION"
        value = google_sql_database_instance.mlflow.connection_name
      }
      env {
        name  = "MLFLOW_DB_NAME"
        value = var.database.name
      }
      env {
        name  = "MLFLOW_DB_USER"
        value = var.database.user
      }
      env {
        name  = "MLFLOW_ARTIFACTS_DESTINATION"
        value = "gs://${google_storage_bucket.artifacts.name}/artifacts"
      }
      env {
        name = "MLFLOW_DB_PASSWORD"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.db_password.secret_id
            version = "latest"
          }
        }
      }

      startup_probe {
        initial_delay_seconds = 5
        period_seconds        = 5
        failure_threshold     = 24
        http_get {
          path = "/health"
        }
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.server_reads_password,
    google_project_iam_member.server_connects_sql,
    google_storage_bucket_iam_member.server_uses_artifacts,
  ]
}

# Only the pipeline's accounts and the named operators may call it. Keyed by a name known at plan
# time (a new account's email is not).
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = var.invokers
  project  = var.project
  location = google_cloud_run_v2_service.mlflow.location
  name     = google_cloud_run_v2_service.mlflow.name
  role     = "roles/run.invoker"
  member   = each.value
}
