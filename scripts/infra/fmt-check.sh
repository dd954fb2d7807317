#!/usr/bin/env bash
# Part of `make test`: `terraform fmt -check` on infra/ where terraform is installed. The HCL tests
# (tests/infra) run either way; this says so plainly when it cannot run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v terraform >/dev/null; then
  echo "terraform fmt -check: SKIPPED (terraform is not on PATH); tests/infra still parse and check infra/"
  exit 0
fi
# An unset or missing CLI config only makes terraform warn; fmt reads none.
TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff "$ROOT/infra"
echo "terraform fmt -check: infra/ is formatted"
