/** Warehouse port: typed upserts and selects on the tables of `schema.ts`, nothing else. */
import type { NewRow, RowOf, TableName } from './schema.js';

export interface Query<T extends TableName> {
  /** Equality on columns. */
  where?: Partial<RowOf<T>>;
  /** Inclusive range on one DATE column. */
  between?: { column: keyof RowOf<T> & string; from?: string; to?: string };
  orderBy?: keyof RowOf<T> & string;
  desc?: boolean;
  limit?: number;
}

/** Rows for several tables, written together: one ticker-day's outputs, all or nothing. */
export type WriteBatch = { [T in TableName]?: NewRow<T>[] };

export interface Warehouse {
  readonly kind: string;
  /** Creates missing tables; safe to call on every start. */
  init(): Promise<void>;
  /** Inserts or replaces rows on the table's natural key, all or nothing. */
  upsert<T extends TableName>(table: T, rows: NewRow<T>[]): Promise<number>;
  /**
   * Upserts every table of the batch as one unit: either all its rows are stored or none is.
   * Returns the rows written per table. Writing the same batch again leaves the same rows.
   */
  upsertBatch(batch: WriteBatch): Promise<Partial<Record<TableName, number>>>;
  select<T extends TableName>(table: T, query?: Query<T>): Promise<RowOf<T>[]>;
  /** Removes rows matching equality filters (e.g. one ticker's outcomes being recomputed). */
  delete<T extends TableName>(table: T, where: Partial<RowOf<T>>): Promise<void>;
  /**
   * Only on a warehouse that stages writes (`staged.ts`): moves every staged batch into the
   * committed tables in one batch write. Safe to repeat: what was committed is not staged any more.
   */
  commit?(): Promise<CommitSummary>;
  close(): Promise<void>;
}

/** What one commit of the staged writes moved. */
export interface CommitSummary {
  /** Staged batch objects folded in. */
  batches: number;
  /** Rows upserted per table (after the last write per key won). */
  rows: Partial<Record<TableName, number>>;
  /** Rows deleted. */
  deletes: number;
}

/**
 * A write or read the warehouse service failed. `retryable`: the service was unreachable,
 * overloaded, rate-limited or lost a transaction to a concurrent one, so the same call may succeed
 * later (a function rethrows it and Pub/Sub redelivers); otherwise another try would only repeat it.
 */
export class WarehouseError extends Error {
  constructor(
    message: string,
    /** What was being done, e.g. `upsertBatch daily_bars,features`. */
    readonly operation: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WarehouseError';
  }
}

/*
 * "The latest row on or before D": the one query every stage asks of the warehouse to find where it
 * left off (the last bar, feature row, resolved outcome, decision or drift check up to a date), so
 * a backfill of earlier days never sees later rows. Written once over the port, for every adapter.
 */
export interface LatestQuery<T extends TableName> {
  /** Equality on columns. */
  where?: Query<T>['where'];
  /** The DATE column that orders the rows and is bounded by `date`. */
  column: keyof RowOf<T> & string;
  /** Inclusive upper bound. */
  date: string;
}

/** The row with the greatest `column` ≤ `date` among those matching `where`, if any. */
export async function latestOnOrBefore<T extends TableName>(
  warehouse: Pick<Warehouse, 'select'>,
  table: T,
  q: LatestQuery<T>,
): Promise<RowOf<T> | undefined> {
  const [row] = await warehouse.select(table, {
    ...(q.where ? { where: q.where } : {}),
    between: { column: q.column, to: q.date },
    orderBy: q.column,
    desc: true,
    limit: 1,
  });
  return row;
}
