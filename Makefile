# StockOps. Every target does its own set-up: `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Node 24 (the Cloud Functions runtime) comes from the npm package `node`, first on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
STAMP := node_modules/.install-stamp

.PHONY: scale-test evaluate install native-tf mlflow-venv emulators emulator-gcs emulator-bigquery emulator-pubsub up down cloud-demo browser build demo run test test-unit lint format typecheck plan deploy destroy infra-validate infra-schema mlflow bench keras-venv clean \
	dashboard dashboard-url docs

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(STAMP)

install: $(STAMP)

# The native TensorFlow backend, built offline from PyPI's tensorflow-cpu wheel (cached in .cache/).
# Never fails the caller: when it cannot be built the pipeline uses wasm. STOCKOPS_NATIVE_TF=0 skips it.
native-tf: install
	scripts/native-tf/install.sh

# fake-gcs-server (the Cloud Storage emulator) built with go into .cache/emulators/gcs: about 300
# CPU-seconds once, nothing after (a stamp holds the pinned version).
emulator-gcs:
	scripts/emulators/gcs.sh install

# pstest from cloud.google.com/go/pubsub/v2 in our own Go main (needs Go >= 1.26, GOTOOLCHAIN=local).
emulator-pubsub:
	scripts/emulators/pubsub.sh install

build: install
	tsc -p tsconfig.build.json

demo: build native-tf
	node dist/pipelines/cli.js demo

run: build native-tf
	node dist/pipelines/cli.js run $(ARGS)

# `stockops evaluate` over the real series (../shared/data/ohlc) and the bundled S&P 500: the
# evaluation table in docs/serving-and-evaluation.md. Long (it trains the ensemble once a year per
# series); forecasts are cached.
evaluate: build native-tf
	scripts/evaluate/real-series.sh $(ARGS)

# The MLflow server's virtualenv (.venv/mlflow), installed here rather than inside a test hook that can time out.
mlflow-venv:
	scripts/mlflow/install.sh

# Everything CI checks: types, lint and formatting first, then every test (unit, fuzz, DuckDB, real MLflow).
test: install native-tf mlflow-venv emulators browser typecheck lint infra-schema
	scripts/infra/fmt-check.sh
	vitest run

# The fast tier: pure tests only (no server, no warehouse file, no CLI process).
test-unit: install
	vitest run --project unit

# Every emulator the tests use (loopback only), installed once into .cache/emulators/ and cached.
emulators: emulator-gcs emulator-bigquery emulator-pubsub

# The BigQuery emulator (PyPI's bqemulator in .cache/emulators/bigquery/venv): a few minutes once, then
# a stamp check.
emulator-bigquery:
	scripts/emulators/bigquery.sh install

# Debian's Chromium for the dashboard's browser test (apt-get, only when /usr/bin/chromium is missing).
browser:
	scripts/browser/install.sh

# The local dashboard: one self-contained HTML file drawn from the DuckDB warehouse's views.
DASHBOARD_WAREHOUSE ?= $(or $(STOCKOPS_DUCKDB_PATH),.data/demo/warehouse.duckdb)
dashboard: build
	node dist/dashboards/cli.js render --warehouse "$(DASHBOARD_WAREHOUSE)" $(if $(DASHBOARD_OUT),--out "$(DASHBOARD_OUT)")

# The Looker Studio Linking API URL that creates the report from the template, on your project's views.
# make dashboard-url LOOKER_TEMPLATE_REPORT_ID=<id> GOOGLE_CLOUD_PROJECT=<project> [STOCKOPS_BQ_DATASET=stockops]
STOCKOPS_BQ_DATASET ?= stockops
dashboard-url: build
	@node dist/dashboards/cli.js url --template "$(LOOKER_TEMPLATE_REPORT_ID)" \
		--project "$(GOOGLE_CLOUD_PROJECT)" --dataset "$(STOCKOPS_BQ_DATASET)" \
		$(if $(LOOKER_BILLING_PROJECT),--billing-project "$(LOOKER_BILLING_PROJECT)")

# The three emulators in the background on free loopback ports; endpoints in .data/emulators.env.
up: install emulators
	scripts/emulators/up.sh

down:
	scripts/emulators/down.sh

# The scheduler's message through Pub/Sub, the three functions, BigQuery and Cloud Storage (all
# emulated; `make up` first), then the same ticker messages again: nothing may change.
cloud-demo: install native-tf
	tsx scripts/cloud/demo.ts $(ARGS)

# The fan-out load test (docs/scale.md): N synthetic tickers through emulated Pub/Sub, the four
# functions as processes, emulated BigQuery behind the limits model and Cloud Storage, writes staged.
# Writes .data/scale/report.json (counts, redelivery, projection to 5,000 tickers, cost of a day).
TICKERS ?= 20
scale-test: install native-tf emulators
	TICKERS=$(TICKERS) tsx scripts/scale/main.ts

lint: install
	eslint --max-warnings 0 .
	prettier --check .

format: install
	prettier --write .
	eslint --fix .

typecheck: install
	tsc -p tsconfig.json --noEmit

# A local MLflow server (project venv, SQLite store under .data/mlflow), bound to 127.0.0.1.
mlflow:
	scripts/mlflow/serve.sh $(ARGS)

# Google Cloud (infra/, docs/deploying.md). Each stops with a clear message and exit 1
# when STOCKOPS_PROJECT, STOCKOPS_STATE_BUCKET or credentials are missing; destroy asks first.
plan: install
	scripts/infra/deploy.sh plan

deploy: install
	scripts/infra/deploy.sh apply

destroy: install
	scripts/infra/deploy.sh destroy

# infra/ (and infra/modules/*) against the Google provider's schema, offline: unknown resource types,
# arguments and blocks, missing required ones, wrong nesting, deprecated arguments, each with file and
# line. The schema (hashicorp/google 6.50.0 from npm's @cdktf/provider-google) is fetched once into
# .cache/provider-schema; tests/infra/schema-check.test.ts runs the same check in `vitest run`.
infra-schema: install
	scripts/infra/provider-schema.sh
	tsx scripts/infra/schema-check.ts

# `terraform init -backend=false` + `terraform validate` offline, against the Google provider built
# from the Go module proxy into .cache/terraform (about 30 CPU-minutes once, then cached). Not part
# of `make test`: too long for CI.
infra-validate:
	scripts/infra/validate.sh

# docs/configuration.md and docs/warehouse-tables.md, generated from the config and warehouse
# schemas (scripts/docs/); unit tests fail when a committed page is out of date. `tsx scripts/docs/write-config-reference.ts --check` only checks.
docs: install
	tsx scripts/docs/write-config-reference.ts

clean:
	rm -rf dist .data

# Training/inference/daily-batch benchmark against Keras (bench/run.ts): prints a report, writes
# .data/bench/<date>.json. A benchmark, not a test: about 10 minutes, nothing asserted.
bench: build native-tf keras-venv
	tsx bench/run.ts $(ARGS)

# .venv/keras (tensorflow-cpu, bench/requirements-keras.txt) for the Keras reference.
keras-venv:
	scripts/native-tf/keras-venv.sh >/dev/null
