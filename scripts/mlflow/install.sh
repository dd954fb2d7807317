#!/usr/bin/env bash
# Installs the MLflow tracking server into a project-local venv (.venv/mlflow).
# Idempotent: a stamp file holding the pinned requirement makes a second run a no-op.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${MLFLOW_VENV:-$ROOT/.venv/mlflow}"
# Pinned: 3.17.2 is the newest release whose mlflow-skinny twin is published. The `auth` extra
# brings Flask-WTF, which `mlflow server --app-name basic-auth` needs.
REQUIREMENT='mlflow[auth]==3.17.2'
STAMP="$VENV/.stockops-install-stamp"

if [[ -x "$VENV/bin/mlflow" && -f "$STAMP" && "$(cat "$STAMP")" == "$REQUIREMENT" ]]; then
  exit 0
fi

# Concurrent callers (parallel test files) wait for one installer instead of racing pip.
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [[ -x "$VENV/bin/mlflow" && -f "$STAMP" && "$(cat "$STAMP")" == "$REQUIREMENT" ]]; then
  exit 0
fi

PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "install.sh: $PYTHON not found; MLflow needs Python 3.10+ (set PYTHON=/path/to/python3)" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "install.sh: $("$PYTHON" --version 2>&1) is too old; MLflow 3 needs Python 3.10+" >&2
  exit 1
fi

echo "install.sh: installing $REQUIREMENT into $VENV (one-off, a few minutes)" >&2
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$REQUIREMENT"
"$VENV/bin/mlflow" --version >&2
printf '%s' "$REQUIREMENT" >"$STAMP"
