# MLflow credentials. Terraform creates the two secrets but never their values (they would sit in
# the state): add versions once with `gcloud secrets versions add` (README), then set
# mlflow_basic_auth = true. Only the model function's account may read them (iam.tf): it is the only
# function that logs to MLflow (training and prediction runs).
resource "google_secret_manager_secret" "mlflow" {
  for_each  = toset(["username", "password"])
  secret_id = "${var.topic_prefix}-mlflow-${each.key}"
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}
