import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSamples, buildWindow } from '../../pipelines/model/dataset.js';
import {
  MIN_DAILY_VOLATILITY,
  decodeRows,
  decodeTarget,
  encodeTarget,
  trailingVolatility,
  type VolScaledTarget,
} from '../../pipelines/model/target.js';
import type { Bar } from '../../pipelines/types.js';
import { simpleFeatures, syntheticBars } from './model-fixtures.js';

const spec: VolScaledTarget = { kind: 'volScaledLogReturn', volatilityDays: 20, spread: 4 };
const bars = syntheticBars(160, 7);
const closes = bars.map((b) => b.close);

type Sigma = (closes: readonly number[], t: number, days: number) => number;

/**
 * The causality property of a σ_t: rescaling every close after t (by any positive factors) leaves
 * it unchanged. Returned as a fast-check property so the same check can be run on a leaky variant.
 */
const causal = (sigma: Sigma) =>
  fc.property(
    fc.integer({ min: 2, max: closes.length - 2 }),
    fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 5, maxLength: 5 }),
    (t, k) => {
      const later = closes.map((c, i) => (i <= t ? c : c * (k[i % k.length] as number)));
      return sigma(later, t, spec.volatilityDays) === sigma(closes, t, spec.volatilityDays);
    },
  );

describe('trailingVolatility (σ_t of the scaled target)', () => {
  it('reads only closes up to t', () => {
    expect(fc.check(causal(trailingVolatility), { numRuns: 100 }).failed).toBe(false);
  });

  it('the same check catches a deliberately leaky σ that also reads close(t+1)', () => {
    const leaky: Sigma = (c, t, days) => trailingVolatility(c, t + 1, days + 1);
    expect(fc.check(causal(leaky), { numRuns: 100 }).failed).toBe(true);
  });

  it('is the sample standard deviation of the last `days` log returns', () => {
    const t = 100;
    const r = closes
      .slice(t - 20, t + 1)
      .map((c, i, a) => (i ? Math.log(c / (a[i - 1] as number)) : 0));
    const rets = r.slice(1);
    const m = rets.reduce((a, b) => a + b, 0) / rets.length;
    const sd = Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / (rets.length - 1));
    expect(trailingVolatility(closes, t, 20)).toBeCloseTo(sd, 12);
  });

  it('stays positive and finite on a flat series', () => {
    expect(trailingVolatility([5, 5, 5, 5, 5], 4, 20)).toBe(MIN_DAILY_VOLATILITY);
  });
});

describe('buildSamples σ_t', () => {
  const features = simpleFeatures(bars);
  const opts = { lookback: 10, horizons: [5], volatilityDays: spec.volatilityDays };
  const ds = buildSamples(bars, features, opts);

  it('is unchanged when every bar after t changes, and equals buildWindow’s', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: ds.samples.length - 1 }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (j, f) => {
          const s = ds.samples[j];
          if (!s) return;
          const t = bars.findIndex((b) => b.date === s.asOf);
          const later: Bar[] = bars.map((b, i) =>
            i <= t ? b : { ...b, close: b.close * f * (1 + (i % 3) / 10) },
          );
          const again = buildSamples(later, features, opts).samples[j];
          expect(again?.sigma).toBe(s.sigma);
          const w = buildWindow(later, features, s.asOf, {
            lookback: 10,
            featureColumns: ds.columns.slice(5),
            volatilityDays: spec.volatilityDays,
          });
          expect(w.sigma).toBe(s.sigma);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('encodeTarget / decodeTarget', () => {
  it('decoding inverts encoding for any ratio, σ and horizon', () => {
    fc.assert(
      fc.property(
        // z within what the ReLU can output: above −spread.
        fc.double({ min: -3.9, max: 8, noNaN: true }),
        fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
        fc.integer({ min: 1, max: 60 }),
        (z, sigma, h) => {
          const ratio = Math.exp(z * sigma * Math.sqrt(h));
          const out = encodeTarget(spec, ratio, sigma, h);
          expect(decodeTarget(spec, out, sigma, h)).toBeCloseTo(ratio, 10);
        },
      ),
    );
  });

  it('maps no change to 1 and a move of k·σ·√h to 1 + k / spread, positive within ±spread σ', () => {
    expect(encodeTarget(spec, 1, 0.02, 10)).toBe(1);
    const up2 = Math.exp(2 * 0.02 * Math.sqrt(10));
    expect(encodeTarget(spec, up2, 0.02, 10)).toBeCloseTo(1.5, 12);
    expect(encodeTarget(spec, 1 / up2, 0.02, 10)).toBeCloseTo(0.5, 12);
  });

  it('leaves the ratio target as it is, and decodes each row with its own σ', () => {
    expect(encodeTarget({ kind: 'ratio' }, 1.03, 0.02, 10)).toBe(1.03);
    const rows = decodeRows(spec, [[1], [1.25]], [0.01, 0.02], [4]);
    expect(rows[0]?.[0]).toBe(1);
    expect(rows[1]?.[0]).toBeCloseTo(Math.exp(0.25 * 4 * 0.02 * 2), 12);
    expect(() => decodeRows(spec, [[1]], [], [4])).toThrow(/1 outputs but 0 volatilities/);
  });

  it('decodes the ReLU floor (a dead output) as a ratio of 0, never as a forecast move', () => {
    expect(decodeTarget(spec, 0, 0.02, 10)).toBe(0);
    expect(decodeTarget(spec, 1e-9, 0.02, 10)).toBeGreaterThan(0);
  });
});
