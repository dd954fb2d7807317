import type { Catalog } from '../../pipelines/catalog.js';
import { tables, type TableName } from '../../pipelines/ports/warehouse/schema.js';

/**
 * Columns that record when a row was written or what its making cost, not what it says: a re-run
 * may change them and nothing else. Every other column of every table must come out identical.
 */
export const WALL_CLOCK: Partial<Record<TableName, readonly string[]>> = {
  daily_bars: ['ingested_at'],
  quarantine: ['quarantined_at'],
  pipeline_runs: ['started_at', 'finished_at', 'duration_ms'],
  // Measured CPU time of the walk's retrains (process accounting, never the same twice).
  evaluations: ['train_cpu_seconds'],
};

export type Row = Record<string, unknown>;
export type Snapshot = Record<TableName, Row[]>;

const keyOf = (name: TableName, r: Row): string =>
  JSON.stringify(tables[name].key.map((k) => r[k]));

/** Every row of every table in schema.ts, wall-clock columns removed, in natural-key order. */
export async function snapshotTables(cat: Catalog): Promise<Snapshot> {
  const out = {} as Snapshot;
  for (const name of Object.keys(tables) as TableName[]) {
    const drop = new Set(WALL_CLOCK[name] ?? []);
    const rows = (await cat.warehouse.select(name, {})) as Row[];
    out[name] = rows
      .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k))))
      .sort((a, b) => keyOf(name, a).localeCompare(keyOf(name, b)));
  }
  return out;
}

export { asRead } from '../../pipelines/ports/warehouse/schema.js';
