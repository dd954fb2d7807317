/** Row validation against the schema, before any write: a bad row fails loudly, never half-writes. */
import { baseType, columnsOf, isNullable, type TableName } from './schema.js';

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
