#!/usr/bin/env bash
# The figures behind the backfill job's sizing (docs/backfills.md): wall time and peak RSS of one
# task's work per ticker, on this machine, through the same CLI the job runs.
#   1. seeding the ledger: `evaluate --seed-ledger` of one series (stockops.evaluate.json, fresh
#      forecast cache, so every retrain trains);
#   2. a backfill of two months of sessions for one ticker at the default model (5 members, 30
#      epochs): the first session trains, the rest load, one retrain when the champion ages.
# Needs ../shared/data/ohlc (the real series). Usage: nice scripts/backfill/measure-sizing.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
[ -d ../shared/data/ohlc ] || { echo "needs ../shared/data/ohlc beside the checkout" >&2; exit 1; }
OUT="${1:-.data/sizing}"
rm -rf "$OUT" && mkdir -p "$OUT"
measure() {
  local name="$1"; shift
  STOCKOPS_DATA_DIR="$OUT/$name" /usr/bin/time -f "$name: %e s wall, %U s user, %M KiB peak RSS" \
    tsx pipelines/cli.ts "$@" >"$OUT/$name.log" 2>&1 || { tail -20 "$OUT/$name.log"; exit 1; }
  tail -1 "$OUT/$name.log"
}
measure seed-spy evaluate --seed-ledger --config stockops.evaluate.json --tickers SPY \
  --from 2011-01-03 --to 2017-12-29 --task-index 0 --task-count 1
measure backfill-spy backfill --csv-dir ../shared/data/ohlc --tickers SPY \
  --from 2017-11-01 --to 2017-12-29
# The training days of the backfill, with the model stage's own seconds and peak RSS.
grep '"decision":"train"' "$OUT/backfill-spy.log" | grep -o '"seconds":[0-9.]*,"maxRssMiB":[0-9]*' || true
echo "$(grep -c '"day done"' "$OUT/backfill-spy.log") sessions replayed"
