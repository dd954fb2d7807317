/**
 * The TF_* variables native TensorFlow reads once, when it loads: what config.ts's runtimeFrom
 * resolved, set by the entry point before any model runs. Its own module, free of imports, so a
 * command that never trains (`stockops status`) sets it without loading TensorFlow.js.
 */

// Without an entry point's call (a test, a bench script): runtimeFrom's defaults for an unset env.
let vars: Readonly<Record<string, string>> = {
  TF_CPP_MIN_LOG_LEVEL: '2',
  TF_ENABLE_ONEDNN_OPTS: '0',
};

export function configureNativeEnv(v: Readonly<Record<string, string>>): void {
  vars = v;
}

export function nativeEnv(): Readonly<Record<string, string>> {
  return vars;
}
