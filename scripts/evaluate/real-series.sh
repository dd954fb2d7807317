#!/usr/bin/env bash
# The evaluation table of docs/serving-and-evaluation.md: `stockops evaluate` over the real series in ../shared/data/ohlc and
# the bundled S&P 500, each over the years its file covers (after a 3-year training window), into
# one warehouse (.data/evaluate). Model forecasts are cached in .data/evaluate/artifacts/evaluate/, so
# a second run only re-scores the policy. Usage: scripts/evaluate/real-series.sh [extra flags]
set -euo pipefail
cd "$(dirname "$0")/../.."
export STOCKOPS_DATA_DIR=${STOCKOPS_DATA_DIR:-.data/evaluate}
run() { node dist/pipelines/cli.js evaluate --config stockops.evaluate.json "$@"; }
if [ -d ../shared/data/ohlc ]; then
  run --tickers AAPL --from 2008-01-02 --to 2018-01-19 "${@}"
  run --tickers GOOG --from 2008-01-02 --to 2018-01-19 "${@}"
  run --tickers SPY --from 2011-01-03 --to 2017-12-29 "${@}"
  run --tickers INTC --from 1999-01-04 --to 2004-04-08 "${@}"
  run --tickers GE --from 2005-01-03 --to 2015-06-08 "${@}"
else
  echo "no ../shared/data/ohlc beside the checkout: the bundled S&P 500 only" >&2
fi
run --source bundled --tickers SP500 --from 2005-01-03 --to 2020-04-17 "${@}"
