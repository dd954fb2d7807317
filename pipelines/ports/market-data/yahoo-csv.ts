/**
 * Parses Yahoo-format CSV (`Date,Open,High,Low,Close,Adj Close,Volume`) into raw bars, keeping bad
 * rows marked `unreadable`. The file format of the CSV adapters; the ingest stage's contract decides
 * what is quarantined.
 */
import { parse } from 'csv-parse/sync';
import { printable } from '../../text.js';
import type { RawBar } from '../../types.js';

/** A file that cannot be read as a Yahoo CSV at all (no header, wrong columns): names the file and rule. */
export class CsvFileError extends Error {
  constructor(
    readonly file: string,
    readonly rule: 'csv_empty' | 'csv_header',
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'CsvFileError';
  }
}

type Field = Exclude<keyof RawBar, 'unreadable'>;
const NUMERIC = ['open', 'high', 'low', 'close', 'adjClose', 'volume'] as const;
const ALIASES: Record<string, Field> = {
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
const REQUIRED: Field[] = ['date', 'open', 'high', 'low', 'close', 'volume'];
/** A plain decimal: optional sign, digits, optional fraction. No exponent, hex, `Infinity`, separators. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type CellResult = { value: number } | { problem: string };

/** One numeric cell, strictly: Yahoo's `null` and an empty cell are missing (NaN), anything else must be a plain decimal. */
export function parseNumericCell(raw: string | undefined): CellResult {
  if (raw === undefined || raw === '' || raw === 'null') return { value: Number.NaN };
  if (!DECIMAL.test(raw))
    return { problem: `"${printable(raw, 30)}" is not a plain decimal number` };
  return { value: Number(raw) };
}

/**
 * Every data row comes back as a bar. A row that cannot be read (a bad date, a cell that is not a
 * plain decimal, a broken CSV record) carries `unreadable` with the rule and reason, so the contract
 * quarantines it instead of storing it. Throws CsvFileError only when the header itself is unusable.
 */
export function parseYahooCsv(text: string, what = 'csv'): RawBar[] {
  const broken: RawBar[] = [];
  const unreadable = (line: number, rule: string, reason: string, raw: string): RawBar => ({
    date: `line-${line}`,
    open: Number.NaN,
    high: Number.NaN,
    low: Number.NaN,
    close: Number.NaN,
    volume: Number.NaN,
    unreadable: {
      rule,
      reason: `line ${line} of ${what}: ${reason}`,
      raw: printable(raw.trim(), 200),
    },
  });
  const records = parse(text, {
    bom: true,
    skip_empty_lines: true,
    trim: true,
    relax_column_count: true,
    // Yahoo never quotes; a stray quote must not swallow the lines after it into one record.
    quote: false,
    info: true,
    raw: true,
    skip_records_with_error: true,
    on_skip: (err, raw) => {
      broken.push(
        unreadable(
          Number(err?.lines ?? 0),
          'csv_record',
          printable(err?.message ?? 'unreadable record', 80),
          raw ?? '',
        ),
      );
      return undefined;
    },
  }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  const [head, ...rows] = records;
  if (!head) throw new CsvFileError(what, 'csv_empty', 'empty file: no header row');
  const index = new Map<Field, number>();
  head.record.forEach((h, i) => {
    const key = ALIASES[h.replace(/^"(.*)"$/, '$1').toLowerCase()];
    if (key && !index.has(key)) index.set(key, i);
  });
  const missing = REQUIRED.filter((k) => !index.has(k));
  if (missing.length) {
    throw new CsvFileError(
      what,
      'csv_header',
      `missing column(s) ${missing.join(', ')} in header "${printable(head.raw.trim(), 80)}"; expected Date,Open,High,Low,Close,Adj Close,Volume`,
    );
  }
  const bars: RawBar[] = rows.map(({ record: row, info, raw }) => {
    const cell = (k: Field): string | undefined => {
      const j = index.get(k);
      return j === undefined ? undefined : row[j];
    };
    const line = info.lines;
    const date = cell('date') ?? '';
    if (!DATE.test(date)) {
      return unreadable(
        line,
        'unreadable_date',
        `date "${printable(date, 30)}" is not YYYY-MM-DD`,
        raw,
      );
    }
    const values: Partial<Record<Field, number>> = {};
    for (const k of NUMERIC) {
      if (!index.has(k)) continue;
      const r = parseNumericCell(cell(k));
      if ('problem' in r) {
        return { ...unreadable(line, 'numeric', `${k} ${r.problem}`, raw), date };
      }
      values[k] = r.value;
    }
    return {
      date,
      open: values.open ?? Number.NaN,
      high: values.high ?? Number.NaN,
      low: values.low ?? Number.NaN,
      close: values.close ?? Number.NaN,
      ...(values.adjClose === undefined ? {} : { adjClose: values.adjClose }),
      volume: values.volume ?? Number.NaN,
    };
  });
  return [...bars, ...broken];
}
