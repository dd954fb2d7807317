/**
 * The one place that reads the environment. Resolution order: defaults → JSON file → env → flags.
 * Env is passed in (never read from `process` deep inside the pipeline) so tests can build configs freely.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import { nearestKey, validKeysAt } from './config-keys.js';
import { ConfigError, configSchema, type Config, type Env } from './config-schema.js';
import { defaults } from './config-defaults.js';
import { parseShard, type Shard } from './shard.js';

export * from './config-schema.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };
export type ConfigOverrides = DeepPartial<Config>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Sections naming an adapter: a different `kind` replaces the section rather than mixing two adapters' fields.
const ADAPTER_SECTIONS = new Set(['warehouse', 'objectStore', 'tracking', 'bus']);

function merge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const baseVal = out[k];
    const replaces =
      ADAPTER_SECTIONS.has(k) &&
      isPlainObject(baseVal) &&
      isPlainObject(v) &&
      'kind' in v &&
      v.kind !== baseVal.kind;
    out[k] = replaces ? v : merge(baseVal, v);
  }
  return out as T;
}

function num(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return n;
}

function list(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Environment overrides, named for Cloud Functions' env vars and MLflow's own variables. */
function fromEnv(env: Env): ConfigOverrides {
  const o: ConfigOverrides = {};
  const tickers = list(env.STOCKOPS_TICKERS);
  if (tickers) o.watchlist = tickers.map((t) => t.toUpperCase());
  const source = env.STOCKOPS_SOURCE as Config['source']['kind'] | undefined;
  if (source || env.STOCKOPS_CSV_DIR) {
    o.source = { kind: source ?? 'csv', csvDir: env.STOCKOPS_CSV_DIR };
  }
  const horizons = list(env.STOCKOPS_HORIZONS);
  if (horizons) o.horizons = horizons.map(Number);
  o.lookback = num(env, 'STOCKOPS_LOOKBACK');
  o.concurrency = num(env, 'STOCKOPS_CONCURRENCY');
  const epochs = num(env, 'STOCKOPS_EPOCHS');
  const backend = env.STOCKOPS_TF_BACKEND as Config['model']['backend'] | undefined;
  const intraOp = num(env, 'STOCKOPS_TF_INTRAOP_THREADS');
  const interOp = num(env, 'STOCKOPS_TF_INTEROP_THREADS');
  const threads = intraOp !== undefined || interOp !== undefined ? { intraOp, interOp } : undefined;
  if (epochs !== undefined || backend || threads) o.model = { epochs, backend, threads };
  const ensembleSize = num(env, 'STOCKOPS_ENSEMBLE_SIZE');
  if (ensembleSize !== undefined) o.serving = { ensembleSize };

  if (env.STOCKOPS_WAREHOUSE === 'bigquery') {
    o.warehouse = {
      kind: 'bigquery',
      projectId: env.GOOGLE_CLOUD_PROJECT ?? '',
      dataset: env.STOCKOPS_BQ_DATASET ?? 'stockops',
      // host:port or the URL form http://host:port/bigquery/v2. A process that has the variable in
      // its own environment needs the URL form: @google-cloud/bigquery reads it too, verbatim, as its
      // base URL (host:port fails there with "Invalid URL").
      apiEndpoint: env.BIGQUERY_EMULATOR_HOST
        ? /^https?:\/\//.test(env.BIGQUERY_EMULATOR_HOST)
          ? env.BIGQUERY_EMULATOR_HOST.replace(/\/bigquery\/v2\/?$/, '')
          : `http://${env.BIGQUERY_EMULATOR_HOST}`
        : undefined,
    };
  } else if (env.STOCKOPS_DUCKDB_PATH || env.STOCKOPS_DUCKDB_SHARED) {
    o.warehouse = {
      kind: 'duckdb',
      ...(env.STOCKOPS_DUCKDB_PATH ? { path: env.STOCKOPS_DUCKDB_PATH } : {}),
      ...(env.STOCKOPS_DUCKDB_SHARED === '1' ? { shared: true } : {}),
    };
  }
  const writes = env.STOCKOPS_WAREHOUSE_WRITES as Config['warehouseWrites'] | undefined;
  if (writes) o.warehouseWrites = writes;
  // A Cloud Run job task commits its own days (daily.ts): its batches must not meet another's.
  if (env.CLOUD_RUN_EXECUTION && env.CLOUD_RUN_TASK_INDEX) {
    o.stagingPrefix = `warehouse-staging/tasks/${env.CLOUD_RUN_EXECUTION}-${env.CLOUD_RUN_TASK_INDEX}`;
  }
  if (env.STOCKOPS_BUCKET) {
    o.objectStore = {
      kind: 'gcs',
      bucket: env.STOCKOPS_BUCKET,
      // The emulator's host:port (the Node client ignores this variable itself), or a full URL.
      // As for BigQuery: @google-cloud/storage reads the variable too, verbatim, as its base URL,
      // so a process that has it in its environment needs http://host:port/storage/v1.
      apiEndpoint: env.STORAGE_EMULATOR_HOST
        ? /^https?:\/\//.test(env.STORAGE_EMULATOR_HOST)
          ? env.STORAGE_EMULATOR_HOST.replace(/\/storage\/v1\/?$/, '')
          : `http://${env.STORAGE_EMULATOR_HOST}`
        : undefined,
    };
  }
  if (env.MLFLOW_TRACKING_URI && !/^https?:\/\//i.test(env.MLFLOW_TRACKING_URI)) {
    // MLflow would read a bare path as a local file store; StockOps would silently track locally instead.
    throw new ConfigError(
      `MLFLOW_TRACKING_URI "${env.MLFLOW_TRACKING_URI.replace(/^[^@/]*@/, '***@')}" is not an http:// or https:// URL of an MLflow server; unset it to track locally`,
    );
  }
  if (env.MLFLOW_TRACKING_URI) {
    o.tracking = {
      kind: 'mlflow',
      uri: env.MLFLOW_TRACKING_URI,
      experimentName: env.MLFLOW_EXPERIMENT_NAME ?? 'stockops',
      username: env.MLFLOW_TRACKING_USERNAME,
      password: env.MLFLOW_TRACKING_PASSWORD,
      token: env.MLFLOW_TRACKING_TOKEN,
      // Only `google-id-token` is valid; the schema says so, naming the key.
      auth: (env.STOCKOPS_MLFLOW_AUTH || undefined) as 'google-id-token' | undefined,
      insecureTls: env.MLFLOW_TRACKING_INSECURE_TLS === 'true',
      timeoutMs:
        num(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT') !== undefined
          ? (num(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT') ?? 0) * 1000
          : 10_000,
      outboxDir: `${env.STOCKOPS_DATA_DIR ?? '.data'}/mlflow-outbox`,
    };
  }
  if (env.STOCKOPS_BUS === 'pubsub') {
    o.bus = {
      kind: 'pubsub',
      projectId: env.GOOGLE_CLOUD_PROJECT ?? '',
      topicPrefix: env.STOCKOPS_TOPIC_PREFIX ?? 'stockops',
      emulatorHost: env.PUBSUB_EMULATOR_HOST || undefined,
    };
  } else if (env.STOCKOPS_TOPIC_PREFIX) {
    o.bus = { topicPrefix: env.STOCKOPS_TOPIC_PREFIX };
  }
  // Set at deploy (infra/functions.tf, from scripts/infra/deploy.sh).
  if (env.STOCKOPS_GIT_COMMIT) o.build = { gitCommit: env.STOCKOPS_GIT_COMMIT };
  return o;
}

let checkout: string | undefined;
/**
 * Development only (STOCKOPS_GIT_COMMIT unset): the commit of the checkout the code runs from,
 * once per process; `unknown` outside a checkout.
 */
function checkoutCommit(): string {
  if (checkout === undefined) {
    try {
      checkout = execFileSync('git', ['rev-parse', 'HEAD'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
    } catch {
      checkout = 'unknown';
    }
  }
  return checkout;
}

/** The build's commit when nothing set it (development), so only a run without one asks git. */
function withBuild(cfg: unknown): unknown {
  const set = (cfg as { build?: { gitCommit?: unknown } }).build?.gitCommit;
  return set === undefined ? merge(cfg, { build: { gitCommit: checkoutCommit() } }) : cfg;
}

function formatIssues(err: z.ZodError, source: string): string {
  return err.issues
    .map((i) => {
      if (i.code !== 'unrecognized_keys') return `${i.path.join('.') || '(root)'}: ${i.message}`;
      const valid = validKeysAt(configSchema, i.path);
      return i.keys
        .map((k) => {
          const near = nearestKey(k, valid);
          const where = [...i.path, k].join('.');
          return `unknown key "${where}"${source}${near ? ` (did you mean "${[...i.path, near].join('.')}"?)` : `; valid keys here: ${valid.join(', ')}`}`;
        })
        .join('; ');
    })
    .join('; ');
}

export interface LoadOptions {
  env?: Env;
  /** Path of a JSON config file; else STOCKOPS_CONFIG; else none. */
  file?: string;
  overrides?: ConfigOverrides;
}

export function loadConfig({ env = {}, file, overrides }: LoadOptions = {}): Config {
  const dataDir = env.STOCKOPS_DATA_DIR ?? '.data';
  let cfg: unknown = defaults(dataDir);
  const path = file ?? env.STOCKOPS_CONFIG;
  if (path) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
    }
    cfg = merge(cfg, parsed);
  }
  cfg = merge(cfg, fromEnv(env));
  cfg = withBuild(merge(cfg, overrides));
  const result = configSchema.safeParse(cfg);
  if (!result.success) {
    throw new ConfigError(
      `invalid config: ${formatIssues(result.error, path ? ` in ${path}` : '')}`,
    );
  }
  const c = result.data;
  const t = c.tracking;
  if (t.kind === 'mlflow' && t.auth && (t.token || t.username || t.password)) {
    throw new ConfigError(
      'invalid config: tracking.auth "google-id-token" (STOCKOPS_MLFLOW_AUTH) sends an ID token as the Authorization header; unset the MLflow token, username and password',
    );
  }
  if (c.source.kind === 'csv' && !c.source.csvDir) {
    throw new ConfigError('invalid config: source.csvDir is required when source.kind is "csv"');
  }
  return c;
}

/** Which task of a sharded batch this process is, and the key its tasks share for their run ids. */
export interface TaskPlacement {
  shard: Shard;
  /** Names the execution (CLOUD_RUN_EXECUTION, or `--run-key`); unset: each run draws its own id. */
  runKey?: string;
}

/**
 * The task's shard: flags (`--task-index/--task-count`) win over the Cloud Run job's
 * CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT; neither set is the whole watchlist. Bad values are a
 * ConfigError naming where they came from.
 */
export function loadTaskPlacement(
  env: Env,
  flags: { taskIndex?: string; taskCount?: string; runKey?: string } = {},
): TaskPlacement {
  const pick = (flag: string | undefined, flagName: string, envName: string) => {
    const fromEnv = env[envName];
    if (flag !== undefined) return { value: flag, from: flagName };
    return fromEnv ? { value: fromEnv, from: envName } : undefined;
  };
  const shard = parseShard({
    index: pick(flags.taskIndex, '--task-index', 'CLOUD_RUN_TASK_INDEX'),
    count: pick(flags.taskCount, '--task-count', 'CLOUD_RUN_TASK_COUNT'),
  });
  const runKey = flags.runKey ?? (env.CLOUD_RUN_EXECUTION || undefined);
  return runKey === undefined ? { shard } : { shard, runKey };
}

/** How many tickers the daily batch runs in parallel: config.concurrency, capped by capConcurrency. */
export function effectiveConcurrency(
  c: Pick<Config, 'concurrency' | 'model'>,
  cores?: number,
): number {
  return capConcurrency(c.concurrency, c.model.threads.intraOp, cores);
}

/**
 * Tickers in parallel × TensorFlow's intra-op threads stay within the cores: beyond that they
 * only contend (make bench measured it; docs/performance.md). 0 threads means one per core.
 */
export function capConcurrency(
  concurrency: number,
  intraOp: number,
  cores = availableParallelism(),
): number {
  const threads = intraOp === 0 ? cores : intraOp;
  return Math.max(1, Math.min(concurrency, Math.floor(cores / threads)));
}

/**
 * Process settings that are not pipeline settings (so not in Config): whether debug output is on,
 * and the variables TensorFlow's C library reads once, when it loads. The user's own TF_* win.
 */
export interface RuntimeSettings {
  /** STOCKOPS_DEBUG=1: debug log lines (library notices included), stacks on errors, TF's logs. */
  debug: boolean;
  /** Set in the environment before native TensorFlow loads (model/runtime/backend.ts). */
  nativeTfEnv: Record<'TF_CPP_MIN_LOG_LEVEL' | 'TF_ENABLE_ONEDNN_OPTS', string>;
}

export function runtimeFrom(env: Env): RuntimeSettings {
  const debug = env.STOCKOPS_DEBUG === '1';
  return {
    debug,
    nativeTfEnv: {
      // 2 hides TensorFlow's INFO and WARNING lines (kernel hints such as "BlockLSTMOp is
      // inefficient..."); errors still print. Debug shows everything.
      TF_CPP_MIN_LOG_LEVEL: env.TF_CPP_MIN_LOG_LEVEL ?? (debug ? '0' : '2'),
      // oneDNN's "custom operations are on" notice is printed before TensorFlow applies the log
      // level, so only turning the ops off silences it. Off is also what TensorFlow picks on CPUs
      // without AVX-512 (where every number in the docs was measured), so results match there.
      TF_ENABLE_ONEDNN_OPTS: env.TF_ENABLE_ONEDNN_OPTS ?? '0',
    },
  };
}
