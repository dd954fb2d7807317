#!/usr/bin/env bash
# make plan | make deploy | make destroy: the whole pipeline in a Google Cloud project (infra/).
#
#   STOCKOPS_PROJECT=my-project STOCKOPS_STATE_BUCKET=my-project-tfstate make deploy
#
# Environment:
#   STOCKOPS_PROJECT        the project id (or GOOGLE_CLOUD_PROJECT)
#   STOCKOPS_STATE_BUCKET   the GCS bucket holding Terraform state, created once (docs/deploying.md)
#   STOCKOPS_TFVARS         optional .tfvars file with the other variables (region, watchlist, …)
#   STOCKOPS_AUTO_APPROVE=1 apply without Terraform's confirmation prompt (CI)
# Credentials: Application Default Credentials (`gcloud auth application-default login`, or
# GOOGLE_APPLICATION_CREDENTIALS naming a workload-identity or key file), or GOOGLE_OAUTH_ACCESS_TOKEN.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CMD="${1:-}"
die() {
  echo "make ${CMD:-deploy}: $*" >&2
  exit 1
}

case "$CMD" in
  plan | apply | destroy) ;;
  *) die "usage: deploy.sh plan|apply|destroy" ;;
esac

PROJECT="${STOCKOPS_PROJECT:-${GOOGLE_CLOUD_PROJECT:-}}"
[[ -n "$PROJECT" ]] || die "no Google Cloud project configured: set STOCKOPS_PROJECT=<project id> (nothing was changed)"
[[ -n "${STOCKOPS_STATE_BUCKET:-}" ]] ||
  die "no Terraform state bucket configured: set STOCKOPS_STATE_BUCKET (docs/deploying.md says how to create it once)"

have_credentials() {
  [[ -n "${GOOGLE_OAUTH_ACCESS_TOKEN:-}" ]] && return 0
  [[ -n "${GOOGLE_APPLICATION_CREDENTIALS:-}" && -r "${GOOGLE_APPLICATION_CREDENTIALS}" ]] && return 0
  command -v gcloud >/dev/null && gcloud auth application-default print-access-token >/dev/null 2>&1
}
have_credentials ||
  die "no Google Cloud credentials: run 'gcloud auth application-default login' (or set GOOGLE_APPLICATION_CREDENTIALS) and retry (nothing was changed)"
command -v terraform >/dev/null || die "terraform is not on PATH (https://developer.hashicorp.com/terraform/install)"
if [[ "$CMD" != plan ]]; then
  command -v gcloud >/dev/null || die "gcloud is not on PATH: the deploy needs it to configure the trigger subscriptions"
fi

# Lineage: the functions get the commit they were built from; uncommitted changes are marked.
COMMIT="$(git -C "$ROOT" rev-parse --short=12 HEAD)"
[[ -z "$(git -C "$ROOT" status --porcelain)" ]] || COMMIT="$COMMIT-dirty"

OUT="$ROOT/.data/deploy"
echo "==> building the function package for $COMMIT"
ZIP="$(cd "$ROOT" && node_modules/.bin/tsx scripts/infra/package.ts "$OUT" "$COMMIT")"

TF=(terraform -chdir="$ROOT/infra")
VARS=(-var "project=$PROJECT" -var "state_bucket=$STOCKOPS_STATE_BUCKET" -var "source_zip=$ZIP" -var "git_commit=$COMMIT")
[[ -z "${STOCKOPS_TFVARS:-}" ]] || VARS+=(-var-file "$(cd "$(dirname "$STOCKOPS_TFVARS")" && pwd)/$(basename "$STOCKOPS_TFVARS")")

echo "==> terraform init (state in gs://$STOCKOPS_STATE_BUCKET)"
"${TF[@]}" init -input=false -reconfigure -backend-config="bucket=$STOCKOPS_STATE_BUCKET"

# The Cloud Run images (the backfill job; the MLflow server when mlflow_server is on).
# shellcheck source=images.sh
. "$ROOT/scripts/infra/images.sh"
APPROVE=()
[[ "${STOCKOPS_AUTO_APPROVE:-}" != 1 ]] || APPROVE=(-auto-approve)
if [[ "$CMD" != destroy ]]; then
  image_names
  IMAGE_VARS=(-var "backfill_image=$BACKFILL_IMAGE" -var "mlflow_image=$MLFLOW_IMAGE")
fi

# Eventarc owns the triggers' subscriptions (infra/pubsub.tf): give each the dead-letter topic,
# max delivery attempts and exponential backoff, and let Pub/Sub's agent ack on it. Idempotent.
configure_trigger_subscriptions() {
  local region dl functions name trigger sub
  region="$("${TF[@]}" output -raw region)"
  dl="$("${TF[@]}" output -json dead_letter)"
  functions="$("${TF[@]}" output -json functions)"
  for name in $(node -e 'for (const f of Object.values(JSON.parse(process.argv[1]))) console.log(f.name)' "$functions"); do
    trigger="$(gcloud functions describe "$name" --project "$PROJECT" --region "$region" --format='value(eventTrigger.trigger)')"
    sub="$(gcloud eventarc triggers describe "$trigger" --format='value(transport.pubsub.subscription)')"
    [[ -n "$sub" ]] || die "function $name: its Eventarc trigger has no Pub/Sub subscription yet"
    echo "==> $name: dead-letter policy and backoff on $sub"
    gcloud pubsub subscriptions update "$sub" --project "$PROJECT" \
      --dead-letter-topic="$(node -p 'JSON.parse(process.argv[1]).topic' "$dl")" \
      --max-delivery-attempts="$(node -p 'JSON.parse(process.argv[1]).max_delivery_attempts' "$dl")" \
      --min-retry-delay="$(node -p 'JSON.parse(process.argv[1]).min_retry_delay' "$dl")" \
      --max-retry-delay="$(node -p 'JSON.parse(process.argv[1]).max_retry_delay' "$dl")" >/dev/null
    gcloud pubsub subscriptions add-iam-policy-binding "$sub" --project "$PROJECT" \
      --member="$(node -p 'JSON.parse(process.argv[1]).pubsub_agent' "$dl")" \
      --role=roles/pubsub.subscriber >/dev/null
  done
}

case "$CMD" in
  plan)
    # The images are named, not built: the plan shows the job with the image the deploy would build.
    "${TF[@]}" plan -input=false "${VARS[@]}" "${IMAGE_VARS[@]}"
    ;;
  apply)
    build_images
    "${TF[@]}" apply -input=false "${APPROVE[@]}" "${VARS[@]}" "${IMAGE_VARS[@]}"
    configure_trigger_subscriptions
    echo "==> deployed $COMMIT to $PROJECT"
    "${TF[@]}" output
    ;;
  destroy)
    if [[ ! -t 0 ]]; then
      die "destroy asks for confirmation on a terminal; run it interactively"
    fi
    echo "This destroys every StockOps resource in project $PROJECT (tables are kept while"
    echo "deletion_protection is true). Type the project id to confirm:"
    read -r answer
    [[ "$answer" == "$PROJECT" ]] || die "not confirmed ('$answer' is not '$PROJECT'); nothing was destroyed"
    "${TF[@]}" destroy -input=false -auto-approve "${VARS[@]}"
    ;;
esac
