#!/usr/bin/env bash
# fake-gcs-server, the Cloud Storage emulator, for tests and `make up`.
#   gcs.sh install        builds it into .cache/emulators/gcs/ (idempotent: a stamp holding the pinned
#                         version makes a second call a no-op; the cold build is about 300 CPU-seconds)
#   gcs.sh start <port> [dir]
#                         runs it in the foreground on 127.0.0.1:<port>, in memory, or with its
#                         objects in <dir> (kept across restarts: the outage tests need that)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION='v1.56.1'
DIR="${STOCKOPS_GCS_EMULATOR_DIR:-$ROOT/.cache/emulators/gcs}"
BIN="$DIR/fake-gcs-server"
STAMP="$DIR/.stockops-install-stamp"

installed() { [[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$VERSION" ]]; }

install() {
  installed && return 0
  mkdir -p "$DIR"
  # Concurrent callers (parallel test files, make -j) wait for one build instead of racing go.
  exec 9>"$DIR.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  installed && return 0
  if ! command -v go >/dev/null 2>&1; then
    echo "gcs.sh: go not found; fake-gcs-server $VERSION is built with go install (Go 1.26+)" >&2
    exit 1
  fi
  # fake-gcs-server v1.56.1's go.mod says `go 1.26`; GOTOOLCHAIN=local never downloads a newer Go.
  local have
  have="$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/')"
  if [[ "$(printf '%s\n' 1.26 "$have" | sort -V | head -1)" != 1.26 ]]; then
    echo "gcs.sh: fake-gcs-server $VERSION needs Go 1.26 or newer; this go is $have" >&2
    exit 1
  fi
  echo "gcs.sh: building fake-gcs-server $VERSION into $DIR (one-off, a few minutes)" >&2
  GOTOOLCHAIN=local GOBIN="$DIR" GOFLAGS=-buildvcs=false \
    nice -n 10 go install "github.com/fsouza/fake-gcs-server@$VERSION"
  printf '%s' "$VERSION" >"$STAMP"
}

case "${1:-}" in
  install)
    install
    ;;
  start)
    PORT="${2:?usage: gcs.sh start <port> [dir]}"
    install
    # Loopback host, and memory or the given folder: the defaults are 0.0.0.0 and a filesystem at /storage.
    BACKEND=(-backend memory)
    if [[ -n "${3:-}" ]]; then BACKEND=(-backend filesystem -filesystem-root "$3"); fi
    exec "$BIN" -scheme http -host 127.0.0.1 -port "$PORT" "${BACKEND[@]}" \
      -external-url "http://127.0.0.1:$PORT" -log-level warn
    ;;
  *)
    echo "usage: $0 install | start <port> [dir]" >&2
    exit 2
    ;;
esac
