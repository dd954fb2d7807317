#!/usr/bin/env bash
# make infra-validate: `terraform init -backend=false` + `terraform validate` on infra/, fully offline.
#
# The Terraform registry is not reachable here, so the hashicorp/google provider is built from its Go module
# (the Go module proxy carries it only as pseudo-versions of its main branch) into a git-ignored
# filesystem mirror, .cache/terraform/mirror, that a CLI config named by TF_CLI_CONFIG_FILE points
# `terraform init` at. The build costs about half an hour of CPU; it is cached, so a second run pays nothing.
#
#   scripts/infra/validate.sh            build the provider if needed, then init + validate
#   scripts/infra/validate.sh provider   only build the provider (used to start the build in the background)
#
# TPG_VERSION picks the provider's pseudo-version (default below: a main-branch commit of 2025-08-05 that has
# google/services/cloudfunctions2). The mirror names it by that pseudo-version, and validation pins exactly
# that version through an *_override.tf in a scratch copy of infra/, so infra/versions.tf keeps its normal
# release constraint.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TPG_MODULE="github.com/hashicorp/terraform-provider-google"
TPG_VERSION="${TPG_VERSION:-v1.20.1-0.20250805162037-2fd0afa09363}"
VERSION="${TPG_VERSION#v}"
CACHE="$ROOT/.cache/terraform"
MIRROR="$CACHE/mirror"
PLATFORM="linux_amd64"
BIN_DIR="$MIRROR/registry.terraform.io/hashicorp/google/$VERSION/$PLATFORM"
BIN="$BIN_DIR/terraform-provider-google_v$VERSION"

die() {
  echo "infra-validate: $*" >&2
  exit 1
}

build_provider() {
  if [[ -x "$BIN" ]]; then
    echo "infra-validate: provider $VERSION already built ($BIN)"
    return
  fi
  command -v go >/dev/null || die "go is not on PATH; it is needed to build the Google provider"
  mkdir -p "$CACHE/gobin"
  # Resolve first, so a version the proxy does not serve fails at once with the proxy's own words.
  if ! GOTOOLCHAIN=local GOFLAGS=-mod=mod go list -m "$TPG_MODULE@$TPG_VERSION" >"$CACHE/resolve.log" 2>&1; then
    cat "$CACHE/resolve.log" >&2
    die "the Go module proxy does not serve $TPG_MODULE@$TPG_VERSION; set TPG_VERSION to a pseudo-version it serves"
  fi
  echo "infra-validate: building $TPG_MODULE@$TPG_VERSION (about 30 CPU-minutes, once per machine)"
  local log="$CACHE/build-$VERSION.log"
  # -trimpath/-ldflags keep the binary reproducible and small; nice keeps a shared machine usable.
  local timer=()
  [[ ! -x /usr/bin/time ]] || timer=(/usr/bin/time -v)
  if ! "${timer[@]}" env GOTOOLCHAIN=local GOBIN="$CACHE/gobin" CGO_ENABLED=0 \
    nice -n 10 go install -trimpath -ldflags="-s -w" "$TPG_MODULE@$TPG_VERSION" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "building the provider failed (log: $log)"
  fi
  grep -E "Elapsed|User time|System time|Maximum resident" "$log" || true
  mkdir -p "$BIN_DIR"
  # Moved into the mirror only once complete, so an interrupted build is never mistaken for a cached one.
  mv "$CACHE/gobin/terraform-provider-google" "$BIN.tmp"
  mv "$BIN.tmp" "$BIN"
  echo "infra-validate: provider at $BIN"
}

validate() {
  local tf="${TERRAFORM:-terraform}"
  command -v "$tf" >/dev/null || die "terraform is not on PATH"
  local work="$CACHE/validate"
  rm -rf "$work"
  mkdir -p "$work"
  cp -R "$ROOT/infra/." "$work/"
  rm -rf "$work/.terraform" "$work/.terraform.lock.hcl"
  # dashboards/views/*.sql is read relative to the module (../dashboards/views): keep that layout.
  rm -rf "$CACHE/dashboards"
  if [[ -d "$ROOT/dashboards" ]]; then cp -R "$ROOT/dashboards" "$CACHE/dashboards"; fi
  cat >"$work/zz_validate_override.tf" <<HCL
# Written by scripts/infra/validate.sh: pins the provider built into the local mirror.
terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "$VERSION"
    }
  }
}
HCL
  cat >"$CACHE/terraformrc" <<HCL
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/google"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
HCL
  export TF_CLI_CONFIG_FILE="$CACHE/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
  (cd "$work" && "$tf" init -backend=false -input=false -no-color)
  (cd "$work" && "$tf" validate -no-color)
}

case "${1:-all}" in
  provider) build_provider ;;
  all)
    build_provider
    validate
    ;;
  *) die "unknown command '$1' (expected: provider, or nothing)" ;;
esac
