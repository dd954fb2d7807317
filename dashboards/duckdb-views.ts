/** Runs the dashboard views on a DuckDB connection and reads rows back as plain JSON values. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { viewNames, viewSql } from './views.js';

export type Cell = string | number | boolean | null;
export type ViewRow = Record<string, Cell>;

export interface ViewResult {
  columns: string[];
  rows: ViewRow[];
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UBIGINT']);

// DuckDB's JSON form gives integers as text (they may exceed 2^53): counts and horizons do not.
// DATE stays YYYY-MM-DD; TIMESTAMP becomes ISO 8601 UTC, as the warehouse adapter writes it.
function plain(v: unknown, type: string): Cell {
  if (v === null || v === undefined) return null;
  if (INTEGER_TYPES.has(type)) return Number(v);
  if (type === 'TIMESTAMP' && typeof v === 'string') return `${v.replace(' ', 'T')}Z`;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/** The view's rows on the tables of `schema` (DuckDB's default schema is `main`). */
export async function runView(
  conn: DuckDBConnection,
  name: string,
  schema = 'main',
): Promise<ViewResult> {
  const reader = await conn.runAndReadAll(viewSql(name, schema));
  const columns = reader.columnNames();
  const types = reader.columnTypes().map((t) => t.toString());
  const rows = reader.getRowObjectsJson().map((r) => {
    const out: ViewRow = {};
    columns.forEach((c, i) => (out[c] = plain(r[c], types[i] ?? '')));
    return out;
  });
  return { columns, rows };
}

/** Every view's result, or the error it failed with (one failing view never hides the others). */
export async function runAllViews(
  conn: DuckDBConnection,
  schema = 'main',
): Promise<Record<string, ViewResult | { error: string }>> {
  const out: Record<string, ViewResult | { error: string }> = {};
  for (const name of viewNames()) {
    try {
      out[name] = await runView(conn, name, schema);
    } catch (e) {
      out[name] = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  return out;
}
