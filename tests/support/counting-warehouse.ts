import type { Warehouse } from '../../pipelines/ports/warehouse/port.js';
import type { TableName } from '../../pipelines/ports/warehouse/schema.js';

/** Write statements a warehouse received: calls (upsert or upsertBatch), and tables written per call. */
export interface WriteCount {
  calls: number;
  /** One per table with rows in a call: a MERGE each in BigQuery. */
  tableWrites: number;
  perTable: Partial<Record<TableName, number>>;
}

export function countingWarehouse(inner: Warehouse): {
  warehouse: Warehouse;
  count: WriteCount;
  reset(): void;
} {
  const count: WriteCount = { calls: 0, tableWrites: 0, perTable: {} };
  const note = (t: TableName, rows: unknown[]) => {
    if (!rows.length) return;
    count.tableWrites += 1;
    count.perTable[t] = (count.perTable[t] ?? 0) + 1;
  };
  const warehouse: Warehouse = {
    ...inner,
    kind: inner.kind,
    init: () => inner.init(),
    select: (t, q) => inner.select(t, q),
    delete: (t, w) => inner.delete(t, w),
    close: () => inner.close(),
    upsert: (t, rows) => {
      count.calls += 1;
      note(t, rows);
      return inner.upsert(t, rows);
    },
    upsertBatch: (batch) => {
      count.calls += 1;
      for (const [t, rows] of Object.entries(batch)) note(t as TableName, rows);
      return inner.upsertBatch(batch);
    },
  };
  return {
    warehouse,
    count,
    reset() {
      count.calls = 0;
      count.tableWrites = 0;
      count.perTable = {};
    },
  };
}
