#!/usr/bin/env bash
# The Google provider schema the infra check reads (scripts/infra/schema-check.ts), fetched once
# from the npm registry into .cache/provider-schema/google.json; a stamp holding the pinned package
# makes a second run a no-op (offline). The package is CDK for Terraform's generated bindings of
# hashicorp/google 6.50.0, the newest provider release within infra/versions.tf's `< 8.0.0` that a
# registry here serves; its `.jsii` assembly (~100 MB of JSON) carries every resource's arguments
# and blocks, and is reduced to a ~1 MB schema here. See docs/infrastructure-checks.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="${STOCKOPS_PROVIDER_SCHEMA_DIR:-$ROOT/.cache/provider-schema}"
PACKAGE='@cdktf/provider-google@16.12.1'
# The registry's dist.integrity of that tarball: a republished or tampered file is refused.
INTEGRITY='sha512-KqNA/5RiFT07r0PSZ6/07cJ2zESUgbj1JchVj21iBFBZVUbD+578xA/k8eq/r0cbyEgLmg9eYWeVslaYah4DCQ=='
OUT="$DEST/google.json"
STAMP="$DEST/.stockops-install-stamp"
export PATH="$ROOT/node_modules/.bin:$PATH"

installed() { [[ -f "$OUT" && -f "$STAMP" && "$(cat "$STAMP")" == "$PACKAGE" ]]; }
installed && exit 0

# Parallel callers wait for one download instead of racing it.
mkdir -p "$DEST"
exec 9>"$DEST.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
installed && exit 0

echo "provider-schema.sh: fetching $PACKAGE from the npm registry (one-off, ~30 MB)" >&2
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack "$PACKAGE" --silent --pack-destination "$TMP" >/dev/null)
TGZ="$(ls "$TMP"/*.tgz)"
GOT="sha512-$(node -e 'const c=require("node:crypto"),f=require("node:fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$TGZ")"
if [[ "$GOT" != "$INTEGRITY" ]]; then
  echo "provider-schema.sh: $PACKAGE does not match its pinned integrity ($GOT)" >&2
  exit 1
fi
tar -xzf "$TGZ" -C "$TMP" package/.jsii
tsx "$ROOT/scripts/infra/provider-schema-extract.ts" "$TMP/package/.jsii" "$TMP/google.json" >&2
mv "$TMP/google.json" "$OUT"
printf '%s' "$PACKAGE" >"$STAMP"
