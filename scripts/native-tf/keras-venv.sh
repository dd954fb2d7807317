#!/usr/bin/env bash
# Creates the project-local virtual environment .venv/keras for bench/keras_reference.py, from
# bench/requirements-keras.txt. Idempotent: a stamp holding the requirements' hash makes a repeat
# run instant; a changed requirements file rebuilds the venv. Reuses the tensorflow-cpu wheel that
# scripts/native-tf/install.sh cached, so the ~270 MB wheel is downloaded at most once.
# Prints the venv's python path on stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv/keras"
REQ="$ROOT/bench/requirements-keras.txt"
WHEELS="$ROOT/.cache/native-tf/wheels"
STAMP="$VENV/.requirements.sha256"

PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null || { echo "keras-venv: $PY not found" >&2; exit 1; }
# TensorFlow 2.21 publishes wheels for CPython 3.10-3.13 only.
"$PY" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)' || {
  echo "keras-venv: TensorFlow needs Python 3.10-3.13, $PY is $("$PY" -V 2>&1)" >&2
  exit 1
}

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -x "$VENV/bin/python" ]]; then
  echo "$VENV/bin/python"
  exit 0
fi

rm -rf "$VENV"
"$PY" -m venv "$VENV"
mkdir -p "$WHEELS"
start=$(date +%s)
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  --find-links "$WHEELS" -r "$REQ" >&2
echo "keras-venv: installed in $(($(date +%s) - start)) s" >&2
echo "$want" >"$STAMP"
echo "$VENV/bin/python"
