/**
 * "The latest row on or before D": the one query every stage asks of the warehouse to find where it
 * left off (the last bar, feature row, resolved outcome, decision or drift check up to a date), so
 * a backfill of earlier days never sees later rows. Pure of any stage: only the port.
 */
import type { Query, Warehouse } from './port.js';
import type { RowOf, TableName } from './schema.js';

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
