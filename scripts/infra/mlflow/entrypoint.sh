#!/bin/sh
# Starts the MLflow server on Cloud Run (infra/modules/mlflow sets the variables): runs and registry
# in Cloud SQL through the /cloudsql socket Cloud Run mounts, artifacts proxied to the bucket
# (--serve-artifacts: the pipeline's client uploads through the server, never to the bucket).
# Cloud Run checks IAM before a request arrives, so Host headers of *.run.app are accepted.
set -eu
: "${CLOUD_SQL_CONNECTION:?}" "${MLFLOW_DB_NAME:?}" "${MLFLOW_DB_USER:?}" "${MLFLOW_DB_PASSWORD:?}"
: "${MLFLOW_ARTIFACTS_DESTINATION:?}"
# The password goes into a URL: percent-encode it.
password=$(python -c 'import os, urllib.parse; print(urllib.parse.quote(os.environ["MLFLOW_DB_PASSWORD"], safe=""))')
exec mlflow server \
  --host 0.0.0.0 --port "${PORT:-5000}" --workers "${MLFLOW_WORKERS:-2}" \
  --backend-store-uri "postgresql+psycopg2://${MLFLOW_DB_USER}:${password}@/${MLFLOW_DB_NAME}?host=/cloudsql/${CLOUD_SQL_CONNECTION}" \
  --artifacts-destination "${MLFLOW_ARTIFACTS_DESTINATION}" --serve-artifacts \
  --allowed-hosts "${MLFLOW_ALLOWED_HOSTS:-*.run.app}"
