output "uri" {
  description = "The server's URL: MLFLOW_TRACKING_URI, and the audience of the ID tokens callers present."
  value       = google_cloud_run_v2_service.mlflow.uri
}

output "service" {
  description = "The Cloud Run service, its Cloud SQL instance, the artifact bucket and the database password secret."
  value = {
    name            = google_cloud_run_v2_service.mlflow.name
    uri             = google_cloud_run_v2_service.mlflow.uri
    sql_instance    = google_sql_database_instance.mlflow.name
    sql_connection  = google_sql_database_instance.mlflow.connection_name
    artifact_bucket = google_storage_bucket.artifacts.name
    password_secret = google_secret_manager_secret.db_password.secret_id
    database        = var.database
  }
}
