import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BAR_COLUMNS,
  buildSamples,
  buildWindow,
  splitChronological,
  type Sample,
} from '../../pipelines/model/dataset.js';
import {
  applyScaler,
  denormalisePrices,
  fitScaler,
  ruleFor,
} from '../../pipelines/model/normalise.js';
import type { Bar, FeatureRow } from '../../pipelines/types.js';
import { simpleFeatures, syntheticBars } from './model-fixtures.js';

const LOOKBACK = 10;
const HORIZONS = [1, 5];
const bars = syntheticBars(120);
const features = simpleFeatures(bars);
const opts = { lookback: LOOKBACK, horizons: HORIZONS };

const sampleAt = (samples: readonly Sample[], asOf: string): Sample => {
  const s = samples.find((x) => x.asOf === asOf);
  if (!s) throw new Error(`no sample for ${asOf}`);
  return s;
};

describe('column rules', () => {
  it.each([
    ['open', 'price'],
    ['close', 'price'],
    ['sma_20', 'price'],
    ['ema_20', 'price'],
    ['bb_upper_20_2', 'price'],
    ['bb_middle_20_2', 'price'],
    ['bb_lower_20_2', 'price'],
    ['volume', 'logVolume'],
    ['macd_12_26_9', 'perRowClose'],
    ['macd_signal_12_26_9', 'perRowClose'],
    ['macd_hist_12_26_9', 'perRowClose'],
    ['atr_14', 'perRowClose'],
    ['obv', 'obvFlow'],
    ['rsi_14', 'standard'],
    ['stoch_k_14_3', 'standard'],
    ['stoch_d_14_3', 'standard'],
    ['something_new', 'standard'],
    ['closeness', 'standard'],
  ])('%s → %s', (name, rule) => {
    expect(ruleFor(name)).toBe(rule);
  });
});

describe('buildSamples', () => {
  const ds = buildSamples(bars, features, opts);

  it('has one sample per feature row with a full window, bar columns first', () => {
    expect(ds.columns).toEqual([...BAR_COLUMNS, 'atr_3', 'mom_3', 'obv', 'sma_3']);
    expect(ds.samples).toHaveLength(features.length - LOOKBACK + 1);
    expect(ds.samples[0]?.asOf).toBe(features[LOOKBACK - 1]?.date);
    for (const s of ds.samples) {
      expect(s.x).toHaveLength(LOOKBACK);
      for (const row of s.x) expect(row).toHaveLength(ds.columns.length);
    }
  });

  it('expresses the last close as 0 and targets as close(t+h)/close(t), null past the data', () => {
    const closeCol = ds.columns.indexOf('close');
    for (const s of ds.samples) {
      expect(s.x[LOOKBACK - 1]?.[closeCol]).toBe(0);
      const t = bars.findIndex((b) => b.date === s.asOf);
      HORIZONS.forEach((h, k) => {
        const future = bars[t + h];
        expect(s.y[k]).toBe(future ? future.close / (bars[t] as Bar).close : null);
      });
    }
    const last = ds.samples[ds.samples.length - 1] as Sample;
    expect(last.y).toEqual([null, null]);
  });

  it('uses only data up to t: perturbing every later bar and feature leaves X(t) unchanged', () => {
    const first = LOOKBACK - 1 + 3; // warm-up rows of simpleFeatures + window
    fc.assert(
      fc.property(
        fc.integer({ min: first, max: bars.length - 1 }),
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (t, k) => {
          const asOf = (bars[t] as Bar).date;
          const f = (i: number): number => k[i % k.length] as number;
          const pBars = bars.map((b, i) =>
            i <= t
              ? b
              : {
                  date: b.date,
                  open: b.open * f(i),
                  high: b.high * f(i + 1) * 1.1,
                  low: b.low * f(i + 2) * 0.9,
                  close: b.close * f(i + 3),
                  volume: Math.round(b.volume * f(i + 4)),
                },
          );
          const pFeatures: FeatureRow[] = features.map((r, j) =>
            r.date <= asOf
              ? r
              : {
                  date: r.date,
                  values: Object.fromEntries(
                    Object.entries(r.values).map(([c, v]) => [c, v * f(j + 5) + 1]),
                  ),
                },
          );
          const before = sampleAt(ds.samples, asOf);
          const after = sampleAt(buildSamples(pBars, pFeatures, opts).samples, asOf);
          expect(after.x).toEqual(before.x);
          expect(after.base).toBe(before.base);
          HORIZONS.forEach((h, i) => {
            const future = pBars[t + h];
            expect(after.y[i]).toBe(future ? future.close / (bars[t] as Bar).close : null);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('targets read close(t+h) exactly: neighbours of t+h do not move it', () => {
    const t = 50;
    const asOf = (bars[t] as Bar).date;
    const h = 5;
    const k = HORIZONS.indexOf(h);
    const bump = (i: number): Bar[] =>
      bars.map((b, j) => (j === i ? { ...b, close: b.close * 1.5, high: b.high * 1.5 } : b));
    const base = sampleAt(buildSamples(bars, features, opts).samples, asOf).y[k];
    for (const i of [t + h - 1, t + h + 1]) {
      expect(sampleAt(buildSamples(bump(i), features, opts).samples, asOf).y[k]).toBe(base);
    }
    const moved = sampleAt(buildSamples(bump(t + h), features, opts).samples, asOf).y[k];
    expect(moved).toBe(((bars[t + h] as Bar).close * 1.5) / (bars[t] as Bar).close);
  });

  it('gives the same inputs when every price is scaled, so prices outside the training range are ordinary', () => {
    const scale = 37;
    const sBars = bars.map((b) => ({
      ...b,
      open: b.open * scale,
      high: b.high * scale,
      low: b.low * scale,
      close: b.close * scale,
    }));
    const sFeatures = features.map((r) => ({
      date: r.date,
      values: {
        ...r.values,
        sma_3: (r.values.sma_3 as number) * scale,
        atr_3: (r.values.atr_3 as number) * scale,
      },
    }));
    const scaled = buildSamples(sBars, sFeatures, opts);
    ds.samples.forEach((s, i) => {
      const other = scaled.samples[i] as Sample;
      s.x.forEach((row, r) => row.forEach((v, c) => expect(other.x[r]?.[c]).toBeCloseTo(v, 9)));
      s.y.forEach((v, k) =>
        v === null ? expect(other.y[k]).toBeNull() : expect(other.y[k]).toBeCloseTo(v, 12),
      );
    });
  });

  it('buildWindow for asOf equals the sample for asOf and ignores later data', () => {
    const asOf = (bars[70] as Bar).date;
    const later = bars.map((b, i) => (i > 70 ? { ...b, close: b.close * 3, high: b.high * 3 } : b));
    const w = buildWindow(later, features, asOf, {
      lookback: LOOKBACK,
      featureColumns: ds.columns.slice(BAR_COLUMNS.length),
    });
    expect(w.x).toEqual(sampleAt(ds.samples, asOf).x);
    expect(w.base).toBe((bars[70] as Bar).close);
  });

  it('rejects inputs that break the contract, naming what was wrong', () => {
    const swapped = [...bars];
    [swapped[3], swapped[4]] = [swapped[4] as Bar, swapped[3] as Bar];
    expect(() => buildSamples(swapped, features, opts)).toThrow(/strictly increasing/);
    expect(() => buildSamples(bars.slice(0, 50), features, opts)).toThrow(/has no bar/);
    const missing = features.map((r, i) =>
      i === 20 ? { date: r.date, values: { sma_3: 1, atr_3: 1, obv: 1 } } : r,
    );
    expect(() => buildSamples(bars, missing, opts)).toThrow(/lacks column "mom_3"/);
    const gap = features.filter((_, i) => i !== 30);
    expect(() => buildSamples(bars, gap, opts)).toThrow(/consecutive/);
    const zero = bars.map((b, i) => (i === 10 ? { ...b, close: 0 } : b));
    expect(() => buildSamples(zero, features, opts)).toThrow(/close=0/);
    expect(() => buildSamples(bars, features, { lookback: 10, horizons: [] })).toThrow(/horizons/);
  });
});

describe('splitChronological', () => {
  const ds = buildSamples(bars, features, opts);

  it('splits labelled samples oldest→newest with gaps and the tail as test', () => {
    const split = splitChronological(ds.samples, {
      validationFraction: 0.2,
      testFraction: 0.2,
      gap: 5,
    });
    const labelled = ds.samples.filter((s) => s.y.every((v) => v !== null));
    const n = labelled.length;
    expect(split.test).toHaveLength(Math.round(n * 0.2));
    expect(split.validation).toHaveLength(Math.round(n * 0.2));
    expect(split.train.length + split.validation.length + split.test.length + 10).toBe(n);
    expect(split.test[split.test.length - 1]).toBe(labelled[n - 1]);
    const pos = (s: Sample | undefined): number => labelled.indexOf(s as Sample);
    expect(pos(split.validation[0]) - pos(split.train[split.train.length - 1])).toBe(6);
    expect(pos(split.test[0]) - pos(split.validation[split.validation.length - 1])).toBe(6);
    expect(split.test.every((s) => s.y.every((v) => v !== null))).toBe(true);
  });

  it('fails clearly when there are too few samples', () => {
    expect(() =>
      splitChronological(ds.samples.slice(0, 12), {
        validationFraction: 0.2,
        testFraction: 0.2,
        gap: 5,
      }),
    ).toThrow(/too few/);
    const shuffled = [...ds.samples.slice(10, 20), ...ds.samples.slice(0, 10)];
    expect(() =>
      splitChronological(shuffled, { validationFraction: 0.2, testFraction: 0.2, gap: 0 }),
    ).toThrow(/out of date order/);
  });

  it('fits the scaler on training rows only: changing later data leaves it unchanged', () => {
    const splitOpts = { validationFraction: 0.2, testFraction: 0.2, gap: 5 };
    const split = splitChronological(ds.samples, splitOpts);
    const lastTrain = (split.train[split.train.length - 1] as Sample).asOf;
    const later = bars.map((b) =>
      b.date > lastTrain ? { ...b, close: b.close * 2, high: b.high * 2, volume: b.volume * 9 } : b,
    );
    const split2 = splitChronological(buildSamples(later, features, opts).samples, splitOpts);
    expect(fitScaler(split2.train.map((s) => s.x))).toEqual(fitScaler(split.train.map((s) => s.x)));
    // …while the validation inputs did change, so the check above could have failed.
    expect(split2.validation.map((s) => s.x)).not.toEqual(split.validation.map((s) => s.x));
  });
});

describe('normalisation round trip', () => {
  it('de-normalising the scaled price columns recovers the prices to 1e-9', () => {
    const ds = buildSamples(bars, features, opts);
    const scaler = fitScaler(ds.samples.slice(0, 60).map((s) => s.x));
    for (const s of [
      ds.samples[0],
      ds.samples[40],
      ds.samples[ds.samples.length - 1],
    ] as Sample[]) {
      const back = denormalisePrices(ds.rules, scaler, applyScaler(scaler, s.x), s.base);
      const t = bars.findIndex((b) => b.date === s.asOf);
      back.forEach((row, r) => {
        const bar = bars[t - LOOKBACK + 1 + r] as Bar;
        const feat = features.find((f) => f.date === bar.date) as FeatureRow;
        ds.columns.forEach((c, j) => {
          const v = row[j];
          if (ds.rules[j] !== 'price') return expect(v).toBeNull();
          const raw = c in bar ? bar[c as keyof Omit<Bar, 'date'>] : (feat.values[c] as number);
          expect(Math.abs((v as number) - raw)).toBeLessThan(1e-9);
        });
      });
    }
  });

  it('standardises training cells to mean 0 and std 1', () => {
    const ds = buildSamples(bars, features, opts);
    const train = ds.samples.slice(0, 60).map((s) => s.x);
    const scaler = fitScaler(train);
    const cells = train.flatMap((w) => applyScaler(scaler, w));
    ds.columns.forEach((c, j) => {
      const col = cells.map((row) => row[j] as number);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      expect(mean, c).toBeCloseTo(0, 9);
      expect(sd, c).toBeCloseTo(1, 9);
    });
  });
});
