# Sourced by scripts/infra/deploy.sh: the container images Terraform's Cloud Run resources run,
# built with Cloud Build as the pipeline's builder account and pushed to the functions' Artifact
# Registry repository (infra/backfill-job.tf, local.image_build, says where).
#   backfill  the `stockops` CLI for the backfill job, from the functions' package
#             (scripts/infra/backfill/Dockerfile): tagged <commit>-<package hash>
#   mlflow    the MLflow server (scripts/infra/mlflow/), only when mlflow_server is on:
#             tagged by the hash of its build files
# A tag already in the repository is not built again. Needs: TF, VARS, APPROVE, ROOT, OUT,
# PROJECT, COMMIT and die from deploy.sh.

# A field of local.image_build (after image_names).
field() { node -p "JSON.parse(process.argv[1]).$1" "$IMAGE_BUILD"; }

# The image references (no build): sets BACKFILL_IMAGE and MLFLOW_IMAGE (empty when off).
image_names() {
  local build repo hash
  build="$("${TF[@]}" console "${VARS[@]}" <<<'jsonencode(local.image_build)')"
  IMAGE_BUILD="$(node -p 'JSON.stringify(JSON.parse(JSON.parse(process.argv[1])))' "$build")"
  repo="$(field repository)"
  hash="$(cd "$OUT/package" && find . -type f ! -name '*.map' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
  BACKFILL_IMAGE="$repo/backfill:$COMMIT-$hash"
  MLFLOW_IMAGE=""
  if [[ "$(field mlflow_server)" == true ]]; then
    hash="$(cat "$ROOT/scripts/infra/mlflow/Dockerfile" "$ROOT/scripts/infra/mlflow/entrypoint.sh" | sha256sum | cut -c1-12)"
    MLFLOW_IMAGE="$repo/mlflow:$hash"
  fi
}

# build_image <image> <context dir> <Dockerfile name>
build_image() {
  local image="$1" context="$2" dockerfile="$3"
  if gcloud artifacts docker images describe "$image" --project "$PROJECT" >/dev/null 2>&1; then
    echo "==> $image is built already"
    return
  fi
  echo "==> building $image with Cloud Build"
  cp "$ROOT/scripts/infra/cloudbuild.yaml" "$context/cloudbuild.yaml"
  gcloud builds submit "$context" --project "$PROJECT" \
    --region "$(field region)" \
    --config "$context/cloudbuild.yaml" \
    --substitutions "_IMAGE=$image,_DOCKERFILE=$dockerfile" \
    --service-account "$(field builder)" \
    --gcs-source-staging-dir "gs://$(field staging_bucket)/image-builds" ||
    die "the image build failed ($image): see the Cloud Build log above; nothing else was changed"
}

# Before the full apply: the repository and the builder's grants must exist for the push.
build_images() {
  echo "==> the image repository and the builder's access (targeted apply, before the images)"
  "${TF[@]}" apply -input=false "${APPROVE[@]}" "${VARS[@]}" \
    -target=google_artifact_registry_repository_iam_member.builder_writes_images \
    -target=google_storage_bucket_iam_member.builder_reads_source \
    -target=google_project_iam_member.builder_logs
  mkdir -p "$OUT/backfill-image" && rm -rf "$OUT/backfill-image"/*
  cp -r "$OUT/package/." "$OUT/backfill-image/"
  cp "$ROOT/scripts/infra/backfill/Dockerfile" "$OUT/backfill-image/Dockerfile"
  build_image "$BACKFILL_IMAGE" "$OUT/backfill-image" Dockerfile
  if [[ -n "$MLFLOW_IMAGE" ]]; then
    mkdir -p "$OUT/mlflow-image"
    cp "$ROOT/scripts/infra/mlflow/Dockerfile" "$ROOT/scripts/infra/mlflow/entrypoint.sh" "$OUT/mlflow-image/"
    build_image "$MLFLOW_IMAGE" "$OUT/mlflow-image" Dockerfile
  fi
}
