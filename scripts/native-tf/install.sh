#!/usr/bin/env bash
# Native TensorFlow backend for @tensorflow/tfjs-node, built reproducibly from package registries.
#
# tfjs-node's own install script downloads libtensorflow 2.9.1 and a prebuilt addon from Google
# Cloud Storage, which this project cannot reach, so package.json denies that script
# (allowScripts: false) and this step does the job instead:
#   1. make sure @tensorflow/tfjs-node is in node_modules (npm ci keeps it; scripts are denied);
#   2. `pip download` the pinned tensorflow-cpu wheel from PyPI into .cache/native-tf/ (cached);
#   3. extract its two C libraries and the C API headers the addon includes (extract.py);
#   4. check the libraries export the TF_*/TFE_* functions the addon calls (nm);
#   5. lay them into tfjs-node's deps/ as binding.gyp expects, build the N-API addon offline with
#      npm's bundled node-gyp against local Node headers;
#   6. smoke-test under the Node that runs the project: backend 'tensorflow' and a 2x2 matmul.
# The built addon is cached per (tfjs-node, TensorFlow, N-API) version, so after an `npm ci` only
# the links and one copy are redone; a stamp makes a repeat run with nothing changed instant.
#
# It never fails its caller: when something cannot work it prints
#   native backend unavailable: <reason>; using wasm
# and exits 0 (pipelines/model/runtime/backend.ts then falls back to wasm). Set STOCKOPS_NATIVE_TF=0 to
# skip it, NATIVE_TF_VERSION=x.y.z to try one TensorFlow version only, NATIVE_TF_STRICT=1 to exit 1
# instead (for checking this script itself).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$PATH"

TFJS_NODE_VERSION='4.22.0'
# Newest first. 2.21.0 passed the native/wasm parity test (tests/unit/backend.test.ts); 2.20.0 and
# 2.18.1 were built and smoke-tested the same way; 2.19.1 has not been tried.
TF_CANDIDATES="${NATIVE_TF_VERSION:-2.21.0 2.20.0 2.19.1 2.18.1}"
# The wheel's C libraries do not depend on Python, so the wheel's Python tag is pinned instead of
# following the local interpreter: every machine downloads the same file.
WHEEL_PY='311'
CACHE="$ROOT/.cache/native-tf"
PKG="$ROOT/node_modules/@tensorflow/tfjs-node"
LOG="$CACHE/install.log"
TIMINGS="$CACHE/timings.json"

mkdir -p "$CACHE"

unavailable() {
  echo "native backend unavailable: $1; using wasm (details: ${LOG#"$ROOT"/})" >&2
  if [[ "${NATIVE_TF_STRICT:-0}" == 1 ]]; then exit 1; fi
  exit 0
}

if [[ "${STOCKOPS_NATIVE_TF:-1}" == 0 ]]; then
  echo "native backend skipped (STOCKOPS_NATIVE_TF=0); using wasm" >&2
  exit 0
fi

# Two make targets may run this at once; the second waits for the first instead of racing it.
exec 9>"$CACHE/.lock"
if command -v flock >/dev/null; then flock 9; fi

: >"$LOG"
declare -a TIMING_KEYS=()
declare -A TIMING=()
now() { date +%s.%N; }
record() { # record NAME START
  TIMING_KEYS+=("$1")
  TIMING[$1]=$(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
}
write_timings() { # write_timings TF_VERSION WHEEL_BYTES MODE
  {
    printf '{"tf_version":"%s","tfjs_node":"%s","wheel_bytes":%s,"mode":"%s","seconds":{' \
      "$1" "$TFJS_NODE_VERSION" "$2" "$3"
    local sep=''
    for k in "${TIMING_KEYS[@]}"; do printf '%s"%s":%s' "$sep" "$k" "${TIMING[$k]}"; sep=','; done
    printf '}}\n'
  } >"$TIMINGS"
}

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) unavailable "PyPI's tensorflow-cpu wheel has no C library for $(uname -s)-$(uname -m)" ;;
esac
command -v node >/dev/null || unavailable 'node is not on PATH'
command -v npm >/dev/null || unavailable 'npm is not on PATH'
NAPI="$(node -p 'process.versions.napi')"
# node-pre-gyp (which tfjs-node uses to find its addon) picks the highest N-API version listed in
# tfjs-node's package.json that this Node supports; tfjs-node 4.22 lists up to 8.
NAPI_BUILD=$((NAPI < 8 ? NAPI : 8))

# The smoke test: the backend must be 'tensorflow' and compute a matmul correctly. util's
# isNullOrUndefined is gone since Node 23 and tfjs-node 4.22 still calls it: the same shim as in
# pipelines/model/runtime/backend.ts.
smoke() {
  TF_CPP_MIN_LOG_LEVEL=2 node -e "
    const util = require('util');
    if (typeof util.isNullOrUndefined !== 'function') util.isNullOrUndefined = (x) => x == null;
    const tf = require('@tensorflow/tfjs-node');
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const got = Array.from(a.matMul(a).dataSync());
    const want = [7, 10, 15, 22];
    if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
    if (got.some((v, i) => v !== want[i])) throw new Error('matmul gave ' + got);
    console.log(JSON.stringify({ backend: tf.getBackend(), tf: tf.backend().binding.TF_Version,
      node: process.version }));
  " 2>>"$LOG"
}

# deps/ as binding.gyp and the addon's rpath ($ORIGIN/../../deps/lib) expect it: the two real
# libraries under their SONAMEs (what the addon records as NEEDED), the link names -ltensorflow
# and -ltensorflow_framework resolve, and libtensorflow.so.2.9.1, whose presence makes tfjs-node's
# own install script skip its download should it ever run. Relative links survive moving the
# checkout.
link_deps() { # link_deps TF_DIR
  rm -rf "$PKG/deps"
  mkdir -p "$PKG/deps/lib"
  ln -sr "$1/include" "$PKG/deps/include"
  ln -sr "$1/lib/libtensorflow_cc.so.2" "$PKG/deps/lib/libtensorflow_cc.so.2"
  ln -sr "$1/lib/libtensorflow_framework.so.2" "$PKG/deps/lib/libtensorflow_framework.so.2"
  ln -s libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
  ln -s libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so.2"
  ln -s libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so.2.9.1"
  ln -s libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"
}

ADDON_REL="lib/napi-v$NAPI_BUILD/tfjs_binding.node"

# --- 1. the package -----------------------------------------------------------------------------
t=$(now)
if [[ ! -f "$PKG/package.json" ]]; then
  # Not there when package.json lacks the allowScripts denial or npm dropped the optional
  # dependency. Installing from the lock without scripts and without saving leaves package.json and
  # package-lock.json untouched.
  echo "installing @tensorflow/tfjs-node without its install script" >&2
  npm install --no-save --ignore-scripts --no-audit --no-fund >>"$LOG" 2>&1 ||
    unavailable 'npm could not install @tensorflow/tfjs-node'
fi
[[ -f "$PKG/package.json" ]] || unavailable '@tensorflow/tfjs-node is not in node_modules'
GOT="$(node -p "require('$PKG/package.json').version")"
[[ "$GOT" == "$TFJS_NODE_VERSION" ]] ||
  unavailable "@tensorflow/tfjs-node is $GOT, this script is verified with $TFJS_NODE_VERSION"
record package "$t"

# --- fast paths -----------------------------------------------------------------------------------
STAMP="$CACHE/stamp"
if [[ -f "$STAMP" ]]; then
  read -r S_TF S_KEY <"$STAMP"
  ADDON_CACHED="$CACHE/addon/$S_KEY/tfjs_binding.node"
  TF_DIR="$CACHE/tf-$S_TF"
  if [[ " $TF_CANDIDATES " == *" $S_TF "* && -f "$ADDON_CACHED" && -f "$TF_DIR/lib/libtensorflow_cc.so.2" ]]; then
    if [[ -e "$PKG/deps/lib/libtensorflow_cc.so.2" && -e "$PKG/deps/include" ]] &&
      cmp -s "$ADDON_CACHED" "$PKG/$ADDON_REL"; then
      echo "native backend ready: TensorFlow $S_TF (cached)" >&2
      exit 0
    fi
    # node_modules was re-created (npm ci): relink and copy the cached addon.
    t=$(now)
    link_deps "$TF_DIR"
    mkdir -p "$(dirname "$PKG/$ADDON_REL")"
    cp "$ADDON_CACHED" "$PKG/$ADDON_REL"
    record relink "$t"
    t=$(now)
    if OUT="$(smoke)"; then
      record smoke "$t"
      write_timings "$S_TF" 0 relink
      echo "native backend ready: $OUT (relinked from cache)" >&2
      exit 0
    fi
    echo "cached addon failed its smoke test; rebuilding" >&2
  fi
  rm -f "$STAMP"
fi

# --- build tools ---------------------------------------------------------------------------------
PY=''
for p in python3 python; do
  if command -v "$p" >/dev/null && "$p" -m pip --version >/dev/null 2>&1; then PY="$p"; break; fi
done
[[ -n "$PY" ]] || unavailable 'no python3 with pip to download the tensorflow-cpu wheel'
for tool in make g++ nm; do
  command -v "$tool" >/dev/null || unavailable "$tool is not installed (needed to build the addon)"
done

# npm bundles node-gyp; use that one so nothing is fetched.
NODE_GYP="${npm_config_node_gyp:-}"
if [[ -z "$NODE_GYP" ]]; then
  NPM_CLI="$(readlink -f "$(command -v npm)")"
  NODE_GYP="$(dirname "$NPM_CLI")/../node_modules/node-gyp/bin/node-gyp.js"
fi
[[ -f "$NODE_GYP" ]] || unavailable "node-gyp not found (looked for $NODE_GYP)"

# Node headers. The addon uses N-API only, which is ABI-stable, so any Node's node_api.h works
# (e.g. the system Node 20's under /usr/include/node for the npm package node@24, which ships no
# headers). node-gyp would otherwise download the headers of the running Node.
NODEDIR=''
NODE_PREFIX="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
for d in ${npm_config_nodedir:-} "$NODE_PREFIX" /usr/local /usr; do
  if [[ -f "$d/include/node/node_api.h" && -f "$d/include/node/common.gypi" ]]; then
    NODEDIR="$d"
    break
  fi
done
if [[ -z "$NODEDIR" || "${NATIVE_TF_NODE_API_HEADERS:-0}" == 1 ]]; then
  # Fallback: the npm package node-api-headers (the N-API headers alone) plus a minimal
  # common.gypi, enough for node-gyp to build an N-API addon.
  NODEDIR="$CACHE/nodedir"
  if [[ ! -f "$NODEDIR/include/node/node_api.h" ]]; then
    t=$(now)
    rm -rf "$NODEDIR" "$CACHE/nah" && mkdir -p "$NODEDIR/include/node" "$CACHE/nah"
    (cd "$CACHE/nah" && npm pack --silent node-api-headers@1.9.0 >>"$LOG" 2>&1) ||
      unavailable 'no Node headers here and npm could not fetch node-api-headers'
    tar -xzf "$CACHE"/nah/node-api-headers-*.tgz -C "$CACHE/nah"
    cp "$CACHE"/nah/package/include/*.h "$NODEDIR/include/node/"
    printf "%s\n" "{ 'variables': { 'node_shared%': 'false', 'node_module_version%': '' }," \
      "  'target_defaults': { 'default_configuration': 'Release'," \
      "    'configurations': { 'Release': { 'cflags': ['-O3'], 'cflags_cc': ['-O3'] } } } }" \
      >"$NODEDIR/include/node/common.gypi"
    record node_api_headers "$t"
  fi
fi

# --- 2-6, per candidate TensorFlow version ----------------------------------------------------
try_version() { # try_version VERSION -> 0 on success; sets REASON on failure
  local v="$1" t wheel tf_dir out
  REASON=''
  t=$(now)
  wheel="$(ls "$CACHE"/wheels/tensorflow_cpu-"$v"-cp"$WHEEL_PY"-*.whl 2>/dev/null | head -1)"
  if [[ -z "$wheel" ]]; then
    echo "downloading tensorflow-cpu==$v from PyPI (a few hundred MB, once)" >&2
    if ! "$PY" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check \
      --python-version "$WHEEL_PY" --implementation cp --abi "cp$WHEEL_PY" \
      --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
      -d "$CACHE/wheels" "tensorflow-cpu==$v" >>"$LOG" 2>&1; then
      REASON="pip could not download tensorflow-cpu==$v"
      return 1
    fi
    wheel="$(ls "$CACHE"/wheels/tensorflow_cpu-"$v"-cp"$WHEEL_PY"-*.whl | head -1)"
  fi
  WHEEL_BYTES="$(stat -c %s "$wheel")"
  record "download_$v" "$t"

  t=$(now)
  tf_dir="$CACHE/tf-$v"
  if [[ ! -f "$tf_dir/.complete" ]]; then
    rm -rf "$tf_dir"
    if ! "$PY" "$ROOT/scripts/native-tf/extract.py" "$wheel" "$tf_dir" "$PKG/binding" >>"$LOG" 2>&1; then
      REASON="could not extract the C library from tensorflow-cpu==$v"
      return 1
    fi
    touch "$tf_dir/.complete"
  fi
  record "extract_$v" "$t"

  # Every TF_*/TFE_* function the addon calls must be exported (as name@@tensorflow here).
  local used defined missing
  used="$(grep -ohE '\bTFE?_[A-Za-z0-9]+\(' "$PKG"/binding/*.cc | tr -d '(' | sort -u)"
  defined="$(nm -D --defined-only "$tf_dir"/lib/*.so.2 | awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u)"
  missing="$(comm -23 <(echo "$used") <(echo "$defined") | grep -vE '^(TFE_AutoOp|TF_AutoStatus|TF_AutoTensor)$')"
  if [[ -n "$missing" ]]; then
    REASON="tensorflow-cpu==$v does not export $(echo "$missing" | tr '\n' ' ')"
    return 1
  fi

  t=$(now)
  link_deps "$tf_dir"
  rm -rf "$PKG/build" "$PKG/lib"
  if ! (cd "$PKG" && node "$NODE_GYP" rebuild --nodedir="$NODEDIR" \
    --napi_build_version="$NAPI_BUILD" --module_name=tfjs_binding \
    --module_path="$PKG/lib/napi-v$NAPI_BUILD" -j "$(nproc)") >>"$LOG" 2>&1; then
    REASON="the addon did not build against tensorflow-cpu==$v"
    return 1
  fi
  record "build_$v" "$t"

  t=$(now)
  if ! out="$(smoke)"; then
    REASON="the addon built against tensorflow-cpu==$v failed its smoke test"
    return 1
  fi
  record "smoke_$v" "$t"
  SMOKE_OUT="$out"
}

for v in $TF_CANDIDATES; do
  if try_version "$v"; then
    KEY="tfjs-node-$TFJS_NODE_VERSION-tf-$v-napi-$NAPI_BUILD"
    mkdir -p "$CACHE/addon/$KEY"
    cp "$PKG/$ADDON_REL" "$CACHE/addon/$KEY/tfjs_binding.node"
    echo "$v $KEY" >"$STAMP"
    write_timings "$v" "$WHEEL_BYTES" build
    echo "native backend ready: $SMOKE_OUT (built; timings in ${TIMINGS#"$ROOT"/})" >&2
    exit 0
  fi
  echo "TensorFlow $v: $REASON" | tee -a "$LOG" >&2
done
# Leave no half-built addon behind: tfjs-node then fails to load with a clear "addon not found",
# and the backend selection falls back to wasm.
rm -rf "$PKG/lib" "$PKG/build"
unavailable "$REASON"
