#!/usr/bin/env bash
# `make mlflow`: a local MLflow tracking server with a SQLite store and proxied artifacts under .data/mlflow/.
# Bound to 127.0.0.1 only; point the pipeline at it with MLFLOW_TRACKING_URI=http://127.0.0.1:$MLFLOW_PORT.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/mlflow/install.sh"

PORT="${MLFLOW_PORT:-5000}"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
  echo "serve.sh: MLFLOW_PORT must be a port number (1-65535), got '$PORT'" >&2
  exit 1
fi
DATA="${MLFLOW_DATA_DIR:-$ROOT/.data/mlflow}"
mkdir -p "$DATA/artifacts"
DATA="$(cd "$DATA" && pwd)"

echo "MLflow UI: http://127.0.0.1:$PORT  (store: $DATA/mlflow.db, artifacts: $DATA/artifacts)"
echo "Use it:    export MLFLOW_TRACKING_URI=http://127.0.0.1:$PORT"
# The job runner (huey consumers for GenAI scorers) is a dozen extra processes this pipeline never uses.
export MLFLOW_SERVER_ENABLE_JOB_EXECUTION="${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}"
# `make mlflow ARGS='--app-name basic-auth'` (admin password from MLFLOW_AUTH_ADMIN_PASSWORD, 12+ chars):
# the user store and a stable CSRF key live beside the run store instead of in the current folder.
if [[ " $* " == *" basic-auth "* ]]; then
  if [[ -z "${MLFLOW_AUTH_CONFIG_PATH:-}" ]]; then
    export MLFLOW_AUTH_CONFIG_PATH="$DATA/basic_auth.ini"
    cat >"$MLFLOW_AUTH_CONFIG_PATH" <<INI
[mlflow]
default_permission = READ
database_uri = sqlite:///$DATA/basic_auth.db
admin_username = ${MLFLOW_AUTH_ADMIN_USERNAME:-admin}
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
INI
  fi
  if [[ -z "${MLFLOW_FLASK_SERVER_SECRET_KEY:-}" ]]; then
    KEY_FILE="$DATA/flask-secret-key"
    [[ -s "$KEY_FILE" ]] || (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$KEY_FILE")
    MLFLOW_FLASK_SERVER_SECRET_KEY="$(cat "$KEY_FILE")"
    export MLFLOW_FLASK_SERVER_SECRET_KEY
  fi
fi
# The server's own security middleware already accepts Host 127.0.0.1/localhost; no --allowed-hosts needed.
cd "$DATA"
exec "$ROOT/.venv/mlflow/bin/mlflow" server \
  --backend-store-uri "sqlite:///$DATA/mlflow.db" \
  --artifacts-destination "$DATA/artifacts" \
  --serve-artifacts \
  --host 127.0.0.1 \
  --port "$PORT" \
  --workers "${MLFLOW_WORKERS:-2}" \
  "$@"
