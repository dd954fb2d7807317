/**
 * Property-based tests of the CSV parser and the data contract over arbitrary cells and rows: every
 * bar the contract lets through is plausible, every other row is quarantined with a reason, and the
 * parser never throws on a readable header.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAUSIBILITY, type Plausibility } from '../../pipelines/config.js';
import { checkContract } from '../../pipelines/ingest/contract.js';
import {
  CsvFileError,
  parseNumericCell,
  parseYahooCsv,
} from '../../pipelines/ports/market-data/yahoo-csv.js';
import type { RawBar } from '../../pipelines/types.js';

const HEADER = 'Date,Open,High,Low,Close,Adj Close,Volume';
const P: Plausibility = DEFAULT_PLAUSIBILITY;
const opts = { maxStaleSessions: 3, maxBadShare: 1, plausibility: P };

/** The contract, restated independently: what a stored bar must satisfy. */
function satisfiesContract(b: RawBar, prev: RawBar | undefined): boolean {
  const prices = [b.open, b.high, b.low, b.close];
  const adj = (x: RawBar) => x.adjClose ?? x.close;
  return (
    b.unreadable === undefined &&
    /^\d{4}-\d{2}-\d{2}$/.test(b.date) &&
    [...prices, b.volume].every(Number.isFinite) &&
    prices.every((v) => v >= P.minPrice && v <= P.maxPrice) &&
    (b.adjClose === undefined || (Number.isFinite(b.adjClose) && b.adjClose > 0)) &&
    b.high >= Math.max(b.open, b.close) &&
    b.low <= Math.min(b.open, b.close) &&
    b.volume >= 0 &&
    b.volume <= P.maxVolume &&
    (prev === undefined ||
      (adj(b) / adj(prev) <= P.maxDailyFactor && adj(b) / adj(prev) >= 1 / P.maxDailyFactor)) &&
    (prev === undefined || b.date > prev.date)
  );
}

// Cells: mostly plausible numbers, often hostile strings (exponents, hex, Infinity, junk, huge digits).
const numberCell = fc.oneof(
  fc.double({ min: 0.5, max: 500, noNaN: true }).map((x) => x.toFixed(4)),
  fc.constantFrom(
    '',
    'null',
    'NaN',
    'Infinity',
    '-1',
    '0',
    '1e5',
    '0x1F',
    '1,5',
    ' 7 ',
    '+3.',
    '.5',
  ),
  fc.constantFrom('9'.repeat(400), `1${'0'.repeat(20)}`, '1.7976931348623157e308', '12abc', '١٢'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const dateCell = fc.oneof(
  fc
    .date({ min: new Date('2019-01-01'), max: new Date('2020-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.string({ maxLength: 12 }),
);
const hostileRow = fc.tuple(
  dateCell,
  numberCell,
  numberCell,
  numberCell,
  numberCell,
  numberCell,
  numberCell,
);
// A coherent bar (so some rows pass), sometimes with one cell replaced by a hostile one.
const goodRow = fc
  .record({
    day: fc.integer({ min: 0, max: 700 }),
    price: fc.double({ min: 1, max: 300, noNaN: true }),
    o: fc.double({ min: 0.97, max: 1.03, noNaN: true }),
    c: fc.double({ min: 0.97, max: 1.03, noNaN: true }),
    volume: fc.integer({ min: 0, max: 1e9 }),
    swap: fc.option(fc.tuple(fc.integer({ min: 0, max: 6 }), numberCell), { freq: 2 }),
  })
  .map(({ day, price, o, c, volume, swap }) => {
    const open = price * o;
    const close = price * c;
    const cells = [
      new Date(Date.UTC(2019, 0, 1) + day * 86_400_000).toISOString().slice(0, 10),
      open.toFixed(4),
      (Math.max(open, close) * 1.01).toFixed(4),
      (Math.min(open, close) * 0.99).toFixed(4),
      close.toFixed(4),
      close.toFixed(4),
      String(volume),
    ];
    if (swap) cells[swap[0]] = swap[1];
    return cells;
  });
const row = fc.oneof(goodRow, hostileRow);
// A line holds no newline of its own: CSV cells never span lines in a Yahoo export.
const line = (cells: string[]) => cells.map((c) => c.replace(/[\r\n]/g, ' ')).join(',');

describe('CSV parser and data contract, fuzzed', () => {
  it('every stored bar satisfies the contract; every other row is quarantined with a reason', () => {
    let stored = 0;
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        const text = [HEADER, ...rows.map(line)].join('\n');
        const bars = parseYahooCsv(text, 'fuzz.csv');
        const r = checkContract('FUZZ', bars, opts);
        stored += r.valid.length;
        r.valid.forEach((b, i) => expect(satisfiesContract(b, r.valid[i - 1])).toBe(true));
        // Every row read is either stored or quarantined, never lost.
        expect(r.valid.length + r.quarantined.length).toBe(bars.length);
        for (const q of r.quarantined) {
          expect(q.rule).toMatch(/^[a-z_]+$/);
          expect(q.reason.length).toBeGreaterThan(0);
          // Bounded and printable, whatever bytes the cell held.
          expect(q.reason.length).toBeLessThan(400);
          expect(q.reason).not.toMatch(/\p{Cc}/u);
        }
      }),
      { numRuns: 400, seed: 1414 },
    );
    // The property is not vacuous: many generated rows were good enough to store.
    expect(stored).toBeGreaterThan(100);
  });

  it('reads every non-empty line of a data file as one bar (lost rows would hide bad input)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const lines = rows.map(line).filter((l) => l.trim() !== '');
        const bars = parseYahooCsv([HEADER, ...lines].join('\n'), 'fuzz.csv');
        expect(bars).toHaveLength(lines.length);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('never throws on any text after a valid header, and throws only CsvFileError otherwise', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (body, header) => {
        const text = header ? `${HEADER}\n${body}` : body;
        try {
          parseYahooCsv(text, 'garbage.bin');
        } catch (e) {
          expect(header).toBe(false);
          expect(e).toBeInstanceOf(CsvFileError);
          const msg = (e as Error).message;
          expect(msg).toMatch(/^garbage\.bin: /);
          expect(msg.length).toBeLessThan(400);
          expect(msg).not.toMatch(/\p{Cc}/u);
        }
      }),
      { numRuns: 500, seed: 99 },
    );
  });

  it('a numeric cell is a plain decimal or missing, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 15 }), (s) => {
        const r = parseNumericCell(s);
        if ('value' in r && !Number.isNaN(r.value)) {
          expect(s).toMatch(/^[+-]?(\d+(\.\d*)?|\.\d+)$/);
          expect(r.value).toBe(Number(s));
        }
      }),
      { numRuns: 1000, seed: 3 },
    );
    for (const s of ['1e5', '0x10', 'Infinity', '1_000', '12abc', ' ', '--1']) {
      expect(parseNumericCell(s)).toHaveProperty('problem');
    }
    expect(parseNumericCell('12.5')).toEqual({ value: 12.5 });
    expect(parseNumericCell('null')).toEqual({ value: Number.NaN });
  });
});
