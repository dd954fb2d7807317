#!/bin/sh
# Regenerates tests/golden/dm-test-r-forecast.json from R (Debian bookworm: R 4.2, forecast 8.20-1). Run as root from the repo root; make test never needs R.
set -eu; command -v Rscript >/dev/null && Rscript -e 'library(forecast)' >/dev/null 2>&1 || { apt-get update && apt-get install -y --no-install-recommends r-base-core r-cran-forecast; }; Rscript scripts/golden/dm-test.R tests/golden/dm-test-r-forecast.json
