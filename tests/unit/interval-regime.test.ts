/**
 * The interval pieces that follow a volatility regime shift: the EWMA volatility that scales scores,
 * ACI with forgetting, and their point-in-time property (with a leaky variant it must catch).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aciAlpha,
  aciQuantile,
  conformalQuantile,
  ewmaVolatility,
  volatility,
} from '../../pipelines/forecast/conformal.js';
import { historyScores, volatilityAt } from '../../pipelines/forecast/history-stats.js';
import { createNormal } from './seeded-normal.js';

/** Closes of a random walk whose daily sd is `sd(k)` on day k. */
function walk(n: number, seed: number, sd: (k: number) => number): number[] {
  const normal = createNormal(seed);
  const closes = [100];
  for (let k = 1; k < n; k++) closes.push((closes.at(-1) ?? 100) * Math.exp(sd(k) * normal()));
  return closes;
}

describe('ewmaVolatility', () => {
  it('weighs the squared log returns λ^age, zero mean, over the window', () => {
    const closes = [50, 100, 110, 99, 108.9];
    const r = [Math.log(1.1), Math.log(0.9), Math.log(1.1)];
    const w = [0.9 ** 2, 0.9, 1];
    const expected = Math.sqrt(
      (w[0]! * r[0]! ** 2 + w[1]! * r[1]! ** 2 + w[2]! * r[2]! ** 2) / (w[0]! + w[1]! + w[2]!),
    );
    expect(ewmaVolatility(closes, 3, 0.9)).toBeCloseTo(expected, 15);
  });

  it('is the equal-weight sample sd at λ = 1, null on too few closes, and checks its inputs', () => {
    const closes = walk(60, 3, () => 0.01);
    expect(ewmaVolatility(closes, 20, 1)).toBe(volatility(closes, 20));
    expect(ewmaVolatility(closes.slice(0, 20), 20, 0.94)).toBeNull();
    expect(() => ewmaVolatility(closes, 20, 0)).toThrow(/lambda/);
    expect(() => ewmaVolatility(closes, 20, 1.01)).toThrow(/lambda/);
    expect(() => ewmaVolatility(closes, 1, 0.9)).toThrow(/window/);
    expect(() => ewmaVolatility([1, 0, 3], 2, 0.9)).toThrow(/positive/);
  });

  it('does not take out the window mean: a steady trend is movement a no-change forecast misses', () => {
    // 1% a day up, every day: the sample sd is 0, but the naive forecast's 10-day error is ~10%.
    const closes = Array.from({ length: 120 }, (_, k) => 100 * 1.01 ** k);
    expect(volatility(closes, 20)).toBeCloseTo(0, 12);
    expect(ewmaVolatility(closes, 100, 0.94)).toBeCloseTo(Math.log(1.01), 12);
  });

  it('lets a shock fade gradually instead of dropping it whole 20 sessions later', () => {
    // One 10% day in a quiet 1%-a-day market; the 20-day sd falls off a cliff on day 21.
    const closes = walk(200, 9, (k) => (k === 100 ? 0.1 : 0.01));
    const step = (f: (t: number) => number | null, t: number) => (f(t) ?? 0) - (f(t + 1) ?? 0);
    const sd20 = (t: number) => volatilityAt(closes, t, 20, 1);
    const ewma = (t: number) => volatilityAt(closes, t, 100, 0.94);
    expect(step(sd20, 119)).toBeGreaterThan(3 * Math.abs(step(ewma, 119)));
  });
});

/**
 * Point in time: the volatility as of t, and the history scores as of the last close, must not move
 * when closes after t are changed or added. `vol` is the estimate under test.
 */
function pointInTime(vol: (closes: readonly number[], t: number) => number | null) {
  return fc.property(
    fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 40, maxLength: 160 }),
    fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 1, maxLength: 20 }),
    fc.integer({ min: 0, max: 1000 }),
    (returns, future, pick) => {
      const closes = [100];
      for (const r of returns) closes.push((closes.at(-1) ?? 100) * Math.exp(r));
      const t = 30 + (pick % (closes.length - 30));
      const past = closes.slice(0, t + 1);
      let c = past.at(-1) ?? 100;
      const other = [...past, ...future.map((r) => (c *= Math.exp(r)))];
      const a = vol(closes, t);
      const b = vol(other, t);
      return a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-15 * Math.abs(a));
    },
  );
}

describe('point in time', () => {
  it('the EWMA volatility on D reads no close after D', () => {
    fc.assert(
      pointInTime((c, t) => volatilityAt(c, t, 25, 0.94)),
      { numRuns: 200 },
    );
  });

  it('the same check fails on a deliberately leaky variant (a window centred on D)', () => {
    // Reads five closes past t: the kind of slip a "smoothed" volatility makes.
    const leaky = (c: readonly number[], t: number) =>
      t + 5 < c.length ? ewmaVolatility(c.slice(t - 20, t + 6), 25, 0.94) : null;
    expect(fc.check(pointInTime(leaky), { numRuns: 200 }).failed).toBe(true);
  });

  it('history scores with the EWMA use only labels known at the last close', () => {
    const closes = walk(400, 5, (k) => (k < 200 ? 0.01 : 0.025));
    const opts = { sessions: 250, volatilityDays: 100, volatilityDecay: 0.94 };
    const later = historyScores(closes.slice(0, 300), 10, opts);
    const prefix = historyScores([...closes.slice(0, 300), 1e6], 10, opts);
    expect(later.length).toBeGreaterThan(150);
    expect(prefix.slice(0, -1)).toEqual(later);
  });
});

describe('ACI with forgetting', () => {
  it('weighs a miss k outcomes old decay^k; decay 1 is the plain fold', () => {
    const misses = [true, false, true, false];
    const plain = aciAlpha({ target: 0.1, gamma: 0.05, misses });
    expect(aciAlpha({ target: 0.1, gamma: 0.05, misses, decay: 1 })).toBe(plain);
    const d = 0.5;
    const terms = [0.1 - 1, 0.1, 0.1 - 1, 0.1].map((x, k) => x * d ** (3 - k));
    const expected = 0.1 + 0.05 * terms.reduce((s, x) => s + x, 0);
    expect(aciAlpha({ target: 0.1, gamma: 0.05, misses, decay: d })).toBeCloseTo(expected, 15);
    expect(() => aciAlpha({ target: 0.1, gamma: 0.05, misses, decay: 0 })).toThrow(/decay/);
    expect(() => aciAlpha({ target: 0.1, gamma: 0.05, misses, decay: 1.5 })).toThrow(/decay/);
  });

  it('after a cluster of misses, widens sooner and lets go sooner than the windowed fold', () => {
    // 250 outcomes: 200 at the nominal rate, a cluster of 25 misses, then 25 covered.
    const target = 0.2;
    const steady = Array.from({ length: 200 }, (_, k) => k % 5 === 0);
    const cluster = [...steady, ...Array.from({ length: 25 }, () => true)];
    const after = [...cluster, ...Array.from({ length: 25 }, () => false)];
    const plain = (m: boolean[]) => aciAlpha({ target, gamma: 0.005, misses: m });
    const fast = (m: boolean[]) => aciAlpha({ target, gamma: 0.02, misses: m, decay: 0.98 });
    // Right after the cluster both lower α (wider intervals); the forgetting one reacts more.
    expect(fast(cluster)).toBeLessThan(plain(cluster));
    // 25 covered outcomes later the windowed fold still holds α down; the forgetting one has let go
    // part of the way back toward the target.
    expect(fast(after) - fast(cluster)).toBeGreaterThan(plain(after) - plain(cluster));
  });

  it('after a 2× variance jump, misses closer to nominal than the windowed fold', () => {
    const normal = createNormal(21);
    const abs = (sd: number) => Math.abs(sd * normal());
    const calibration = Array.from({ length: 250 }, () => abs(1));
    const alpha = 0.05;
    const scores = Array.from({ length: 600 }, () => abs(Math.SQRT2));
    // The policy reads the latest 250 outcomes: a windowed controller, so some offset remains
    // (≈ (α − α*)/(γ·Σweights)); a larger gain with forgetting leaves less of it.
    const run = (gamma: number, decay: number) => {
      const misses: boolean[] = [];
      for (const s of scores) {
        const a = aciAlpha({ target: alpha, gamma, misses: misses.slice(-250), decay });
        misses.push(s > aciQuantile(calibration, a));
      }
      return misses.slice(100).filter(Boolean).length / 500;
    };
    const split = scores.filter((s) => s > conformalQuantile(calibration, alpha)).length / 600;
    expect(split).toBeGreaterThan(0.1);
    const plain = run(0.005, 1);
    const forgetting = run(0.05, 0.98);
    expect(Math.abs(forgetting - alpha)).toBeLessThan(Math.abs(plain - alpha));
    expect(Math.abs(forgetting - alpha)).toBeLessThan(0.03);
  });
});
