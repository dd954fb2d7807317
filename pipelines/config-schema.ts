/**
 * The config's shape: one zod schema (validated on load), its defaults' building blocks and the
 * typed error. Pure: nothing here reads the environment or a file (that is `config.ts`).
 */
import { z } from 'zod';

const indicatorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sma'), period: z.number().int().min(2) }),
  z.strictObject({ kind: z.literal('ema'), period: z.number().int().min(2) }),
  z.strictObject({ kind: z.literal('rsi'), period: z.number().int().min(2) }),
  z.strictObject({
    kind: z.literal('macd'),
    fast: z.number().int().min(2),
    slow: z.number().int().min(3),
    signal: z.number().int().min(2),
  }),
  z.strictObject({
    kind: z.literal('bbands'),
    period: z.number().int().min(2),
    stdDev: z.number().positive(),
  }),
  z.strictObject({ kind: z.literal('atr'), period: z.number().int().min(2) }),
  z.strictObject({ kind: z.literal('obv') }),
  z.strictObject({
    kind: z.literal('stoch'),
    period: z.number().int().min(2),
    signal: z.number().int().min(1),
  }),
]);
export type IndicatorSpec = z.infer<typeof indicatorSchema>;

export const DEFAULT_INDICATORS: IndicatorSpec[] = [
  { kind: 'sma', period: 20 },
  { kind: 'ema', period: 20 },
  { kind: 'rsi', period: 14 },
  { kind: 'macd', fast: 12, slow: 26, signal: 9 },
  { kind: 'bbands', period: 20, stdDev: 2 },
  { kind: 'atr', period: 14 },
  { kind: 'obv' },
  { kind: 'stoch', period: 14, signal: 3 },
];

const warehouseSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('duckdb'),
    path: z.string().min(1),
    /** Open the file per call, so several local processes (the functions, served locally) share it. */
    shared: z.boolean().optional(),
  }),
  z.strictObject({
    kind: z.literal('bigquery'),
    projectId: z.string().min(1),
    dataset: z.string().min(1),
    apiEndpoint: z.string().url().optional(),
  }),
]);
const objectStoreSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), dir: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('gcs'),
    bucket: z.string().min(1),
    apiEndpoint: z.string().url().optional(),
  }),
]);
const trackingSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), dir: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('mlflow'),
    uri: z.string().url(),
    experimentName: z.string().min(1),
    username: z.string().optional(),
    password: z.string().optional(),
    token: z.string().optional(),
    /** A Google-signed ID token per request: a server behind Cloud Run's IAM (STOCKOPS_MLFLOW_AUTH). */
    auth: z
      .literal('google-id-token', { error: 'expected "google-id-token" (or unset)' })
      .optional(),
    insecureTls: z.boolean(),
    timeoutMs: z.number().int().positive(),
    outboxDir: z.string().min(1),
  }),
]);
// Topic names are `<topicPrefix>-schedule`, `-ingest`, `-model`, `-done`, `-dead-letter` on every bus.
const topicPrefix = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9._~%+-]{0,200}$/, 'a Pub/Sub topic name prefix');
const busSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('memory'), topicPrefix }),
  z.strictObject({
    kind: z.literal('pubsub'),
    projectId: z.string().min(1),
    topicPrefix,
    /** host:port of an emulator (PUBSUB_EMULATOR_HOST, tests only); unset in production. */
    emulatorHost: z.string().optional(),
  }),
]);

const plausibilitySchema = z.strictObject({
  /** Prices outside [minPrice, maxPrice] are quarantined (rule price_range). */
  minPrice: z.number().positive(),
  maxPrice: z.number().positive(),
  /** Volumes above this are quarantined (rule volume_range). */
  maxVolume: z.number().positive(),
  /** An (adjusted) close that moves more than this factor either way in one session is quarantined (daily_change). */
  maxDailyFactor: z.number().gt(1),
});
export type Plausibility = z.infer<typeof plausibilitySchema>;

/**
 * Wide enough for any listed stock or index (BRK-A trades near 10^6, index volumes near 10^10), narrow
 * enough that a value whose arithmetic would overflow later never reaches the warehouse.
 */
export const DEFAULT_PLAUSIBILITY: Plausibility = {
  minPrice: 1e-6,
  maxPrice: 1e7,
  maxVolume: 1e13,
  maxDailyFactor: 5,
};

export const configSchema = z.strictObject({
  watchlist: z
    .array(z.string().regex(/^[A-Z0-9.^=-]{1,20}$/, 'ticker symbols are upper case'))
    .min(1),
  source: z.strictObject({
    kind: z.enum(['bundled', 'csv', 'yahoo']),
    csvDir: z.string().optional(),
    timeoutMs: z.number().int().positive(),
    retries: z.number().int().min(0).max(10),
    /** Days re-fetched before the last stored bar, to catch revisions. */
    overlapDays: z.number().int().min(0),
    /** Earliest date fetched for a ticker with no stored history. */
    startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
  /** Plausibility rules of the data contract. */
  contract: plausibilitySchema,
  lookback: z.number().int().min(2).max(365),
  horizons: z.array(z.number().int().min(1).max(60)).min(1),
  indicators: z.array(indicatorSchema),
  model: z.strictObject({
    units: z.number().int().min(1),
    dropout: z.number().min(0).max(0.9),
    epochs: z.number().int().min(1),
    batchSize: z.number().int().min(1),
    patience: z.number().int().min(1),
    learningRate: z.number().positive(),
    /** Relative validation-loss improvement an epoch needs to count as better (0: any). */
    minDelta: z.number().min(0).lt(1),
    /** L2 penalty on the output layer's kernel (0: none). */
    l2: z.number().min(0),
    /** What the network outputs (model/target.ts): the price ratio, or a volatility-scaled return. */
    target: z.discriminatedUnion('kind', [
      // Not strict: a file that sets { kind: 'ratio' } over the default's keys gets them dropped.
      z.object({ kind: z.literal('ratio') }),
      z.strictObject({
        kind: z.literal('volScaledLogReturn'),
        volatilityDays: z.number().int().min(2),
        spread: z.number().positive(),
      }),
    ]),
    /**
     * Retrain from the serving version's weights for `epochs` (early-stopped) instead of from
     * scratch, when that version has the same shape, target and members.
     */
    warmStart: z.strictObject({
      enabled: z.boolean(),
      epochs: z.number().int().min(1),
    }),
    seed: z.number().int(),
    /** Most recent trading days used for one training run; older history is ignored. */
    trainDays: z.number().int().min(100),
    validationFraction: z.number().gt(0).lt(0.5),
    testFraction: z.number().gt(0).lt(0.5),
    maxAgeDays: z.number().int().min(1),
    /** Retrain when realised MASE exceeds 1 + this margin (worse than the naive forecast). */
    naiveMargin: z.number().min(0),
    accuracyWindow: z.number().int().min(1),
    /** Drift or poor accuracy retrain at most this often: both stay true for a while after a retrain. */
    retrainCooldownDays: z.number().int().min(0),
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
    /** Native TensorFlow's thread pools per process (0: TensorFlow decides, one per core). */
    threads: z.object({
      intraOp: z.number().int().min(0).max(256),
      interOp: z.number().int().min(0).max(256),
    }),
  }),
  /** What is served: the LSTM ensemble shrunk toward naive, naive and drift as challengers, intervals. */
  serving: z.strictObject({
    /** LSTM members (seeds) averaged into the model's forecast; 1 = a single network. */
    ensembleSize: z.number().int().min(1).max(20),
    /** Latest realised outcomes per horizon the policy reads (shrinkage, DM test, conformal scores). */
    ledgerWindow: z.number().int().min(10),
    /** Fewer realised outcomes than this and a = 0: the served forecast is exactly naive. */
    minShrinkageRows: z.number().int().min(2),
    /** Fewer comparable outcomes than this and the served policy does not change. */
    minComparisonRows: z.number().int().min(3),
    /** Diebold-Mariano significance a challenger (model or policy) must reach to be promoted. */
    significance: z.number().gt(0).lt(0.5),
    /** Adaptive conformal inference step size γ (Gibbs & Candès 2021). */
    aciGamma: z.number().gt(0).max(0.5),
    /** ACI's forgetting: a miss k outcomes old weighs aciDecay^k (1 = every miss in the window alike). */
    aciDecay: z.number().gt(0).max(1),
    /** Realised scores needed before intervals calibrate on the ledger instead of history. */
    minLedgerScores: z.number().int().min(1),
    /** Sessions of history whose naive scores calibrate intervals until then. */
    calibrationDays: z.number().int().min(20),
    /** Sessions of daily log returns in the volatility that scales scores and intervals. */
    volatilityDays: z.number().int().min(2),
    /** Its EWMA decay λ (weight λ^age); 1 = the equal-weight sample sd. */
    volatilityDecay: z.number().gt(0).max(1),
  }),
  /** `stockops evaluate`: the walk-forward retrains every this many sessions, not daily. */
  evaluation: z.strictObject({ retrainEvery: z.number().int().min(1) }),
  drift: z.strictObject({
    currentDays: z.number().int().min(2),
    minCurrentRows: z.number().int().min(2),
    datasetShare: z.number().gt(0).max(1),
  }),
  concurrency: z.number().int().min(1).max(64),
  warehouse: warehouseSchema,
  /**
   * `direct`: every write goes to the warehouse at once. `staged`: writes go to per-ticker batch
   * objects in the object store and a fan-in commits the day in one batch (docs/scale.md).
   */
  warehouseWrites: z.enum(['direct', 'staged']),
  /**
   * Object prefix of the staged batches. Each task of a Cloud Run job stages under its own (the
   * task runs every ticker of its days and commits them itself), never mixing with the functions'.
   */
  stagingPrefix: z.string().min(1),
  objectStore: objectStoreSchema,
  tracking: trackingSchema,
  bus: busSchema,
  /** What the running code was built from: every training and prediction run is tagged with it. */
  build: z.strictObject({
    /**
     * The git commit: STOCKOPS_GIT_COMMIT, set at deploy (`-dirty` when the tree had changes); in
     * development, where it is unset, the checkout's HEAD, or `unknown` outside a checkout.
     */
    gitCommit: z
      .string()
      .regex(
        /^([0-9a-f]{7,40}(-dirty)?|unknown)$/,
        'expected a git commit hash (7-40 hex digits, optionally -dirty)',
      ),
  }),
});
export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;
