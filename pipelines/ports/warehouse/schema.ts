/**
 * The warehouse tables: the single source of truth for DuckDB (embedded) and BigQuery (cloud).
 * Column types are BigQuery's names; each adapter maps them. A trailing `?` marks a nullable column.
 * Every table has a natural key: writes are upserts on it, so re-running a day gives the same rows.
 */

type BaseType = 'STRING' | 'DATE' | 'TIMESTAMP' | 'FLOAT64' | 'INT64' | 'BOOL';
export type ColumnType = BaseType | `${BaseType}?`;

/**
 * BigQuery time partitioning: the column (DATE, or TIMESTAMP cut by day) and the partition size.
 * MONTH, not DAY: a ticker-day writes a few rows, 25 years of daily bars would be ~6,500 day
 * partitions (BigQuery allows 10,000 per table and 4,000 touched per job, so a backfill would fail),
 * and reads of a date range prune just as well by month. DuckDB ignores it.
 */
export interface Partitioning<Col extends string = string> {
  column: Col;
  granularity: 'DAY' | 'MONTH';
}

interface TableDef<C extends Record<string, ColumnType>> {
  columns: C;
  key: readonly (keyof C & string)[];
  description: string;
  partition: Partitioning<keyof C & string>;
  /** BigQuery clustering columns (at most 4): reads filter by ticker. DuckDB ignores it. */
  cluster: readonly (keyof C & string)[];
}

function table<C extends Record<string, ColumnType>>(
  description: string,
  columns: C,
  key: readonly (keyof C & string)[],
  partitionColumn: keyof C & string,
): TableDef<C> {
  return {
    columns,
    key,
    description,
    partition: { column: partitionColumn, granularity: 'MONTH' },
    cluster: ['ticker'],
  };
}

/** `drift_scores.feature` of the row for the whole dataset (Evidently's share of drifted features). */
export const DATASET_ROW = '__dataset__';
/** `drift_scores.feature` of the row for the model's predictions. */
export const PREDICTION_ROW = 'prediction';

/** What was published with a served forecast: kept on its prediction and carried into its outcome. */
const SERVED_COLUMNS = {
  /** The LSTM ensemble's own forecast (the mean of its members), beside the served one. */
  lstm_close: 'FLOAT64?',
  /** Members averaged into lstm_close. */
  ensemble_size: 'INT64?',
  /** a, fitted on the realised ledger before D: served return = a · LSTM return when serving_policy is shrunk. */
  shrinkage: 'FLOAT64?',
  /** The drift challenger: base × (1 + mean h-session return up to D). */
  drift_close: 'FLOAT64?',
  /** Which forecast predicted_close is: shrunk (a · LSTM), naive or drift. */
  serving_policy: 'STRING?',
  /** Standard deviation of the 20 daily log returns up to D: the interval's scale. */
  volatility: 'FLOAT64?',
  /** Conformal interval bounds around predicted_close; null = unbounded (too few scores). */
  lower_80: 'FLOAT64?',
  upper_80: 'FLOAT64?',
  lower_95: 'FLOAT64?',
  upper_95: 'FLOAT64?',
} as const;

export const tables = {
  daily_bars: table(
    'Daily bars as the source reported them (unadjusted, with adj_close); features adjust on read.',
    {
      ticker: 'STRING',
      date: 'DATE',
      open: 'FLOAT64',
      high: 'FLOAT64',
      low: 'FLOAT64',
      close: 'FLOAT64',
      adj_close: 'FLOAT64?',
      volume: 'FLOAT64',
      source: 'STRING',
      ingested_at: 'TIMESTAMP',
    },
    ['ticker', 'date'],
    'date',
  ),
  quarantine: table(
    'Rows that broke the data contract, kept with the reason; never trained on.',
    {
      ticker: 'STRING',
      date: 'STRING',
      rule: 'STRING',
      reason: 'STRING',
      raw: 'STRING',
      run_id: 'STRING',
      quarantined_at: 'TIMESTAMP',
    },
    ['ticker', 'date', 'rule'],
    // `date` is the raw text of a rejected row (it may not parse): partition by when it was caught.
    'quarantined_at',
  ),
  features: table(
    'Indicator values per date in long form (one row per feature), after warm-up.',
    { ticker: 'STRING', date: 'DATE', feature: 'STRING', value: 'FLOAT64' },
    ['ticker', 'date', 'feature'],
    'date',
  ),
  pipeline_runs: table(
    'Append-only: one row per run x ticker x stage x attempt (a redelivery or retry is a new attempt): status (started, ok, failed, interrupted), timings and the error when it failed. Read the latest attempt.',
    {
      run_id: 'STRING',
      run_date: 'DATE',
      ticker: 'STRING',
      stage: 'STRING',
      /** One id per execution of a half (ingest + features, or model → record); its stages share it. */
      attempt: 'STRING',
      status: 'STRING',
      started_at: 'TIMESTAMP',
      finished_at: 'TIMESTAMP',
      duration_ms: 'FLOAT64',
      rows: 'INT64?',
      message: 'STRING?',
    },
    ['run_id', 'ticker', 'stage', 'attempt'],
    'run_date',
  ),
  model_decisions: table(
    'Why a run trained or loaded, and whether a challenger was promoted.',
    {
      ticker: 'STRING',
      as_of_date: 'DATE',
      decision: 'STRING',
      reason: 'STRING',
      model_version: 'STRING?',
      champion_version: 'STRING?',
      promoted: 'BOOL',
      challenger_mase: 'FLOAT64?',
      champion_mase: 'FLOAT64?',
      backend: 'STRING',
      run_id: 'STRING',
      /** The serving policy's decision per horizon, with its numbers (policy_decisions has them as columns). */
      policy_reason: 'STRING?',
    },
    ['ticker', 'as_of_date'],
    'as_of_date',
  ),
  predictions: table(
    'Predicted close for each horizon; target_date is the h-th trading session after as_of_date.',
    {
      ticker: 'STRING',
      as_of_date: 'DATE',
      horizon: 'INT64',
      target_date: 'DATE',
      base_close: 'FLOAT64',
      /** The served forecast. */
      predicted_close: 'FLOAT64',
      model_version: 'STRING',
      run_id: 'STRING',
      ...SERVED_COLUMNS,
    },
    ['ticker', 'as_of_date', 'horizon'],
    'as_of_date',
  ),
  outcomes: table(
    'The ledger: each prediction whose target date has an actual close, with its errors.',
    {
      ticker: 'STRING',
      as_of_date: 'DATE',
      horizon: 'INT64',
      target_date: 'DATE',
      base_close: 'FLOAT64',
      predicted_close: 'FLOAT64',
      actual_close: 'FLOAT64',
      abs_error: 'FLOAT64',
      pct_error: 'FLOAT64',
      naive_abs_error: 'FLOAT64',
      direction_correct: 'BOOL',
      model_version: 'STRING',
      ...SERVED_COLUMNS,
      /** Whether the actual close fell inside each published interval (null: no interval then). */
      covered_80: 'BOOL?',
      covered_95: 'BOOL?',
    },
    ['ticker', 'as_of_date', 'horizon'],
    'as_of_date',
  ),
  drift_scores: table(
    `Drift per feature (and one dataset row, feature = "${DATASET_ROW}") per ticker and date.`,
    {
      ticker: 'STRING',
      as_of_date: 'DATE',
      feature: 'STRING',
      method: 'STRING',
      score: 'FLOAT64?',
      threshold: 'FLOAT64',
      drifted: 'BOOL?',
      status: 'STRING',
      reference_size: 'INT64',
      current_size: 'INT64',
      reference_from: 'DATE?',
      reference_to: 'DATE?',
      current_from: 'DATE?',
      current_to: 'DATE?',
      model_version: 'STRING',
    },
    ['ticker', 'as_of_date', 'feature'],
    'as_of_date',
  ),
  policy_decisions: table(
    'The serving policy per ticker, day and horizon: which forecast served (shrunk LSTM, naive or drift), the challenger tested against it on the realised ledger, the Diebold-Mariano numbers, the shrinkage and the conformal calibration used.',
    {
      ticker: 'STRING',
      as_of_date: 'DATE',
      horizon: 'INT64',
      /** The policy that served before this decision. */
      champion: 'STRING',
      /** The policy that serves from this decision on. */
      served: 'STRING',
      promoted: 'BOOL',
      /** The best challenger on the ledger, tested against the champion. */
      challenger: 'STRING?',
      /** Mean absolute error in return units, |actual − forecast| / base, over the comparable outcomes. */
      champion_mae: 'FLOAT64?',
      challenger_mae: 'FLOAT64?',
      dm_statistic: 'FLOAT64?',
      dm_p_value: 'FLOAT64?',
      /** Realised ledger rows (target date ≤ D) the decision, the shrinkage and the intervals used. */
      ledger_rows: 'INT64',
      shrinkage: 'FLOAT64',
      drift_return: 'FLOAT64?',
      /** The adaptive conformal miss rates used, and the score quantiles they gave. */
      alpha_80: 'FLOAT64',
      alpha_95: 'FLOAT64',
      q_80: 'FLOAT64?',
      q_95: 'FLOAT64?',
      /** Where the scores came from: 'ledger', or 'history' before the ledger has enough. */
      calibration: 'STRING',
      reason: 'STRING',
      run_id: 'STRING',
    },
    ['ticker', 'as_of_date', 'horizon'],
    'as_of_date',
  ),
  evaluations: table(
    'stockops evaluate: a point-in-time walk-forward per ticker, horizon and forecaster (raw LSTM, ensemble, served, naive, drift) over [from_date, to_date].',
    {
      ticker: 'STRING',
      from_date: 'DATE',
      to_date: 'DATE',
      horizon: 'INT64',
      forecaster: 'STRING',
      n: 'INT64',
      mase: 'FLOAT64?',
      mase_lower: 'FLOAT64?',
      mase_upper: 'FLOAT64?',
      dm_statistic: 'FLOAT64?',
      dm_p_value: 'FLOAT64?',
      directional_accuracy: 'FLOAT64',
      always_up_rate: 'FLOAT64',
      coverage_80: 'FLOAT64?',
      coverage_95: 'FLOAT64?',
      kupiec_p_80: 'FLOAT64?',
      kupiec_p_95: 'FLOAT64?',
      width_80_pct: 'FLOAT64?',
      width_95_pct: 'FLOAT64?',
      // Served coverage in the 250-session window farthest from nominal; the walk's retrains, their
      // summed training CPU-seconds and how many were warm starts (null where the fitter did not say).
      worst_coverage_80: 'FLOAT64?',
      worst_coverage_95: 'FLOAT64?',
      retrains: 'INT64?',
      train_cpu_seconds: 'FLOAT64?',
      warm_start_retrains: 'INT64?',
      retrain_every: 'INT64',
      ensemble_size: 'INT64',
      config_hash: 'STRING',
      run_id: 'STRING',
    },
    ['ticker', 'from_date', 'to_date', 'horizon', 'forecaster'],
    'to_date',
  ),
} as const;

export type Tables = typeof tables;
export type TableName = keyof Tables;

type TsOf<T> = T extends `${infer B}?`
  ? TsOf<B> | null
  : T extends 'FLOAT64' | 'INT64'
    ? number
    : T extends 'BOOL'
      ? boolean
      : string;

type Columns<T extends TableName> = Tables[T]['columns'];
type NullableKeys<T extends TableName> = {
  [K in keyof Columns<T>]: Columns<T>[K] extends `${string}?` ? K : never;
}[keyof Columns<T>];

/** A row as read back: every column, null where nullable and unset. */
export type RowOf<T extends TableName> = {
  -readonly [K in keyof Columns<T>]: TsOf<Columns<T>[K]>;
};

/**
 * A row as written: nullable columns may be left out (stored as null), so adding a nullable column
 * never touches the code that writes the table.
 */
export type NewRow<T extends TableName> = Omit<RowOf<T>, NullableKeys<T>> &
  Partial<Pick<RowOf<T>, NullableKeys<T>>>;

export function columnsOf(name: TableName): [string, ColumnType][] {
  return Object.entries(tables[name].columns);
}

export function baseType(t: ColumnType): BaseType {
  return t.replace('?', '') as BaseType;
}

export function isNullable(t: ColumnType): boolean {
  return t.endsWith('?');
}

/** A written row as the warehouse reads it back: the nullable columns left out are null. */
export function asRead<T extends TableName>(name: T, row: NewRow<T>): RowOf<T> {
  const full: Record<string, unknown> = { ...row };
  for (const c of Object.keys(tables[name].columns)) full[c] ??= null;
  return full as RowOf<T>;
}
