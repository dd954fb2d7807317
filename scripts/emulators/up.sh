#!/usr/bin/env bash
# `make up`: installs (cached) and starts the three Google Cloud emulators on free loopback ports, in the
# background, and writes their endpoints to .data/emulators.env (git-ignored) for `make cloud-demo` and shells:
#   set -a; . .data/emulators.env; set +a
set -euo pipefail
cd "$(dirname "$0")/../.."
state=.data/emulators
mkdir -p "$state"
if [ -f "$state/pids" ] && xargs -r kill -0 <"$state/pids" 2>/dev/null; then
  echo "emulators already running (make down stops them):"; cat .data/emulators.env; exit 0
fi
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { # host port name log
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$3 did not start on $1:$2; its log:" >&2; tail -20 "$4" >&2; return 1
}
: >"$state/pids"
for name in gcs bigquery pubsub; do scripts/emulators/$name.sh install; done
gcs=$(free_port); bq=$(free_port); ps=$(free_port)
setsid scripts/emulators/gcs.sh start "$gcs" >"$state/gcs.log" 2>&1 & echo $! >>"$state/pids"
setsid scripts/emulators/bigquery.sh start "$bq" >"$state/bigquery.log" 2>&1 & echo $! >>"$state/pids"
setsid scripts/emulators/pubsub.sh start "$ps" >"$state/pubsub.log" 2>&1 & echo $! >>"$state/pids"
wait_port 127.0.0.1 "$gcs" gcs "$state/gcs.log"
wait_port 127.0.0.1 "$bq" bigquery "$state/bigquery.log"
wait_port 127.0.0.1 "$ps" pubsub "$state/pubsub.log"
cat >.data/emulators.env <<ENV
GOOGLE_CLOUD_PROJECT=stockops-local
METADATA_SERVER_DETECTION=none
STORAGE_EMULATOR_HOST=http://127.0.0.1:$gcs/storage/v1
BIGQUERY_EMULATOR_HOST=http://127.0.0.1:$bq/bigquery/v2
PUBSUB_EMULATOR_HOST=127.0.0.1:$ps
ENV
echo "emulators up (logs in $state/):"; cat .data/emulators.env
