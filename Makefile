# StockOps. Every target does its own set-up: `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Node 24 (the Cloud Functions runtime) comes from the npm package `node`, first on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
STAMP := node_modules/.install-stamp

.PHONY: install native-tf mlflow-venv build demo run test test-unit lint format typecheck deploy mlflow bench keras-venv clean

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

# The MLflow server's virtualenv (.venv/mlflow), installed here rather than inside a test hook that can time out.
mlflow-venv:
	scripts/mlflow/install.sh

# Everything CI checks: types, lint and formatting first, then every test (unit, fuzz, DuckDB, real MLflow).
test: install native-tf mlflow-venv typecheck lint
	vitest run

# The fast tier: pure tests only (no server, no warehouse file, no CLI process).
test-unit: install
	vitest run --project unit

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
