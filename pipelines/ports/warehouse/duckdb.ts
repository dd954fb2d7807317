import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Query, Warehouse } from './port.js';
import {
  baseType,
  columnsOf,
  isNullable,
  tables,
  type ColumnType,
  type NewRow,
  type RowOf,
  type TableName,
} from './schema.js';
import { validateRow } from './validate.js';

export interface DuckDbWarehouseOptions {
  /** File path, or `:memory:`. */
  path: string;
  /**
   * Open the file for each call and close it after, so several processes can take turns on it
   * (DuckDB lets one process hold a file at a time): the functions served locally share one file.
   */
  shared?: boolean;
}

const LOCKED = /Could not set lock on file|Conflicting lock/i;

const DUCK_TYPES: Record<ReturnType<typeof baseType>, string> = {
  STRING: 'VARCHAR',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  FLOAT64: 'DOUBLE',
  INT64: 'BIGINT',
  BOOL: 'BOOLEAN',
};

// Large upserts go in chunks to keep each statement's text bounded.
const CHUNK = 2000;

export function ddlFor(name: TableName): string {
  const cols = columnsOf(name).map(
    ([c, t]) => `"${c}" ${DUCK_TYPES[baseType(t)]}${isNullable(t) ? '' : ' NOT NULL'}`,
  );
  const key = tables[name].key.map((k) => `"${k}"`).join(', ');
  return `CREATE TABLE IF NOT EXISTS "${name}" (${cols.join(', ')}, PRIMARY KEY (${key}))`;
}

/**
 * A file made before a nullable column existed gains it (old rows read null): columns are only ever
 * added as nullable, so a warehouse from an earlier release keeps working without a migration step.
 */
export function addedColumnsDdl(name: TableName): string[] {
  return columnsOf(name)
    .filter(([, t]) => isNullable(t))
    .map(
      ([c, t]) =>
        `ALTER TABLE "${name}" ADD COLUMN IF NOT EXISTS "${c}" ${DUCK_TYPES[baseType(t)]}`,
    );
}

type Scalar = string | number | boolean | null | undefined;

// validateRow has checked every value's type first: only strings, numbers, booleans and nulls reach here.
function literal(v: Scalar, t: ColumnType): string {
  if (v === null || v === undefined) return 'NULL';
  const text = String(v);
  switch (baseType(t)) {
    case 'FLOAT64':
    case 'INT64':
      return String(v);
    case 'BOOL':
      return v ? 'TRUE' : 'FALSE';
    case 'TIMESTAMP':
      return `TIMESTAMP '${text.replace('T', ' ').replace('Z', '').replace(/'/g, "''")}'`;
    case 'DATE':
      return `DATE '${text.replace(/'/g, "''")}'`;
    default:
      return `'${text.replace(/'/g, "''")}'`;
  }
}

/** Reads each column back as the JS type the schema promises (dates as ISO strings, numbers as numbers). */
function selectList(name: TableName): string {
  return columnsOf(name)
    .map(([c, t]) => {
      switch (baseType(t)) {
        case 'DATE':
          return `strftime("${c}", '%Y-%m-%d') AS "${c}"`;
        case 'TIMESTAMP':
          return `strftime("${c}", '%Y-%m-%dT%H:%M:%S.%gZ') AS "${c}"`;
        case 'INT64':
          return `CAST("${c}" AS DOUBLE) AS "${c}"`;
        default:
          return `"${c}"`;
      }
    })
    .join(', ');
}

function whereClause<T extends TableName>(name: T, q: Query<T>): string {
  const types = tables[name].columns as Record<string, ColumnType>;
  const parts: string[] = [];
  for (const [c, v] of Object.entries(q.where ?? {}) as [string, Scalar][]) {
    const t = types[c];
    if (!t) throw new Error(`${name} has no column "${c}"`);
    parts.push(v === null ? `"${c}" IS NULL` : `"${c}" = ${literal(v, t)}`);
  }
  if (q.between) {
    const t = types[q.between.column];
    if (!t) throw new Error(`${name} has no column "${q.between.column}"`);
    if (q.between.from) parts.push(`"${q.between.column}" >= ${literal(q.between.from, t)}`);
    if (q.between.to) parts.push(`"${q.between.column}" <= ${literal(q.between.to, t)}`);
  }
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

function openError(path: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const holder = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(msg);
  if (holder) {
    return new Error(
      `the warehouse ${path} is locked by another process (PID ${holder[2]}, ${holder[1]}): another stockops run is probably using it; wait for it to finish`,
    );
  }
  return new Error(`cannot open the warehouse ${path}`, { cause: e });
}

/**
 * Opens the file, saying plainly why not (a folder that cannot be created, a file another run
 * holds). In shared mode it waits while another process holds the file, up to about 60 s.
 */
async function openFile(path: string, waitForLock: boolean) {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new Error(`cannot create the warehouse folder ${dirname(path)}`, { cause: e });
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const instance = await DuckDBInstance.create(path);
      return { instance, conn: await instance.connect() };
    } catch (e) {
      if (!waitForLock || !LOCKED.test(String(e)) || attempt >= 600) throw openError(path, e);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
}

export async function createDuckDbWarehouse({
  path,
  shared = false,
}: DuckDbWarehouseOptions): Promise<Warehouse> {
  let instance: DuckDBInstance | undefined;
  let conn!: DuckDBConnection;
  if (!shared) ({ instance, conn } = await openFile(path, false));
  // DuckDB connections are not safe for interleaved transactions: serialise every call.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <R>(fn: () => Promise<R>): Promise<R> => {
    const run = shared
      ? async () => {
          const f = await openFile(path, true);
          conn = f.conn;
          try {
            return await fn();
          } finally {
            f.conn.closeSync();
            f.instance.closeSync();
          }
        }
      : fn;
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

  /**
   * A failed statement or COMMIT leaves DuckDB's transaction already aborted: a ROLLBACK then fails
   * with "no transaction is active", which must never replace the error that caused it.
   */
  async function inTransaction<R>(what: string, fn: () => Promise<R>): Promise<R> {
    await conn.run('BEGIN TRANSACTION');
    let result: R;
    try {
      result = await fn();
    } catch (e) {
      await rollbackAfter();
      throw e;
    }
    try {
      await conn.run('COMMIT');
    } catch (e) {
      await rollbackAfter();
      throw new Error(`warehouse ${path}: writing ${what} did not commit: ${describe(e)}`, {
        cause: e,
      });
    }
    return result;
  }

  async function rollbackAfter(): Promise<void> {
    try {
      await conn.run('ROLLBACK');
    } catch {
      // Already rolled back by DuckDB; the caller rethrows the real cause.
    }
  }

  // Inside a transaction: validates every row first, so a bad row fails before anything is written.
  async function insertRows<T extends TableName>(name: T, rows: NewRow<T>[]): Promise<number> {
    if (rows.length === 0) return 0;
    const cols = columnsOf(name);
    for (const r of rows) validateRow(name, r);
    // One statement may not touch a key twice: the last row for a key wins, as an upsert would.
    const byKey = new Map<string, NewRow<T>>();
    for (const r of rows) {
      const rec = r as Record<string, unknown>;
      byKey.set(JSON.stringify(tables[name].key.map((k) => rec[k])), r);
    }
    const unique = [...byKey.values()];
    const colList = cols.map(([c]) => `"${c}"`).join(', ');
    for (let i = 0; i < unique.length; i += CHUNK) {
      const values = unique
        .slice(i, i + CHUNK)
        .map((r) => {
          const rec = r as Record<string, Scalar>;
          return `(${cols.map(([c, t]) => literal(rec[c], t)).join(', ')})`;
        })
        .join(',\n');
      await conn.run(`INSERT OR REPLACE INTO "${name}" (${colList}) VALUES ${values}`);
    }
    return unique.length;
  }

  return {
    kind: 'duckdb',
    init: () =>
      serial(async () => {
        for (const name of Object.keys(tables) as TableName[]) {
          await conn.run(ddlFor(name));
          for (const ddl of addedColumnsDdl(name)) await conn.run(ddl);
        }
      }),
    upsert: (name, rows) => serial(() => inTransaction(name, () => insertRows(name, rows))),
    upsertBatch: (batch) =>
      serial(() =>
        inTransaction(Object.keys(batch).join(', '), async () => {
          const written: Partial<Record<TableName, number>> = {};
          for (const [name, rows] of Object.entries(batch) as [TableName, RowOf<TableName>[]][]) {
            written[name] = await insertRows(name, rows);
          }
          return written;
        }),
      ),
    select: <T extends TableName>(name: T, q: Query<T> = {}) =>
      serial(async () => {
        let sql = `SELECT ${selectList(name)} FROM "${name}"${whereClause(name, q)}`;
        const order = q.orderBy ?? tables[name].key.join('", "');
        sql += ` ORDER BY "${order}"${q.desc ? ' DESC' : ''}`;
        if (q.limit !== undefined) sql += ` LIMIT ${Math.trunc(q.limit)}`;
        const reader = await conn.runAndReadAll(sql);
        return reader.getRowObjectsJS() as unknown as RowOf<T>[];
      }),
    delete: (name, where) =>
      serial(async () => {
        const clause = whereClause(name, { where });
        if (!clause) throw new Error(`refusing to delete every row of ${name}: give a filter`);
        await conn.run(`DELETE FROM "${name}"${clause}`);
      }),
    // DuckDB checkpoints on close and ignores a failure (a full disk): the run's writes would then sit
    // only in the write-ahead log while the run reports success. Checkpoint first, and say so.
    close: () =>
      shared
        ? queue.then(() => undefined)
        : serial(async () => {
            let failed: unknown;
            if (path !== ':memory:') {
              try {
                await conn.run('CHECKPOINT');
              } catch (e) {
                failed = e;
              }
            }
            conn.closeSync();
            instance?.closeSync();
            if (failed !== undefined) {
              throw new Error(
                `warehouse ${path}: the database file could not be written at close (${describe(failed)}); this run's writes are only in ${path}.wal`,
                { cause: failed },
              );
            }
          }),
  };
}
