#!/usr/bin/env bash
# The Pub/Sub emulator: pstest (cloud.google.com/go/pubsub/v2, the Go client's in-memory server) in
# a small main of our own (scripts/emulators/pubsub/main.go, pinned by its go.mod/go.sum).
#   scripts/emulators/pubsub.sh install        builds .cache/emulators/pubsub/pstest (cached)
#   scripts/emulators/pubsub.sh start <port>   runs it in the foreground on 127.0.0.1:<port>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="$root/scripts/emulators/pubsub"
out="$root/.cache/emulators/pubsub"
bin="$out/pstest"
# The binary is rebuilt only when its sources change: the stamp holds their hash.
hash="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)"

install() {
  if [[ -x "$bin" && "$(cat "$out/stamp" 2>/dev/null)" == "$hash" ]]; then return 0; fi
  command -v go >/dev/null || { echo "pubsub emulator: Go is needed to build pstest (install golang)" >&2; exit 1; }
  mkdir -p "$out"
  local t0=$SECONDS
  (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 nice -n 10 go build -trimpath -o "$bin.tmp.$$" .)
  mv "$bin.tmp.$$" "$bin"
  echo "$hash" >"$out/stamp"
  echo "pubsub emulator built in $((SECONDS - t0)) s: $bin" >&2
}

case "${1:-}" in
  install) install ;;
  start)
    port="${2:?usage: pubsub.sh start <port>}"
    install
    exec "$bin" -addr "127.0.0.1:$port"
    ;;
  *) echo "usage: $0 install | start <port>" >&2; exit 1 ;;
esac
