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
      predicted_close: 'FLOAT64',
      model_version: 'STRING',
      run_id: 'STRING',
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

export type RowOf<T extends TableName> = {
  -readonly [K in keyof Tables[T]['columns']]: TsOf<Tables[T]['columns'][K]>;
};

export function columnsOf(name: TableName): [string, ColumnType][] {
  return Object.entries(tables[name].columns);
}

export function baseType(t: ColumnType): BaseType {
  return t.replace('?', '') as BaseType;
}

export function isNullable(t: ColumnType): boolean {
  return t.endsWith('?');
}

// A real day (2021-02-30 passes a pattern but no database takes it): checked here, before any write.
function isCalendarDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

// ISO 8601 in UTC, as `Date.toISOString()` writes it: a zone-less or offset time would be read as
// UTC by one warehouse and shifted by another.
function isTimestamp(v: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && !Number.isNaN(Date.parse(v))
  );
}

/** Checks a row against the schema before any write, so a bad row fails loudly instead of half-writing. */
export function validateRow(name: TableName, row: Record<string, unknown>): void {
  for (const [col, type] of columnsOf(name)) {
    const v = row[col];
    if (v === null || v === undefined) {
      if (!isNullable(type))
        throw new Error(`${name}.${col} is required (row ${JSON.stringify(row)})`);
      continue;
    }
    const base = baseType(type);
    const ok =
      base === 'FLOAT64' || base === 'INT64'
        ? typeof v === 'number' && Number.isFinite(v) && (base === 'FLOAT64' || Number.isInteger(v))
        : base === 'BOOL'
          ? typeof v === 'boolean'
          : base === 'DATE'
            ? typeof v === 'string' && isCalendarDate(v)
            : base === 'TIMESTAMP'
              ? typeof v === 'string' && isTimestamp(v)
              : typeof v === 'string';
    if (!ok) throw new Error(`${name}.${col} must be ${type}, got ${JSON.stringify(v)}`);
  }
}
