import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { EMA, MACD, OBV, RSI, setConfig } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INDICATORS, type IndicatorSpec } from '../../pipelines/config.js';
import { ema } from '../../pipelines/features/ema.js';
import {
  computeIndicators,
  featureNames,
  indicatorLookback,
} from '../../pipelines/features/indicators.js';
import { PipelineError, type Bar, type FeatureRow } from '../../pipelines/types.js';

interface Golden {
  bars: Bar[];
  outputs: Record<string, (number | null)[]>;
}

function loadGolden(ticker: string): Golden {
  const url = new URL(`../golden/talib-${ticker}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Golden;
}

/** Raw OHLCV from the trimmed real series in tests/fixtures/ohlc. */
function loadCsv(file: string): Bar[] {
  const url = new URL(`../fixtures/ohlc/${file}`, import.meta.url);
  const [, ...lines] = readFileSync(url, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [date = '', open, high, low, close, , volume] = line.split(',');
    return {
      date,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
  });
}

const TICKERS = ['AAPL', 'SPY'] as const;
const golden = Object.fromEntries(TICKERS.map((t) => [t, loadGolden(t)])) as Record<
  (typeof TICKERS)[number],
  Golden
>;

const REL = 1e-6;
// Absolute floor, in each column's own units, for values that cross zero (MACD histogram, OBV,
// %K at the window low) where a relative tolerance alone would demand exact equality.
const ABS_FLOOR = 1e-9;

function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= REL * Math.abs(expected) + ABS_FLOOR;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function flatBars(n: number, price: number): Bar[] {
  return Array.from({ length: n }, (_, i) => ({
    date: new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10),
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 1000,
  }));
}

describe('featureNames', () => {
  it('derives column names from the default specs, in spec order', () => {
    expect(featureNames(DEFAULT_INDICATORS)).toEqual([
      'sma_20',
      'ema_20',
      'rsi_14',
      'macd_12_26_9',
      'macd_signal_12_26_9',
      'macd_hist_12_26_9',
      'bb_upper_20_2',
      'bb_middle_20_2',
      'bb_lower_20_2',
      'atr_14',
      'obv',
      'stoch_k_14_3',
      'stoch_d_14_3',
    ]);
  });

  it('uses the spec parameters and keeps fractional ones SQL-safe', () => {
    expect(
      featureNames([
        { kind: 'sma', period: 5 },
        { kind: 'bbands', period: 10, stdDev: 2.5 },
        { kind: 'macd', fast: 5, slow: 35, signal: 5 },
      ]),
    ).toEqual([
      'sma_5',
      'bb_upper_10_2p5',
      'bb_middle_10_2p5',
      'bb_lower_10_2p5',
      'macd_5_35_5',
      'macd_signal_5_35_5',
      'macd_hist_5_35_5',
    ]);
  });

  it('rejects a spec configured twice', () => {
    expect(() =>
      featureNames([
        { kind: 'rsi', period: 14 },
        { kind: 'rsi', period: 14 },
      ]),
    ).toThrow(/rsi_14.*more than once/);
  });
});

describe('computeIndicators against TA-Lib (tests/golden, scripts/golden/make_talib_vectors.py)', () => {
  for (const ticker of TICKERS) {
    const g = golden[ticker];

    it(`${ticker}: every default column matches TA-Lib to 1e-6 relative on every output row`, () => {
      const rows = computeIndicators(g.bars, DEFAULT_INDICATORS);
      expect(rows.length).toBe(g.bars.length - 33);
      const mismatches: string[] = [];
      let compared = 0;
      for (const row of rows) {
        const i = g.bars.findIndex((b) => b.date === row.date);
        for (const [name, value] of Object.entries(row.values)) {
          const ref = g.outputs[name]?.[i];
          if (ref === null || ref === undefined) {
            mismatches.push(`${name}@${row.date}: TA-Lib has no value, we have ${value}`);
          } else if (!close(value, ref)) {
            mismatches.push(`${name}@${row.date}: ours ${value}, TA-Lib ${ref}`);
          }
          compared++;
        }
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(compared).toBe(rows.length * 13);
    });

    for (const spec of DEFAULT_INDICATORS) {
      it(`${ticker}: ${spec.kind} alone starts where TA-Lib starts and matches from its first value`, () => {
        const rows = computeIndicators(g.bars, [spec]);
        const names = featureNames([spec]);
        for (const name of names) {
          const ref = g.outputs[name] ?? [];
          const firstRef = ref.findIndex((v) => v !== null);
          expect(rows[0]?.date).toBe(g.bars[firstRef]?.date);
          expect(indicatorLookback(spec)).toBe(firstRef);
          rows.forEach((row, k) => {
            const expected = ref[firstRef + k];
            const actual = row.values[name];
            if (expected === null || expected === undefined || actual === undefined) {
              throw new Error(
                `${name}@${row.date}: missing value (ours ${actual}, TA-Lib ${expected})`,
              );
            }
            if (!close(actual, expected)) {
              throw new Error(`${name}@${row.date}: ours ${actual}, TA-Lib ${expected}`);
            }
          });
        }
      });
    }
  }

  it('ignores the library-wide precision setting another module might set', () => {
    const g = golden.AAPL;
    const before = computeIndicators(g.bars, DEFAULT_INDICATORS);
    setConfig('precision', 3);
    try {
      expect(computeIndicators(g.bars, DEFAULT_INDICATORS)).toEqual(before);
    } finally {
      setConfig('precision', undefined);
    }
  });
});

describe('where technicalindicators itself differs from TA-Lib (why the corrections exist)', () => {
  const g = golden.AAPL;
  const closes = g.bars.map((b) => b.close);
  const identity = (v: number): number => v;

  it('its RSI is rounded to 2 decimals, so it misses TA-Lib by more than 1e-6', () => {
    const lib = RSI.calculate({ period: 14, values: closes, format: identity });
    const ref = (g.outputs.rsi_14 ?? []).slice(14);
    expect(lib.length).toBe(ref.length);
    expect(lib.every((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6)).toBe(true);
    const worst = Math.max(...lib.map((v, i) => Math.abs(v - (ref[i] ?? NaN))));
    expect(worst).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThanOrEqual(0.005 + 1e-9);
  });

  it('its MACD seeds the fast EMA earlier: off right after warm-up, converging later', () => {
    const lib = MACD.calculate({
      values: closes,
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
      format: identity,
    });
    // The library's MACD line starts on bar 25; TA-Lib's on bar 33.
    const line = lib.map((o) => o.MACD);
    const ref = g.outputs.macd_12_26_9 ?? [];
    const rel = (i: number): number =>
      Math.abs((line[i - 25] ?? NaN) - (ref[i] ?? NaN)) / Math.abs(ref[i] ?? NaN);
    expect(rel(33)).toBeGreaterThan(1e-3);
    for (let i = 200; i < closes.length; i++) expect(rel(i)).toBeLessThan(1e-6);
  });

  it('its OBV starts at 0 on bar 1; TA-Lib starts at the first volume on bar 0', () => {
    const lib = OBV.calculate({
      close: closes,
      volume: g.bars.map((b) => b.volume),
      format: identity,
    });
    const ref = g.outputs.obv ?? [];
    const first = g.bars[0]?.volume ?? NaN;
    expect(lib.length).toBe(closes.length - 1);
    expect(ref[0]).toBe(first);
    lib.forEach((v, i) => expect(v + first).toBe(ref[i + 1]));
  });

  it('its EMA matches TA-Lib as is (SMA seed), so EMA needs no correction', () => {
    const lib = EMA.calculate({ period: 20, values: closes, format: identity });
    const ref = (g.outputs.ema_20 ?? []).slice(19);
    lib.forEach((v, i) => expect(close(v, ref[i] ?? NaN)).toBe(true));
  });
});

describe('alignment', () => {
  const bars = golden.SPY.bars;
  const rows = computeIndicators(bars, DEFAULT_INDICATORS);
  const index = new Map(bars.map((b, i) => [b.date, i]));
  const at = (row: FeatureRow): number => index.get(row.date) ?? NaN;

  it('SMA and the Bollinger middle on date d are the mean of the 20 closes ending at d', () => {
    for (const row of rows) {
      const i = at(row);
      const expected = mean(bars.slice(i - 19, i + 1).map((b) => b.close));
      expect(row.values.sma_20).toBeCloseTo(expected, 9);
      expect(row.values.bb_middle_20_2).toBeCloseTo(expected, 9);
    }
  });

  it('Bollinger bands on date d are middle ± 2 population std of the 20 closes ending at d', () => {
    for (const row of rows) {
      const i = at(row);
      const window = bars.slice(i - 19, i + 1).map((b) => b.close);
      const m = mean(window);
      const sd = Math.sqrt(mean(window.map((x) => (x - m) ** 2)));
      expect(row.values.bb_upper_20_2).toBeCloseTo(m + 2 * sd, 9);
      expect(row.values.bb_lower_20_2).toBeCloseTo(m - 2 * sd, 9);
    }
  });

  it('%K on date d uses the 14 bars ending at d, and %D is the mean of the last three %K', () => {
    const k = (i: number): number => {
      const w = bars.slice(i - 13, i + 1);
      const lo = Math.min(...w.map((b) => b.low));
      const hi = Math.max(...w.map((b) => b.high));
      return (100 * ((bars[i]?.close ?? NaN) - lo)) / (hi - lo);
    };
    for (const row of rows) {
      const i = at(row);
      expect(row.values.stoch_k_14_3).toBeCloseTo(k(i), 9);
      expect(row.values.stoch_d_14_3).toBeCloseTo(mean([k(i - 2), k(i - 1), k(i)]), 9);
    }
  });

  it("EMA, OBV and MACD step from the previous row using only date d's bar", () => {
    const alpha = 2 / 21;
    for (let r = 1; r < rows.length; r++) {
      const prev = rows[r - 1]?.values ?? {};
      const cur = rows[r]?.values ?? {};
      const bar = bars[at(rows[r] as FeatureRow)] as Bar;
      const prevBar = bars[at(rows[r] as FeatureRow) - 1] as Bar;
      const prevEma = prev.ema_20 ?? NaN;
      expect(cur.ema_20).toBeCloseTo(prevEma + alpha * (bar.close - prevEma), 9);
      const sign = Math.sign(bar.close - prevBar.close);
      expect(cur.obv).toBe((prev.obv ?? NaN) + sign * bar.volume);
      expect(cur.macd_hist_12_26_9).toBeCloseTo(
        (cur.macd_12_26_9 ?? NaN) - (cur.macd_signal_12_26_9 ?? NaN),
        12,
      );
    }
  });
});

describe('warm-up', () => {
  const bars = golden.AAPL.bars;

  it('drops rows until the longest indicator (MACD signal, bar 33) has a value', () => {
    const rows = computeIndicators(bars, DEFAULT_INDICATORS);
    expect(rows[0]?.date).toBe(bars[33]?.date);
    expect(rows.map((r) => r.date)).toEqual(bars.slice(33).map((b) => b.date));
  });

  it('gives each row exactly the configured columns, all finite, with no zero-filled warm-up', () => {
    const names = featureNames(DEFAULT_INDICATORS);
    const rows = computeIndicators(bars, DEFAULT_INDICATORS);
    for (const row of rows) {
      expect(Object.keys(row.values)).toEqual(names);
      expect(Object.values(row.values).every(Number.isFinite)).toBe(true);
    }
    // The first row is real data, not a placeholder: it equals TA-Lib's first MACD values.
    const first = rows[0]?.values ?? {};
    for (const name of ['macd_12_26_9', 'macd_signal_12_26_9', 'sma_20', 'atr_14']) {
      expect(first[name]).not.toBe(0);
      expect(close(first[name] ?? NaN, golden.AAPL.outputs[name]?.[33] ?? NaN)).toBe(true);
    }
  });

  it('puts OBV alone on every bar, and no specs gives every bar with no columns', () => {
    expect(computeIndicators(bars, [{ kind: 'obv' }])).toHaveLength(bars.length);
    const empty = computeIndicators(bars.slice(0, 3), []);
    expect(empty).toEqual(bars.slice(0, 3).map((b) => ({ date: b.date, values: {} })));
  });
});

describe('no look-ahead', () => {
  const full = loadCsv('GOOG-20150902-20180119.csv');
  const rows = computeIndicators(full, DEFAULT_INDICATORS);

  it('covers the real GOOG series (600 bars) with finite values', () => {
    expect(full).toHaveLength(600);
    expect(rows).toHaveLength(full.length - 33);
  });

  it('the row for bar k is identical whether computed on bars[0..k] or on the whole series', () => {
    fc.assert(
      fc.property(fc.integer({ min: 33, max: full.length - 1 }), (k) => {
        const prefix = computeIndicators(full.slice(0, k + 1), DEFAULT_INDICATORS);
        expect(prefix.at(-1)).toEqual(rows[k - 33]);
      }),
      { numRuns: 40, seed: 20240611 },
    );
  });

  it('changing bars after d leaves every row up to d unchanged', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 33, max: 400 }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (d, factor) => {
          const bars = full.slice(0, 450);
          const changed = bars.map((b, i) =>
            i <= d
              ? b
              : {
                  ...b,
                  open: b.open * factor,
                  high: b.high * factor,
                  low: b.low * factor,
                  close: b.close * factor,
                  volume: b.volume * 2,
                },
          );
          const base = computeIndicators(bars, DEFAULT_INDICATORS);
          const after = computeIndicators(changed, DEFAULT_INDICATORS);
          expect(after.slice(0, d - 32)).toEqual(base.slice(0, d - 32));
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });
});

describe('degenerate input follows TA-Lib', () => {
  it('flat prices: RSI 0, %K and %D 0, MACD 0, bands collapse onto the mean, ATR 0', () => {
    const rows = computeIndicators(flatBars(60, 50), DEFAULT_INDICATORS);
    expect(rows).toHaveLength(60 - 33);
    for (const { values: v } of rows) {
      expect(v.rsi_14).toBe(0);
      expect(v.stoch_k_14_3).toBe(0);
      expect(v.stoch_d_14_3).toBe(0);
      expect(v.macd_12_26_9).toBe(0);
      expect(v.macd_hist_12_26_9).toBe(0);
      expect(v.bb_upper_20_2).toBe(50);
      expect(v.bb_lower_20_2).toBe(50);
      expect(v.atr_14).toBe(0);
      expect(v.obv).toBe(1000);
    }
  });

  it('EMA survives a seed of exactly 0 (the library alone corrupts the values after it)', () => {
    const xs = [-1, 0, 1, 0, 1, 2, 3];
    const expected = [0];
    for (const x of xs.slice(3))
      expected.push((expected.at(-1) ?? NaN) + 0.5 * (x - (expected.at(-1) ?? NaN)));
    const ours = ema(xs, 3);
    expect(ours).toHaveLength(expected.length);
    ours.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 12));
    const lib = EMA.calculate({ period: 3, values: xs, format: (v: number) => v });
    expect(lib[0]).not.toBe(0);
  });
});

describe('bad input', () => {
  const bars = golden.AAPL.bars;

  it('too few bars for the longest indicator is a clear error naming it', () => {
    expect(() => computeIndicators(bars.slice(0, 19), [{ kind: 'sma', period: 20 }])).toThrow(
      'features: sma_20 needs at least 20 bars, got 19',
    );
    expect(computeIndicators(bars.slice(0, 20), [{ kind: 'sma', period: 20 }])).toHaveLength(1);
    expect(() => computeIndicators(bars.slice(0, 33), DEFAULT_INDICATORS)).toThrow(
      /macd_12_26_9\/macd_signal_12_26_9\/macd_hist_12_26_9 needs at least 34 bars, got 33/,
    );
    expect(() => computeIndicators([], [{ kind: 'obv' }])).toThrow(/obv needs at least 1 bars/);
    try {
      computeIndicators(bars.slice(0, 5), [{ kind: 'rsi', period: 14 }]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PipelineError);
      expect((e as PipelineError).rule).toBe('features.insufficient_history');
    }
  });

  const invalid: [IndicatorSpec, RegExp][] = [
    [{ kind: 'sma', period: 1 }, /period must be an integer >= 2/],
    [{ kind: 'ema', period: 2.5 }, /period must be an integer >= 2/],
    [{ kind: 'macd', fast: 26, slow: 12, signal: 9 }, /fast must be shorter than slow/],
    [{ kind: 'bbands', period: 20, stdDev: 0 }, /stdDev must be > 0/],
    [{ kind: 'stoch', period: 14, signal: 0 }, /signal must be an integer >= 1/],
  ];
  for (const [spec, message] of invalid) {
    it(`rejects ${JSON.stringify(spec)}`, () => {
      expect(() => computeIndicators(bars, [spec])).toThrow(message);
    });
  }

  it('rejects bars out of date order, repeated dates and non-positive prices', () => {
    const swapped = [bars[1], bars[0], ...bars.slice(2)] as Bar[];
    expect(() => computeIndicators(swapped, DEFAULT_INDICATORS)).toThrow(/strictly ascending/);
    const repeated = [bars[0], ...bars] as Bar[];
    expect(() => computeIndicators(repeated, DEFAULT_INDICATORS)).toThrow(/strictly ascending/);
    const zero = bars.map((b, i) => (i === 40 ? { ...b, close: 0 } : b));
    expect(() => computeIndicators(zero, DEFAULT_INDICATORS)).toThrow(
      `bar ${bars[40]?.date} has close=0`,
    );
    const noVolume = bars.map((b, i) => (i === 3 ? { ...b, volume: NaN } : b));
    expect(() => computeIndicators(noVolume, DEFAULT_INDICATORS)).toThrow(/volume=NaN/);
  });
});
