/**
 * BigQuery SQL and row mapping for the warehouse tables, built from `schema.ts` alone. No SDK here:
 * the adapter (bigquery.ts) turns the typed parameters into the client's values. Identifiers come
 * only from the schema module (and the configured project and dataset, checked below); every value
 * travels as a named, typed query parameter and never as SQL text.
 */
import type { Query } from './port.js';
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

type Base = ReturnType<typeof baseType>;

export interface Param {
  type: Base;
  value: string | number | boolean;
}

export interface Statement {
  sql: string;
  params: Record<string, Param>;
}

export interface FieldSchema {
  name: string;
  type: Base;
  mode: 'REQUIRED' | 'NULLABLE';
}

// Project ids (optionally domain-scoped) and dataset names as BigQuery allows them: they end up
// inside backquoted table paths, so nothing else may get through.
const PROJECT = /^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;

export function checkLocation(projectId: string, dataset: string): void {
  if (!PROJECT.test(projectId)) {
    throw new Error(`BigQuery project id "${projectId}" is not a valid project id`);
  }
  if (!DATASET.test(dataset)) {
    throw new Error(`BigQuery dataset "${dataset}" may hold only letters, digits and underscores`);
  }
}

const q = (identifier: string): string => `\`${identifier}\``;

/** `project.dataset.table`, backquoted. */
export const tablePath = (projectId: string, dataset: string, table: string): string =>
  q(`${projectId}.${dataset}.${table}`);

export function fieldsOf(name: TableName): FieldSchema[] {
  return columnsOf(name).map(([c, t]) => ({
    name: c,
    type: baseType(t),
    mode: isNullable(t) ? 'NULLABLE' : 'REQUIRED',
  }));
}

/** tables.insert metadata: schema, description, partitioning and clustering from `schema.ts`. */
export function tableMetadata(name: TableName) {
  const def = tables[name];
  return {
    description: def.description,
    schema: { fields: fieldsOf(name) },
    timePartitioning: { type: def.partition.granularity, field: def.partition.column },
    clustering: { fields: [...def.cluster] },
  };
}

/** Newline-delimited JSON for a load job: schema columns only, missing values as null. */
export function toNdjson(name: TableName, rows: readonly Record<string, unknown>[]): string {
  const cols = columnsOf(name).map(([c]) => c);
  return rows
    .map((r) => JSON.stringify(Object.fromEntries(cols.map((c) => [c, r[c] ?? null]))))
    .join('\n');
}

/** One row per natural key, the last one winning, as an upsert of the rows in order would leave. */
export function lastPerKey<T extends TableName>(name: T, rows: readonly NewRow<T>[]): NewRow<T>[] {
  const byKey = new Map<string, NewRow<T>>();
  for (const r of rows) {
    const rec = r as Record<string, unknown>;
    byKey.set(JSON.stringify(tables[name].key.map((k) => rec[k])), r);
  }
  return [...byKey.values()];
}

export interface MergeStatement extends Statement {
  /** DECLAREs the MERGE needs first (a script's variables must open the script). */
  declarations: string[];
}

/**
 * One MERGE of a staging table into its table on the natural key. When the partition column is part
 * of the key, the ON clause also bounds the target to the batch's date range, so BigQuery reads only
 * the partitions the batch touches (a key equality alone does not prune the target; a subquery in
 * the filter would not prune either). The bounds are typed parameters from `range` when given;
 * otherwise script variables set from the staging table, for multi-statement scripts (where the
 * emulator binds no query parameters).
 */
export function mergeStatement(
  name: TableName,
  target: string,
  staging: string,
  prefix: string,
  range?: { from: string; to: string },
): MergeStatement {
  const def = tables[name];
  const cols = columnsOf(name).map(([c]) => c);
  const keys = new Set<string>(def.key);
  const on = def.key.map((k) => `T.${q(k)} = S.${q(k)}`);
  const params: Record<string, Param> = {};
  const declarations: string[] = [];
  const pcol = def.partition.column;
  if (keys.has(pcol)) {
    const type = baseType(columnType(name, pcol));
    const [from, to] = [`${prefix}_from`, `${prefix}_to`];
    if (range) {
      params[from] = { type, value: range.from };
      params[to] = { type, value: range.to };
      on.push(`T.${q(pcol)} BETWEEN @${from} AND @${to}`);
    } else {
      declarations.push(
        `DECLARE ${from} ${type} DEFAULT (SELECT MIN(${q(pcol)}) FROM ${staging});`,
        `DECLARE ${to} ${type} DEFAULT (SELECT MAX(${q(pcol)}) FROM ${staging});`,
      );
      on.push(`T.${q(pcol)} BETWEEN ${from} AND ${to}`);
    }
  }
  const updates = cols.filter((c) => !keys.has(c)).map((c) => `${q(c)} = S.${q(c)}`);
  const sql = [
    `MERGE ${target} T USING ${staging} S ON ${on.join(' AND ')}`,
    updates.length ? `WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}` : '',
    `WHEN NOT MATCHED THEN INSERT (${cols.map(q).join(', ')})`,
    `VALUES (${cols.map((c) => `S.${q(c)}`).join(', ')})`,
  ]
    .filter(Boolean)
    .join('\n');
  return { sql, params, declarations };
}

/** One MERGE alone (atomic by itself), or several in one transaction: all of them or none. */
export function mergeScript(merges: MergeStatement[]): Statement {
  if (merges.length === 1 && merges[0]) return merges[0];
  return {
    sql: [
      ...merges.flatMap((m) => m.declarations),
      'BEGIN TRANSACTION;',
      ...merges.map((m) => `${m.sql};`),
      'COMMIT TRANSACTION;',
    ].join('\n'),
    params: {},
  };
}

/** The smallest and largest value of the partition column in a batch (ISO text sorts by time). */
export function partitionRange(
  name: TableName,
  rows: readonly Record<string, unknown>[],
): { from: string; to: string } | undefined {
  const col = tables[name].partition.column;
  const values = rows.map((r) => r[col]).filter((v): v is string => typeof v === 'string');
  if (values.length !== rows.length || values.length === 0) return undefined;
  values.sort();
  return { from: values[0] as string, to: values.at(-1) as string };
}

function columnType(name: TableName, column: string): ColumnType {
  const t = (tables[name].columns as Record<string, ColumnType>)[column];
  if (!t) throw new Error(`${name} has no column "${column}"`);
  return t;
}

type Scalar = string | number | boolean | null | undefined;

/** WHERE text and its parameters for equality filters and an inclusive date range. */
export function whereOf<T extends TableName>(name: T, query: Query<T>): Statement {
  const parts: string[] = [];
  const params: Record<string, Param> = {};
  let n = 0;
  const bind = (column: string, value: string | number | boolean): string => {
    const p = `p${n++}`;
    params[p] = { type: baseType(columnType(name, column)), value };
    return `@${p}`;
  };
  for (const [c, v] of Object.entries(query.where ?? {}) as [string, Scalar][]) {
    columnType(name, c);
    // An undefined filter value matches nothing, as `= NULL` does in the DuckDB adapter.
    if (v === undefined) parts.push('FALSE');
    else parts.push(v === null ? `${q(c)} IS NULL` : `${q(c)} = ${bind(c, v)}`);
  }
  const range = query.between;
  if (range) {
    columnType(name, range.column);
    if (range.from) parts.push(`${q(range.column)} >= ${bind(range.column, range.from)}`);
    if (range.to) parts.push(`${q(range.column)} <= ${bind(range.column, range.to)}`);
  }
  return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

export function selectStatement<T extends TableName>(
  name: T,
  target: string,
  query: Query<T>,
): Statement {
  const where = whereOf(name, query);
  const cols = columnsOf(name)
    .map(([c]) => q(c))
    .join(', ');
  const order = query.orderBy ? [query.orderBy] : [...tables[name].key];
  for (const c of order) columnType(name, c);
  const dir = query.desc ? ' DESC' : '';
  let sql = `SELECT ${cols} FROM ${target}${where.sql} ORDER BY ${order.map((c) => q(c) + dir).join(', ')}`;
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 0) {
      throw new Error(`limit must be a whole number ≥ 0, got ${query.limit}`);
    }
    where.params.limit = { type: 'INT64', value: query.limit };
    sql += ' LIMIT @limit';
  }
  return { sql, params: where.params };
}

export function deleteStatement<T extends TableName>(
  name: T,
  target: string,
  filter: Partial<RowOf<T>>,
): Statement {
  const where = whereOf(name, { where: filter });
  if (!where.sql) throw new Error(`refusing to delete every row of ${name}: give a filter`);
  return { sql: `DELETE FROM ${target}${where.sql}`, params: where.params };
}

/** The client returns DATE and TIMESTAMP as wrapper objects: back to the port's ISO strings. */
export function fromBigQuery<T extends TableName>(name: T, row: Record<string, unknown>): RowOf<T> {
  const out: Record<string, unknown> = {};
  for (const [c, t] of columnsOf(name)) {
    const v = row[c];
    const raw = v !== null && typeof v === 'object' && 'value' in v ? v.value : v;
    if (raw === null || raw === undefined) out[c] = null;
    else if (baseType(t) === 'TIMESTAMP') out[c] = new Date(raw as string).toISOString();
    else if (baseType(t) === 'INT64' || baseType(t) === 'FLOAT64') out[c] = Number(raw);
    else out[c] = raw;
  }
  return out as RowOf<T>;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const TRANSIENT_REASONS = new Set([
  'backendError',
  'internalError',
  'rateLimitExceeded',
  'jobRateLimitExceeded',
  'quotaExceeded',
  'tableUnavailable',
  'timeout',
]);
// A transaction or DML that lost to a concurrent one on the same table: the retry runs alone.
const CONCURRENT = /concurrent update|could not serialize access|transaction is aborted/i;

/** A transaction or DML statement that lost to a concurrent write on the same table. */
export function isConcurrentUpdateError(e: unknown): boolean {
  for (let err: unknown = e, depth = 0; err && depth < 5; depth++) {
    const x = err as { message?: unknown; errors?: { message?: string }[]; cause?: unknown };
    if (typeof x.message === 'string' && CONCURRENT.test(x.message)) return true;
    if ((x.errors ?? []).some((r) => CONCURRENT.test(r.message ?? ''))) return true;
    err = x.cause;
  }
  return false;
}

/** 5xx, 408, 429, network failures, rate limits and lost transactions: worth another try. */
export function isTransientBigQueryError(e: unknown): boolean {
  for (let err: unknown = e, depth = 0; err && depth < 5; depth++) {
    const x = err as {
      code?: unknown;
      errno?: unknown;
      message?: unknown;
      errors?: { reason?: string; message?: string }[];
      cause?: unknown;
    };
    if (typeof x.code === 'number' && (x.code >= 500 || x.code === 408 || x.code === 429)) {
      return true;
    }
    if (typeof x.code === 'string' && TRANSIENT_CODES.has(x.code)) return true;
    if (typeof x.errno === 'string' && TRANSIENT_CODES.has(x.errno)) return true;
    for (const r of x.errors ?? []) {
      if (TRANSIENT_REASONS.has(r.reason ?? '') || CONCURRENT.test(r.message ?? '')) return true;
    }
    if (typeof x.message === 'string' && CONCURRENT.test(x.message)) return true;
    err = x.cause;
  }
  return false;
}
