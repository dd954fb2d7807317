/**
 * The staged warehouse: writes go to immutable per-ticker batch objects in the object store, reads
 * overlay a ticker's staged rows on the committed tables, and `commit()` moves everything staged
 * into the committed warehouse in ONE `upsertBatch` (on BigQuery: one load job and one MERGE per
 * table, all MERGEs in one transaction). The daily fan-out then issues no DML at all: BigQuery's
 * per-table mutating-DML concurrency (2 running, 20 queued) and its cancelled conflicting
 * transactions are met once per day by the fan-in, not once per ticker (docs/scale.md).
 *
 * Why objects and not rows in a shared table: one object write is atomic (a ticker-day's batch is
 * seen whole or not at all), objects under a ticker's prefix never contend with other tickers, and
 * they are named once and never rewritten, so a reader may cache them by name.
 */
import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../object-store/port.js';
import type { CommitSummary, Query, Warehouse, WriteBatch } from './port.js';
import { columnsOf, tables, baseType, type NewRow, type RowOf, type TableName } from './schema.js';
import { validateRow } from './validate.js';

export interface StagedWarehouseOptions {
  /** Where commits go and what reads overlay: DuckDB or BigQuery. */
  committed: Warehouse;
  store: ObjectStore;
  /** Object prefix of the staged batches (default `warehouse-staging`). */
  prefix?: string;
}

type Row = Record<string, unknown>;
/** One staged object: rows to upsert and keys to delete, per table, applied in that order. */
interface StagedBatch {
  upserts: Partial<Record<TableName, Row[]>>;
  deletes?: Partial<Record<TableName, Row[]>>;
}

/** Rows of batches that span tickers (or tables without one) live here; every read looks. */
const SHARED = '_shared';
const TICKER_SAFE = /^[A-Za-z0-9.^=_-]{1,40}$/;

const keyOf = (name: TableName, r: Row): string =>
  JSON.stringify(tables[name].key.map((k) => r[k]));

/** A row as the committed adapters read it back: every column present, timestamps normalised. */
function normalise(name: TableName, r: Row): Row {
  const out: Row = {};
  for (const [c, t] of columnsOf(name)) {
    const v = r[c];
    out[c] =
      v === undefined || v === null
        ? null
        : baseType(t) === 'TIMESTAMP'
          ? new Date(v as string).toISOString()
          : v;
  }
  return out;
}

function matches(name: TableName, r: Row, q: Query<TableName>): boolean {
  for (const [c, v] of Object.entries(q.where ?? {})) {
    if (!(c in tables[name].columns)) throw new Error(`${name} has no column "${c}"`);
    if (v === null ? r[c] !== null : r[c] !== v) return false;
  }
  const b = q.between;
  if (b) {
    const v = r[b.column];
    if (typeof v !== 'string') return false;
    if (b.from !== undefined && v < b.from) return false;
    if (b.to !== undefined && v > b.to) return false;
  }
  return true;
}

function compare(name: TableName, q: Query<TableName>): (a: Row, b: Row) => number {
  const cols = q.orderBy ? [q.orderBy] : [...tables[name].key];
  const dir = q.desc ? -1 : 1;
  return (a, b) => {
    for (const c of cols) {
      const x = a[c] as string | number | boolean | null;
      const y = b[c] as string | number | boolean | null;
      if (x === y) continue;
      if (x === null) return -dir;
      if (y === null) return dir;
      return (x < y ? -1 : 1) * dir;
    }
    return 0;
  };
}

/** The one ticker every row of the batch belongs to, or the shared folder. */
function folderOf(batch: StagedBatch): string {
  const tickers = new Set<unknown>();
  for (const rows of [...Object.values(batch.upserts), ...Object.values(batch.deletes ?? {})])
    for (const r of rows ?? []) tickers.add(r.ticker);
  const [only] = tickers;
  return tickers.size === 1 && typeof only === 'string' && TICKER_SAFE.test(only) ? only : SHARED;
}

export interface StagedWarehouse extends Warehouse {
  readonly kind: 'staged';
  readonly committed: Warehouse;
  commit(): Promise<CommitSummary>;
}

export function createStagedWarehouse(opts: StagedWarehouseOptions): StagedWarehouse {
  const { committed, store } = opts;
  const prefix = `${opts.prefix ?? 'warehouse-staging'}/batches/`;
  // Objects are written once under a fresh name and never changed: safe to keep by name.
  const cache = new Map<string, StagedBatch>();
  let seq = 0;

  async function load(key: string): Promise<StagedBatch | undefined> {
    const hit = cache.get(key);
    if (hit) return hit;
    const bytes = await store.get(key);
    if (!bytes) return undefined; // committed and removed meanwhile: the committed table has it
    const batch = JSON.parse(Buffer.from(bytes).toString('utf8')) as StagedBatch;
    cache.set(key, batch);
    return batch;
  }

  /** Staged batches for a ticker (or all), oldest first: a later batch wins on a key. */
  async function batchesFor(ticker: unknown): Promise<StagedBatch[]> {
    const folders =
      typeof ticker === 'string' && TICKER_SAFE.test(ticker)
        ? [`${prefix}${ticker}/`, `${prefix}${SHARED}/`]
        : [prefix];
    const keys = (await Promise.all(folders.map((f) => store.list(f)))).flat();
    keys.sort((a, b) => (a.slice(a.lastIndexOf('/')) < b.slice(b.lastIndexOf('/')) ? -1 : 1));
    const loaded = await Promise.all(keys.map(load));
    return loaded.filter((b): b is StagedBatch => b !== undefined);
  }

  /** The staged state of a table: key → row, or null for a staged delete. */
  function fold(name: TableName, batches: StagedBatch[]): Map<string, Row | null> {
    const state = new Map<string, Row | null>();
    for (const b of batches) {
      for (const r of b.upserts[name] ?? []) state.set(keyOf(name, r), r);
      for (const k of b.deletes?.[name] ?? []) state.set(keyOf(name, k), null);
    }
    return state;
  }

  async function put(batch: StagedBatch): Promise<void> {
    // Time first so names sort in write order across processes; the uuid keeps them unique.
    const stamp = `${Date.now().toString().padStart(15, '0')}-${(seq++).toString().padStart(6, '0')}`;
    const key = `${prefix}${folderOf(batch)}/${stamp}-${randomUUID().slice(0, 8)}.json`;
    await store.put(key, JSON.stringify(batch));
    cache.set(key, batch);
  }

  async function select<T extends TableName>(name: T, q: Query<T> = {}): Promise<RowOf<T>[]> {
    const query = q as Query<TableName>;
    const state = fold(name, await batchesFor(query.where?.ticker));
    if (state.size === 0) return committed.select(name, q);
    const limit = q.limit === undefined ? undefined : q.limit + state.size;
    const base = await committed.select(name, { ...q, ...(limit === undefined ? {} : { limit }) });
    const merged = new Map<string, Row>();
    for (const r of base as Row[]) merged.set(keyOf(name, r), r);
    for (const [k, r] of state) {
      // A staged version replaces the committed one even when it no longer matches the filter.
      merged.delete(k);
      if (r && matches(name, r, query)) merged.set(k, normalise(name, r));
    }
    const rows = [...merged.values()].sort(compare(name, query));
    return (q.limit === undefined ? rows : rows.slice(0, q.limit)) as RowOf<T>[];
  }

  async function upsertBatch(batch: WriteBatch): Promise<Partial<Record<TableName, number>>> {
    const upserts: StagedBatch['upserts'] = {};
    const written: Partial<Record<TableName, number>> = {};
    for (const [name, rows] of Object.entries(batch) as [TableName, NewRow<TableName>[]][]) {
      if (rows === undefined) continue;
      if (!(name in tables)) throw new Error(`unknown warehouse table "${name}"`);
      for (const r of rows) validateRow(name, r);
      const last = new Map<string, Row>();
      for (const r of rows as Row[]) last.set(keyOf(name, r), r);
      written[name] = last.size;
      if (last.size) upserts[name] = [...last.values()];
    }
    if (Object.keys(upserts).length) await put({ upserts });
    return written;
  }

  return {
    kind: 'staged',
    committed,
    init: () => committed.init(),
    upsert: async (name, rows) => (await upsertBatch({ [name]: rows }))[name] ?? 0,
    upsertBatch,
    select,
    async delete(name, where) {
      if (Object.keys(where).length === 0) throw new Error('refusing to delete every row');
      const gone = await select(name, { where });
      if (gone.length === 0) return;
      const keys = (gone as Row[]).map((r) =>
        Object.fromEntries(tables[name].key.map((k) => [k, r[k]])),
      );
      await put({ upserts: {}, deletes: { [name]: keys } });
    },
    async commit() {
      const keys = await store.list(prefix);
      keys.sort((a, b) => (a.slice(a.lastIndexOf('/')) < b.slice(b.lastIndexOf('/')) ? -1 : 1));
      const batches = (await Promise.all(keys.map(load))).filter(
        (b): b is StagedBatch => b !== undefined,
      );
      const upserts: WriteBatch = {};
      const deletes: [TableName, Row][] = [];
      const rows: Partial<Record<TableName, number>> = {};
      for (const name of Object.keys(tables) as TableName[]) {
        const state = fold(name, batches);
        const live = [...state.values()].filter((r): r is Row => r !== null);
        if (live.length) (upserts as Record<string, Row[]>)[name] = live;
        for (const [k, r] of state) if (r === null) deletes.push([name, JSON.parse(k) as Row]);
        if (state.size) rows[name] = live.length;
      }
      // One batch: on BigQuery one load + one MERGE per table in one transaction.
      if (Object.keys(upserts).length) await committed.upsertBatch(upserts);
      for (const [name, keyValues] of deletes) {
        const where = Object.fromEntries(tables[name].key.map((k, i) => [k, keyValues[i]]));
        await committed.delete(name, where);
      }
      // Only after the commit: a crash before this line leaves the batches to commit again.
      await Promise.all(keys.map((k) => store.delete(k)));
      for (const k of keys) cache.delete(k);
      return { batches: batches.length, rows, deletes: deletes.length };
    },
    close: () => committed.close(),
  };
}
