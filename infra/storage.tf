# The pipeline's bucket (STOCKOPS_BUCKET): models/<ticker>/<version>/…, raw/<ticker>/<date>.json,
# mlflow-outbox/…. Private by construction: uniform bucket-level access (IAM only, no ACLs) and
# public access prevention enforced.
resource "google_storage_bucket" "data" {
  name                        = local.bucket_name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  # Versioning keeps an overwritten manifest or a deleted model recoverable for a while.
  versioning {
    enabled = true
  }

  # Raw market-data archives: re-fetchable and already in BigQuery, so they cool, then go.
  lifecycle_rule {
    condition {
      age            = var.raw_archive_nearline_days
      matches_prefix = ["raw/"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }
  lifecycle_rule {
    condition {
      age            = var.raw_archive_delete_days
      matches_prefix = ["raw/"]
    }
    action {
      type = "Delete"
    }
  }

  # Old model versions move to Coldline but are never deleted by age: a version that has not been
  # retrained away may still be the champion the model function loads every day. Retiring versions
  # is the registry's job, not a lifecycle rule's.
  lifecycle_rule {
    condition {
      age                   = var.model_coldline_days
      matches_prefix        = ["models/"]
      matches_storage_class = ["STANDARD", "NEARLINE"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "COLDLINE"
    }
  }

  # Bookkeeping that only matters for days: a run's fan-in markers (its re-drive looks 7 days back)
  # and MLflow delivery claims (an older claim only saves a search; the outbox's sync always
  # searches). docs/scale.md.
  lifecycle_rule {
    condition {
      age            = var.bookkeeping_delete_days
      matches_prefix = ["warehouse-staging/runs/", "mlflow-outbox/claims/"]
    }
    action {
      type = "Delete"
    }
  }

  # Overwritten or deleted generations (old manifests, replaced model files, delivered outbox
  # entries) are removed after a while.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_delete_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

# Function source zips, read only by the builder account; old ones are removed.
resource "google_storage_bucket" "source" {
  name                        = "${local.bucket_name}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  lifecycle_rule {
    condition {
      age = 90
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}
