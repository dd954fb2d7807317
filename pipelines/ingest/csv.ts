/** Parses Yahoo-format CSV (`Date,Open,High,Low,Close,Adj Close,Volume`) into raw bars, keeping bad rows. */
import { parse } from 'csv-parse/sync';
import type { RawBar } from '../types.js';

export interface ParsedCsv {
  bars: RawBar[];
  /** Rows that could not even be read as numbers: they go to quarantine with this reason. */
  unreadable: { line: number; date: string; reason: string; raw: string }[];
}

const ALIASES: Record<string, keyof RawBar> = {
  date: 'date',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  'adj close': 'adjClose',
  adjclose: 'adjClose',
  adj_close: 'adjClose',
  volume: 'volume',
};
const REQUIRED: (keyof RawBar)[] = ['date', 'open', 'high', 'low', 'close', 'volume'];

export function parseYahooCsv(text: string, what = 'csv'): ParsedCsv {
  const records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  const [header, ...rows] = records;
  if (!header) throw new Error(`${what}: empty file`);
  const index = new Map<keyof RawBar, number>();
  header.forEach((h, i) => {
    const key = ALIASES[h.toLowerCase()];
    if (key) index.set(key, i);
  });
  const missing = REQUIRED.filter((k) => !index.has(k));
  if (missing.length) {
    throw new Error(
      `${what}: missing column(s) ${missing.join(', ')}; expected Date,Open,High,Low,Close,Adj Close,Volume`,
    );
  }
  const out: ParsedCsv = { bars: [], unreadable: [] };
  rows.forEach((row, i) => {
    const cell = (k: keyof RawBar): string | undefined => {
      const j = index.get(k);
      return j === undefined ? undefined : row[j];
    };
    const date = cell('date') ?? '';
    const num = (k: keyof RawBar): number => {
      const raw = cell(k);
      // Yahoo writes "null" for missing values; an empty cell is missing too.
      return raw === undefined || raw === '' || raw === 'null' ? Number.NaN : Number(raw);
    };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      out.unreadable.push({
        line: i + 2,
        date,
        reason: `unreadable date "${date}"`,
        raw: row.join(','),
      });
      return;
    }
    const adj = index.has('adjClose') ? num('adjClose') : undefined;
    out.bars.push({
      date,
      open: num('open'),
      high: num('high'),
      low: num('low'),
      close: num('close'),
      ...(adj === undefined ? {} : { adjClose: adj }),
      volume: num('volume'),
    });
  });
  return out;
}
