/**
 * What each config key means, and the environment variable and CLI flag that set it: the words of
 * docs/configuration.md. The keys, their types, bounds and defaults come from the schema and the
 * loader themselves (`scripts/docs/config-reference.ts`); a test fails when a schema key has no entry
 * here, an entry names no schema key, or a variable or flag listed here does not set its key.
 * Pure data: nothing here reads the environment.
 */

/** How a variable or flag is checked to set its key: `probe` is a valid value for it, `with` what it needs beside it. */
export interface SetterDoc {
  name: string;
  probe: string;
  with?: Readonly<Record<string, string>>;
}

export interface KeyDoc {
  meaning: string;
  env?: SetterDoc;
  flag?: SetterDoc;
  /** Said instead of the computed default, where the default depends on where the code runs. */
  defaultText?: string;
}

/**
 * The environment that selects each adapter variant (its keys' defaults are read with it set).
 * Values in angle brackets are placeholders: a key that ends up holding one has no default.
 */
export const VARIANT_ENV: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'warehouse.bigquery': { STOCKOPS_WAREHOUSE: 'bigquery', GOOGLE_CLOUD_PROJECT: '<project>' },
  'objectStore.gcs': { STOCKOPS_BUCKET: '<bucket>' },
  'tracking.mlflow': { MLFLOW_TRACKING_URI: 'http://mlflow.invalid:5000' },
  'bus.pubsub': { STOCKOPS_BUS: 'pubsub', GOOGLE_CLOUD_PROJECT: '<project>' },
};

const project = { with: { GOOGLE_CLOUD_PROJECT: 'p' } };

export const KEY_DOCS: Readonly<Record<string, KeyDoc>> = {
  watchlist: {
    meaning: 'The tickers each run covers (comma-separated in the variable and the flag).',
    env: { name: 'STOCKOPS_TICKERS', probe: 'aapl,msft' },
    flag: { name: '--tickers', probe: 'AAPL,MSFT' },
  },
  'source.kind': {
    meaning:
      'Where prices come from: the bundled S&P 500 (`SP500`), a folder of Yahoo-format CSVs (tickers it lacks fall back to the bundled series), or live Yahoo Finance.',
    env: { name: 'STOCKOPS_SOURCE', probe: 'yahoo' },
    flag: { name: '--source', probe: 'yahoo' },
  },
  'source.csvDir': {
    meaning:
      'The CSV folder (`TICKER.csv` or `TICKER-YYYYMMDD-YYYYMMDD.csv`); setting it alone implies `source.kind` `csv`.',
    env: { name: 'STOCKOPS_CSV_DIR', probe: '.' },
    flag: { name: '--csv-dir', probe: '.' },
  },
  'source.timeoutMs': { meaning: 'Timeout of one Yahoo request, in milliseconds.' },
  'source.retries': {
    meaning: 'Yahoo retries on 429, 5xx and network errors (exponential backoff with jitter).',
  },
  'source.overlapDays': {
    meaning:
      'Days re-fetched before the last stored bar, to catch revisions; a changed adjustment there refetches the whole history.',
  },
  'source.startDate': { meaning: 'Earliest date fetched for a ticker with no stored history.' },
  'contract.minPrice': { meaning: 'Prices below this are quarantined (rule `price_range`).' },
  'contract.maxPrice': { meaning: 'Prices above this are quarantined (rule `price_range`).' },
  'contract.maxVolume': { meaning: 'Volumes above this are quarantined (rule `volume_range`).' },
  'contract.maxDailyFactor': {
    meaning:
      'An adjusted close that moves more than this factor either way in one session is quarantined (rule `daily_change`).',
  },
  lookback: {
    meaning: 'Sessions in one model input window.',
    env: { name: 'STOCKOPS_LOOKBACK', probe: '45' },
  },
  horizons: {
    meaning: 'Forecast horizons in sessions after the run date (comma-separated in the variable).',
    env: { name: 'STOCKOPS_HORIZONS', probe: '5,10' },
  },
  indicators: {
    meaning:
      'The technical indicators computed as features (technicalindicators, corrected to TA-Lib); in a file each is an object, e.g. `{"kind": "macd", "fast": 12, "slow": 26, "signal": 9}`.',
  },
  'model.units': { meaning: 'LSTM units.' },
  'model.dropout': { meaning: 'Dropout rate after the LSTM.' },
  'model.epochs': {
    meaning: 'Most training epochs (early stopping usually ends sooner).',
    env: { name: 'STOCKOPS_EPOCHS', probe: '3' },
    flag: { name: '--epochs', probe: '3' },
  },
  'model.batchSize': { meaning: 'Training batch size.' },
  'model.patience': {
    meaning: 'Epochs without a better validation loss before early stopping restores the best one.',
  },
  'model.learningRate': { meaning: 'Adam learning rate.' },
  'model.minDelta': {
    meaning:
      'Relative validation-loss improvement an epoch needs to count as better (0: any); the starting weights (the no-change forecast) are scored too and kept if no epoch beats them.',
  },
  'model.l2': { meaning: "L2 penalty on the output layer's kernel (0: none)." },
  'model.target.kind': {
    meaning:
      'What the network learns ([docs/model.md](model.md)): `volScaledLogReturn`, the log return to D+h over the trailing volatility, mapped to 1 + z/spread so the ReLU can output it; or `ratio`, the close ratio (before 2026-12-06).',
  },
  'model.target.volatilityDays': {
    meaning: 'Trailing daily returns (up to t only) in the volatility that scales the target.',
  },
  'model.target.spread': {
    meaning: 'The divisor of the scaled return in 1 + z/spread (keeps the output positive).',
  },
  'model.warmStart.enabled': {
    meaning:
      "Retrain from the serving version's weights instead of from scratch when shapes, columns and target match (off: it measured worse on the holdout; docs/model.md).",
  },
  'model.warmStart.epochs': { meaning: 'Most epochs of a warm-started retrain (early-stopped).' },
  'model.seed': {
    meaning:
      'Seed of the first ensemble member (the others derive theirs from it): same seed, same weights.',
  },
  'model.trainDays': {
    meaning: 'Most recent trading days used for one training run; older history is ignored.',
  },
  'model.validationFraction': {
    meaning: 'Share of the training days held out, chronologically, for early stopping.',
  },
  'model.testFraction': {
    meaning: 'Share of the training days held out last, for test MASE and the champion comparison.',
  },
  'model.maxAgeDays': { meaning: 'A champion older than this many days is retrained.' },
  'model.naiveMargin': {
    meaning: 'Retrain when realised MASE exceeds 1 + this margin (worse than the naive forecast).',
  },
  'model.accuracyWindow': {
    meaning: 'Latest realised outcomes that realised MASE is computed on.',
  },
  'model.retrainCooldownDays': {
    meaning:
      'Drift or poor accuracy retrain at most this often (days since the last attempt): both stay true for a while after a retrain.',
  },
  'model.backend': {
    meaning:
      'TensorFlow.js backend; `auto` tries native TensorFlow, then wasm, then the pure-JS CPU backend.',
    env: { name: 'STOCKOPS_TF_BACKEND', probe: 'wasm' },
    flag: { name: '--backend', probe: 'wasm' },
  },
  'model.threads.intraOp': {
    meaning:
      "Native TensorFlow's intra-op thread pool per process (0: TensorFlow decides, one per core). The model function sets 1 (infra/functions.tf).",
    env: { name: 'STOCKOPS_TF_INTRAOP_THREADS', probe: '1' },
    defaultText: "the cores this process may run on (Node's `availableParallelism()`)",
  },
  'model.threads.interOp': {
    meaning:
      "Native TensorFlow's inter-op thread pool per process (0: TensorFlow decides). The model function sets 1.",
    env: { name: 'STOCKOPS_TF_INTEROP_THREADS', probe: '1' },
    defaultText: "the cores this process may run on (Node's `availableParallelism()`)",
  },
  'serving.ensembleSize': {
    meaning:
      "LSTM members (seeds) averaged into the model's forecast; 1 is a single network. Part of the config hash.",
    env: { name: 'STOCKOPS_ENSEMBLE_SIZE', probe: '2' },
    flag: { name: '--ensemble-size', probe: '2' },
  },
  'serving.ledgerWindow': {
    meaning:
      'Latest realised outcomes per horizon the serving policy reads (shrinkage, Diebold–Mariano test, conformal scores).',
  },
  'serving.minShrinkageRows': {
    meaning:
      'Fewer realised outcomes than this and the shrinkage a is 0: the served forecast is exactly naive.',
  },
  'serving.minComparisonRows': {
    meaning: 'Fewer comparable outcomes than this and the served policy does not change.',
  },
  'serving.significance': {
    meaning:
      'Diebold–Mariano significance a challenger (model or policy) must reach to be promoted.',
  },
  'serving.aciGamma': {
    meaning:
      'Step size γ of adaptive conformal inference (Gibbs & Candès 2021) on the interval level.',
  },
  'serving.aciDecay': {
    meaning:
      "ACI's forgetting: a miss k outcomes old weighs aciDecay^k (1 = every miss in the window alike); see docs/intervals.md.",
  },
  'serving.minLedgerScores': {
    meaning: 'Realised scores needed before intervals calibrate on the ledger instead of history.',
  },
  'serving.calibrationDays': {
    meaning: 'Sessions of history whose naive scores calibrate intervals until then.',
  },
  'serving.volatilityDays': {
    meaning: 'Sessions of daily log returns in the volatility that scales scores and intervals.',
  },
  'serving.volatilityDecay': {
    meaning:
      'The EWMA decay λ of that volatility (a return k sessions old weighs λ^k); 1 = the equal-weight sample standard deviation.',
  },
  'evaluation.retrainEvery': {
    meaning: '`stockops evaluate` retrains the walk-forward every this many sessions, not daily.',
    flag: { name: '--retrain-every', probe: '21' },
  },
  'drift.currentDays': {
    meaning: 'Latest sessions compared with the reference (training) window.',
  },
  'drift.minCurrentRows': {
    meaning: 'Fewer current rows than this and drift is "insufficient data", never "no drift".',
  },
  'drift.datasetShare': {
    meaning: 'Share of drifted features at which the dataset counts as drifted.',
  },
  concurrency: {
    meaning:
      'Tickers run in parallel, capped so that tickers × intra-op threads stay within the cores (with 0 threads, one ticker per process).',
    env: { name: 'STOCKOPS_CONCURRENCY', probe: '4' },
  },
  warehouseWrites: {
    meaning:
      '`direct`: every write goes to the warehouse at once. `staged`: writes go to per-ticker batch objects in the object store, reads overlay them, and a fan-in (`stockopsCommit`, or the end of a CLI/backfill day) commits them in one batch: no cross-ticker DML on BigQuery ([docs/scale.md](scale.md)). The deploy sets `staged`.',
    env: { name: 'STOCKOPS_WAREHOUSE_WRITES', probe: 'staged' },
  },
  stagingPrefix: {
    meaning:
      'Object prefix of the staged batches; a Cloud Run job task (CLOUD_RUN_EXECUTION and CLOUD_RUN_TASK_INDEX set) stages under `warehouse-staging/tasks/<execution>-<index>` and commits its own days.',
    defaultText: '`warehouse-staging`',
  },
  'warehouse.kind': {
    meaning: 'The warehouse adapter: embedded DuckDB or BigQuery (project `GOOGLE_CLOUD_PROJECT`).',
    env: { name: 'STOCKOPS_WAREHOUSE', probe: 'bigquery', ...project },
  },
  'warehouse.path': {
    meaning: 'The DuckDB file.',
    env: { name: 'STOCKOPS_DUCKDB_PATH', probe: '/tmp/w.duckdb' },
  },
  'warehouse.shared': {
    meaning:
      'Open the DuckDB file per call, so several local processes (the functions served locally) share it (`1` in the variable).',
    env: { name: 'STOCKOPS_DUCKDB_SHARED', probe: '1' },
  },
  'warehouse.projectId': {
    meaning: 'The Google Cloud project of the BigQuery dataset.',
    env: { name: 'GOOGLE_CLOUD_PROJECT', probe: 'q' },
  },
  'warehouse.dataset': {
    meaning: 'The BigQuery dataset.',
    env: { name: 'STOCKOPS_BQ_DATASET', probe: 'other' },
  },
  'warehouse.apiEndpoint': {
    meaning:
      'Tests only: the BigQuery emulator, `http://host:port/bigquery/v2` (the client library reads the variable too, as its base URL) or `host:port` when only config sees it.',
    env: { name: 'BIGQUERY_EMULATOR_HOST', probe: '127.0.0.1:9050' },
  },
  'objectStore.kind': {
    meaning:
      'The object store adapter: a local folder or a Cloud Storage bucket (set by `STOCKOPS_BUCKET`).',
    env: { name: 'STOCKOPS_BUCKET', probe: 'b' },
  },
  'objectStore.dir': { meaning: 'The folder of the local object store.' },
  'objectStore.bucket': {
    meaning: 'The Cloud Storage bucket (models, raw archives, the MLflow outbox).',
    env: { name: 'STOCKOPS_BUCKET', probe: 'other-bucket' },
  },
  'objectStore.apiEndpoint': {
    meaning:
      'Tests only: the Cloud Storage emulator, `http://host:port/storage/v1` (the client library reads the variable too) or `host:port` when only config sees it.',
    env: { name: 'STORAGE_EMULATOR_HOST', probe: '127.0.0.1:4443' },
  },
  'tracking.kind': {
    meaning:
      'Tracking and the model registry: plain files, or an MLflow server (set by `MLFLOW_TRACKING_URI`).',
    env: { name: 'MLFLOW_TRACKING_URI', probe: 'http://127.0.0.1:5000' },
  },
  'tracking.dir': { meaning: 'The folder of local tracking runs and the local registry.' },
  'tracking.uri': {
    meaning: "The MLflow server's http(s) URL (a bare path is refused).",
    env: { name: 'MLFLOW_TRACKING_URI', probe: 'https://mlflow.example.com' },
  },
  'tracking.experimentName': {
    meaning: 'The MLflow experiment runs are logged to.',
    env: { name: 'MLFLOW_EXPERIMENT_NAME', probe: 'other' },
  },
  'tracking.username': {
    meaning: 'Basic-auth user name (never logged).',
    env: { name: 'MLFLOW_TRACKING_USERNAME', probe: 'u' },
  },
  'tracking.password': {
    meaning: 'Basic-auth password (never logged).',
    env: { name: 'MLFLOW_TRACKING_PASSWORD', probe: 'pw' },
  },
  'tracking.token': {
    meaning: 'Bearer token; wins over basic auth (never logged).',
    env: { name: 'MLFLOW_TRACKING_TOKEN', probe: 't' },
  },
  'tracking.auth': {
    meaning:
      '`google-id-token`: send a Google-signed ID token for the server URL on every request (an MLflow server on Cloud Run behind IAM, `infra/modules/mlflow`); excludes the token and basic auth.',
    env: { name: 'STOCKOPS_MLFLOW_AUTH', probe: 'google-id-token' },
  },
  'tracking.insecureTls': {
    meaning: 'Accept a self-signed certificate (`true` in the variable).',
    env: { name: 'MLFLOW_TRACKING_INSECURE_TLS', probe: 'true' },
  },
  'tracking.timeoutMs': {
    meaning: 'Timeout of one MLflow request (the variable is in seconds, as MLflow reads it).',
    env: { name: 'MLFLOW_HTTP_REQUEST_TIMEOUT', probe: '3' },
  },
  'tracking.outboxDir': {
    meaning:
      'Where runs wait while the server cannot be reached (on Cloud Storage, `mlflow-outbox/` in the bucket instead).',
    env: { name: 'STOCKOPS_DATA_DIR', probe: '/tmp/d' },
  },
  'bus.kind': {
    meaning:
      'The message bus between the functions: in-process, or Pub/Sub (project `GOOGLE_CLOUD_PROJECT`).',
    env: { name: 'STOCKOPS_BUS', probe: 'pubsub', ...project },
  },
  'bus.topicPrefix': {
    meaning: 'Topics are `<prefix>-schedule`, `-ingest`, `-model`, `-done` and `-dead-letter`.',
    env: { name: 'STOCKOPS_TOPIC_PREFIX', probe: 'other' },
  },
  'bus.projectId': {
    meaning: 'The Google Cloud project of the topics.',
    env: { name: 'GOOGLE_CLOUD_PROJECT', probe: 'q' },
  },
  'bus.emulatorHost': {
    meaning:
      'Tests only: `host:port` of a Pub/Sub emulator (set `METADATA_SERVER_DETECTION=none` with it).',
    env: { name: 'PUBSUB_EMULATOR_HOST', probe: '127.0.0.1:8085' },
  },
  'build.gitCommit': {
    meaning:
      'The commit the code was built from (`-dirty` when the tree had changes), set at deploy; tagged on every training and prediction run.',
    env: { name: 'STOCKOPS_GIT_COMMIT', probe: 'abcdef1' },
    defaultText: "the checkout's `git rev-parse HEAD`, or `unknown` outside a checkout",
  },
};

export { OTHER_VARIABLES, type OtherVariable } from './config-docs-variables.js';
