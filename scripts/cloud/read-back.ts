/** What a cloud run left behind, read back from BigQuery and the bucket: for the demo and the e2e test. */
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import type { Warehouse } from '../../pipelines/ports/warehouse/port.js';
import { tables, type TableName } from '../../pipelines/ports/warehouse/schema.js';

/** Columns that say when a row was written, not what it says (a redelivery may change only them). */
const WALL_CLOCK: Partial<Record<TableName, readonly string[]>> = {
  daily_bars: ['ingested_at'],
  quarantine: ['quarantined_at'],
};

export type Rows = Record<string, unknown>[];

/**
 * Every table but the append-only pipeline_runs, wall-clock columns dropped, rows sorted: two
 * snapshots are equal exactly when no row was added, removed or changed.
 */
export async function warehouseSnapshot(w: Warehouse): Promise<Record<string, Rows>> {
  const out: Record<string, Rows> = {};
  for (const name of Object.keys(tables) as TableName[]) {
    if (name === 'pipeline_runs') continue;
    const drop = new Set(WALL_CLOCK[name] ?? []);
    out[name] = (await w.select(name, {}))
      .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k))))
      .map((r) => JSON.stringify(r))
      .sort()
      .map((j) => JSON.parse(j) as Record<string, unknown>);
  }
  return out;
}

export async function rowCounts(w: Warehouse): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(tables) as TableName[])
    out[name] = (await w.select(name, {})).length;
  return out;
}

/** Every object with its bytes, by key: equal snapshots mean no object was added or changed. */
export async function bucketSnapshot(store: ObjectStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of (await store.list('')).sort()) {
    const bytes = await store.get(key);
    out[key] = bytes ? Buffer.from(bytes).toString('base64') : '';
  }
  return out;
}

export function byPrefix(keys: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of keys) (out[`${k.split('/')[0]}/`] ??= []).push(k);
  return out;
}
