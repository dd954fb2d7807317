import { describe, expect, it } from 'vitest';
import { evaluateRows, evaluationTable, FORECASTERS } from '../../pipelines/evaluate/report.js';
import {
  walkForward,
  type Fitter,
  type WalkForwardInput,
} from '../../pipelines/evaluate/walk-forward.js';
import { createRng } from '../../pipelines/stats/random.js';
import type { Bar, FeatureRow } from '../../pipelines/types.js';
import { loadConfig } from '../../pipelines/config.js';

function series(n: number, seed: number): { bars: Bar[]; features: FeatureRow[] } {
  const rng = createRng(seed);
  const bars: Bar[] = [];
  let close = 100;
  for (let k = 0; k < n; k++) {
    const z = Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
    close *= Math.exp(0.0004 + 0.012 * z);
    const date = new Date(Date.UTC(2010, 0, 4) + k * 86_400_000).toISOString().slice(0, 10);
    bars.push({ date, open: close, high: close, low: close, close, volume: 1e6 });
  }
  return { bars, features: bars.slice(30).map((b) => ({ date: b.date, values: { x: b.close } })) };
}

/**
 * A stand-in for the LSTM ensemble: each "member" forecasts the training data's mean h-day return
 * scaled by its own factor, so it depends only on the data it was fitted on.
 */
const fitter =
  (horizons: number[]): Fitter =>
  (bars) => {
    const closes = bars.map((b) => b.close);
    const mean = (h: number) => {
      let s = 0;
      for (let t = 0; t + h < closes.length; t++) s += (closes[t + h] ?? 0) / (closes[t] ?? 1) - 1;
      return s / Math.max(1, closes.length - h);
    };
    const members = [0.5, 1, 1.5];
    return Promise.resolve({
      forecast: (_bars, _features, asOfs) =>
        new Map(
          asOfs.map((d) => [
            d,
            {
              member: horizons.map((h) => 1 + members[0]! * mean(h)),
              ensemble: horizons.map((h) => 1 + mean(h)),
            },
          ]),
        ),
      dispose: () => undefined,
    });
  };

const serving: WalkForwardInput['serving'] = { ...loadConfig().serving, minComparisonRows: 60 };

describe('walk-forward evaluation', () => {
  const { bars, features } = series(1400, 7);
  const base = (to: string, b: Bar[] = bars): WalkForwardInput => ({
    bars: b,
    features: features.filter((f) => f.date <= (b.at(-1)?.date ?? '')),
    from: features[400]!.date,
    to,
    horizons: [10],
    retrainEvery: 63,
    serving,
    fit: fitter([10]),
  });

  it('point in time: bars after D change nothing forecast, served or published on or before D', async () => {
    const cut = 1100;
    const d = bars[cut]!.date;
    const full = await walkForward(base(bars.at(-1)!.date));
    const truncated = await walkForward(base(d, bars.slice(0, cut + 1)));
    const upToD = (rows: typeof full) =>
      rows.filter((r) => r.asOfDate <= d).map(({ actual: _a, targetDate: _t, ...rest }) => rest);
    expect(truncated.length).toBeGreaterThan(600);
    expect(upToD(truncated)).toEqual(upToD(full));
  });

  it('retrains on the cadence, on data up to each retrain date only', async () => {
    const seen: string[] = [];
    const rows = await walkForward({
      ...base(bars.at(-1)!.date),
      fit: (b, f) => {
        seen.push(`${b.at(-1)?.date}|${f.at(-1)?.date}`);
        return fitter([10])(b, f);
      },
    });
    const days = [...new Set(rows.map((r) => r.asOfDate))];
    expect(seen).toHaveLength(Math.ceil(days.length / 63));
    for (const s of seen) {
      const [b, f] = s.split('|');
      expect(b).toBe(f);
    }
    for (const r of rows) expect(r.trainedThrough <= r.asOfDate).toBe(true);
  });

  it('scores every forecaster on the same rows, and the served intervals cover near nominal', async () => {
    const rows = await walkForward(base(bars.at(-1)!.date));
    const evals = evaluateRows('SYN', rows, 1);
    expect(evals.map((e) => e.forecaster)).toEqual([...FORECASTERS]);
    const ns = new Set(evals.map((e) => e.card.n));
    expect(ns.size).toBe(1);
    const naive = evals.find((e) => e.forecaster === 'naive')!.card;
    expect(naive.mase).toBe(1);
    const served = evals.find((e) => e.forecaster === 'served')!.card;
    // Gaussian returns with constant volatility: coverage near nominal (loose: overlapping targets).
    expect(served.coverage['80']!.coverage).toBeGreaterThan(0.7);
    expect(served.coverage['80']!.coverage).toBeLessThan(0.9);
    expect(served.coverage['95']!.coverage).toBeGreaterThan(0.88);
    expect(evaluationTable(evals)).toMatch(/SYN h10 \(\d+ forecasts; training: n\/a\)/);
  });
});
