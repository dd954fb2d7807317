# StockOps. Every target does its own set-up: `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Node 24 (the Cloud Functions runtime) comes from the npm package `node`, first on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
STAMP := node_modules/.install-stamp

.PHONY: install build demo run test lint format typecheck deploy mlflow bench clean

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(STAMP)

install: $(STAMP)

build: install
	tsc -p tsconfig.build.json

demo: build
	node dist/pipelines/cli.js demo

run: build
	node dist/pipelines/cli.js run $(ARGS)

test: install
	vitest run

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
	@echo "make # A local MLflow server (project venv, SQLite store under .data/mlflow), bound to 127.0.0.1.
mlflow:
	scripts/mlflow/serve.sh $(ARGS)

deploy: the Google Cloud infrastructure (infra/) is not written yet; nothing was deployed." >&2
	@exit 1

clean:
	rm -rf dist .data
