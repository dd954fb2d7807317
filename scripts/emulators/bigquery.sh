#!/usr/bin/env bash
# The BigQuery emulator: PyPI's bqemulator (DuckDB + SQLGlot), in a venv under .cache/emulators/bigquery/.
#   bigquery.sh install                        idempotent: a stamp holding the pins makes a second run a no-op
#   bigquery.sh start <port> [--data-dir DIR]  foreground, REST on 127.0.0.1:<port> (gRPC on a free port);
#                                              in memory, or kept in DIR across restarts with --data-dir
# goccy's bigquery-emulator is not obtainable here (the Go proxy answers 403), hence the Python one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${BIGQUERY_EMULATOR_DIR:-$ROOT/.cache/emulators/bigquery}"
VENV="$DIR/venv"
# bqemulator runs `INSTALL spatial` (and loads avro) at start, which needs the network; the two
# extensions come from their PyPI wheels instead, copied into this private HOME's DuckDB folder.
EMU_HOME="$DIR/home"
DUCKDB_VERSION=1.5.5
PINS=(bqemulator==1.4.0 "duckdb==$DUCKDB_VERSION" "duckdb-extension-spatial==$DUCKDB_VERSION"
  "duckdb-extension-avro==$DUCKDB_VERSION" numpy)
STAMP="$VENV/.stockops-install-stamp"
EXT_DIR="$EMU_HOME/.duckdb/extensions/v$DUCKDB_VERSION/linux_amd64"

installed() {
  [[ -x "$VENV/bin/bqemulator" && -f "$STAMP" && "$(cat "$STAMP")" == "${PINS[*]}" ]] &&
    [[ -f "$EXT_DIR/spatial.duckdb_extension" && -f "$EXT_DIR/avro.duckdb_extension" ]]
}

install() {
  installed && return 0
  mkdir -p "$DIR"
  # Parallel test files wait for one installer instead of racing pip.
  exec 9>"$DIR/install.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  installed && return 0
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
    echo "bigquery.sh: bqemulator needs Python 3.10+ ($python: $("$python" --version 2>&1 || echo missing))" >&2
    exit 1
  fi
  echo "bigquery.sh: installing ${PINS[*]} into $VENV (one-off, a few minutes)" >&2
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
  local site
  site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  mkdir -p "$EXT_DIR"
  for ext in spatial avro; do
    cp "$site/duckdb_extension_$ext/extensions/v$DUCKDB_VERSION/$ext.duckdb_extension" "$EXT_DIR/"
  done
  printf '%s' "${PINS[*]}" >"$STAMP"
}

case "${1:-}" in
  install)
    install
    ;;
  start)
    PORT="${2:-}"
    if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
      echo "usage: bigquery.sh start <port> [--data-dir DIR]  (port 1-65535, got '$PORT')" >&2
      exit 2
    fi
    shift 2
    MODE=(--ephemeral)
    if [[ "${1:-}" == "--data-dir" ]]; then
      [[ -n "${2:-}" ]] || { echo "bigquery.sh: --data-dir needs a folder" >&2; exit 2; }
      mkdir -p "$2"
      MODE=(--persistent --data-dir "$2")
    elif [[ -n "${1:-}" ]]; then
      echo "bigquery.sh: unknown option '$1'" >&2
      exit 2
    fi
    install
    # exec: the caller's signal reaches the emulator itself, so stopping it stops the server.
    HOME="$EMU_HOME" exec "$VENV/bin/bqemulator" start --rest-host 127.0.0.1 --rest-port "$PORT" \
      --grpc-host 127.0.0.1 --grpc-port 0 "${MODE[@]}" --log-format console --log-level warning
    ;;
  *)
    echo "usage: bigquery.sh install | start <port> [--data-dir DIR]" >&2
    exit 2
    ;;
esac
