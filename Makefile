# StockOps. Every target does its own set-up: `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Node 24 (the Cloud Functions runtime) comes from the npm package `node`, first on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
STAMP := node_modules/.install-stamp

.PHONY: install native-tf browser build demo run test lint format typecheck deploy mlflow bench keras-venv clean \
	dashboard dashboard-url

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(STAMP)

install: $(STAMP)

# The native TensorFlow backend, built offline from PyPI's tensorflow-cpu wheel (cached in .cache/).
# Never fails the caller: when it cannot be built the pipeline uses wasm. STOCKOPS_NATIVE_TF=0 skips it.
native-tf: install
	scripts/native-tf/install.sh

build: install
	tsc -p tsconfig.build.json

demo: build native-tf
	node dist/pipelines/cli.js demo

run: build native-tf
	node dist/pipelines/cli.js run $(ARGS)

test: install native-tf browser
	vitest run

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

deploy:
	@echo "make deploy: the Google Cloud infrastructure (infra/) is not written yet; nothing was deployed." >&2
	@exit 1

clean:
	rm -rf dist .data

# Training/inference/daily-batch benchmark against Keras (bench/run.ts): prints a report, writes
# .data/bench/<date>.json. A benchmark, not a test: about 10 minutes, nothing asserted.
bench: build native-tf keras-venv
	tsx bench/run.ts $(ARGS)

# .venv/keras (tensorflow-cpu, bench/requirements-keras.txt) for the Keras reference.
keras-venv:
	scripts/native-tf/keras-venv.sh >/dev/null
