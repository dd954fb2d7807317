import { describe, expect, it } from 'vitest';
import {
  aciAlpha,
  aciQuantile,
  servedQuantile,
  boundForWarehouse,
  conformalQuantile,
  interval,
  intervalForWarehouse,
  intervalScore,
  volatility,
} from '../../pipelines/forecast/conformal.js';
import { createNormal } from './seeded-normal.js';

const absNormals = (n: number, seed: number, sd = 1): number[] => {
  const normal = createNormal(seed);
  return Array.from({ length: n }, () => Math.abs(sd * normal()));
};

describe('conformalQuantile', () => {
  it('takes the ⌈(n+1)(1−α)⌉-th smallest score', () => {
    const scores = [9, 3, 7, 1, 5, 2, 8, 6, 4];
    // n = 9, α = 0.2: ⌈10 · 0.8⌉ = 8.
    expect(conformalQuantile(scores, 0.2)).toBe(8);
    // ⌈10 · 0.5⌉ = 5; ⌈10 · 0.75⌉ = ⌈7.5⌉ = 8; ⌈10 · 0.9⌉ = 9, the largest.
    expect(conformalQuantile(scores, 0.5)).toBe(5);
    expect(conformalQuantile(scores, 0.25)).toBe(8);
    expect(conformalQuantile(scores, 0.1)).toBe(9);
    expect(scores).toEqual([9, 3, 7, 1, 5, 2, 8, 6, 4]);
  });

  it('is Infinity when the rank exceeds n (too few scores)', () => {
    expect(conformalQuantile([1, 2, 3], 0.2)).toBe(Infinity); // ⌈3.2⌉ = 4 > 3
    expect(conformalQuantile([], 0.5)).toBe(Infinity);
    expect(conformalQuantile(absNormals(18, 1), 0.05)).toBe(Infinity); // ⌈19 · 0.95⌉ = 19 > 18
    expect(conformalQuantile(absNormals(19, 1), 0.05)).toBe(Math.max(...absNormals(19, 1)));
  });

  it('rejects α outside (0, 1) and bad scores', () => {
    expect(() => conformalQuantile([1], 0)).toThrow(/alpha/);
    expect(() => conformalQuantile([1], 1)).toThrow(/alpha/);
    expect(() => conformalQuantile([1], NaN)).toThrow(/alpha/);
    expect(() => conformalQuantile([1, -0.5], 0.1)).toThrow(/scores\[1\]/);
    expect(() => conformalQuantile([Infinity], 0.1)).toThrow(/scores\[0\]/);
  });

  it.each([0.2, 0.05])('covers exchangeable scores at 1 − α (α = %s)', (alpha) => {
    const n = 200;
    // With continuous scores the coverage given the calibration set is Beta(k, n + 1 − k), so its
    // mean is k/(n + 1) ≥ 1 − α and one calibration's coverage varies by about √(α(1−α)/n).
    const k = Math.ceil((n + 1) * (1 - alpha));
    const expected = k / (n + 1);
    expect(expected).toBeGreaterThanOrEqual(1 - alpha);
    const trials = 100;
    const fresh = 2000;
    const coverages: number[] = [];
    for (let t = 0; t < trials; t++) {
      const q = conformalQuantile(absNormals(n, 1000 + t), alpha);
      const test = absNormals(fresh, 5000 + t);
      coverages.push(test.filter((s) => s <= q).length / fresh);
    }
    const oneSe = Math.sqrt((expected * (1 - expected)) / (n + 2) + (alpha * (1 - alpha)) / fresh);
    expect(Math.abs((coverages[0] as number) - (1 - alpha))).toBeLessThan(4 * oneSe);
    const mean = coverages.reduce((s, c) => s + c, 0) / trials;
    expect(Math.abs(mean - expected)).toBeLessThan((4 * oneSe) / Math.sqrt(trials));
  });
});

describe('volatility', () => {
  it('is the sample sd of the last `window` log returns', () => {
    const closes = [50, 100, 110, 99, 108.9];
    const r = [Math.log(1.1), Math.log(0.9), Math.log(1.1)];
    const m = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((s, x) => s + (x - m) ** 2, 0) / 2);
    expect(volatility(closes, 3)).toBeCloseTo(sd, 15);
  });

  it('is null with fewer than window + 1 closes, 0 for a constant growth rate', () => {
    expect(volatility(Array.from({ length: 20 }, () => 10))).toBeNull();
    expect(volatility(Array.from({ length: 21 }, (_, i) => 2 ** i))).toBeCloseTo(0, 12);
    expect(() => volatility([1, 2, 3], 1)).toThrow(/window/);
    expect(() => volatility([1, 0, 3], 2)).toThrow(/positive/);
  });
});

describe('intervalScore and interval', () => {
  const scale = { base: 200, vol: 0.01, h: 4 };

  it('scores the error in return units per h-day volatility', () => {
    // |210 − 202| / 200 = 0.04; vol·√h = 0.02.
    expect(intervalScore({ ...scale, actual: 210, served: 202 })).toBeCloseTo(2, 12);
    expect(() => intervalScore({ ...scale, vol: 0, actual: 1, served: 1 })).toThrow(/vol/);
    expect(() => intervalScore({ ...scale, h: 0, actual: 1, served: 1 })).toThrow(/h must/);
  });

  it('is served ± q·vol·√h·base, and an interval of score q contains exactly scores ≤ q', () => {
    const iv = interval({ ...scale, served: 202, q: 2 });
    expect(iv.lower).toBeCloseTo(194, 12);
    expect(iv.upper).toBeCloseTo(210, 12);
    const s = intervalScore({ ...scale, actual: 207, served: 202 });
    const inside = interval({ ...scale, served: 202, q: s * (1 + 1e-12) });
    expect(207).toBeLessThanOrEqual(inside.upper);
  });

  it('clips the lower bound at 0 and represents an infinite q as [0, Infinity) / nulls', () => {
    expect(interval({ ...scale, served: 202, q: 60 }).lower).toBe(0);
    const open = interval({ ...scale, served: 202, q: Infinity });
    expect(open).toEqual({ lower: 0, upper: Infinity });
    expect(intervalForWarehouse(open)).toEqual({ lower: 0, upper: null });
    expect(boundForWarehouse(-Infinity)).toBeNull();
    expect(boundForWarehouse(3.5)).toBe(3.5);
    expect(() => boundForWarehouse(NaN)).toThrow(RangeError);
    expect(() => interval({ ...scale, served: 202, q: -1 })).toThrow(/q must/);
  });
});

describe('adaptive conformal inference', () => {
  it('folds α_{t+1} = α_t + γ(α − err_t) from α_1 = α', () => {
    expect(aciAlpha({ target: 0.1, gamma: 0.05, misses: [] })).toBe(0.1);
    // 0.1 + 0.05·(0.1 − 1) + 0.05·0.1 + 0.05·0.1
    expect(aciAlpha({ target: 0.1, gamma: 0.05, misses: [true, false, false] })).toBeCloseTo(
      0.1 - 0.045 + 0.01,
      15,
    );
    expect(() => aciAlpha({ target: 0, gamma: 0.1, misses: [] })).toThrow(/alpha/);
    expect(() => aciAlpha({ target: 0.1, gamma: 0, misses: [] })).toThrow(/gamma/);
  });

  it('maps α_t ≤ 0 to Infinity and α_t ≥ 1 to zero width', () => {
    const scores = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(aciQuantile(scores, -0.01)).toBe(Infinity);
    expect(aciQuantile(scores, 0)).toBe(Infinity);
    expect(aciQuantile(scores, 1)).toBe(0);
    expect(aciQuantile(scores, 1.2)).toBe(0);
    expect(aciQuantile(scores, 0.2)).toBe(8);
  });

  it('serves the widest calibration score, not [0, ∞), when α_t ≤ 0', () => {
    const scores = [3, 1, 9, 4];
    expect(servedQuantile(scores, -0.3)).toBe(9);
    expect(servedQuantile(scores, 0)).toBe(9);
    expect(servedQuantile(scores, 0.5)).toBe(aciQuantile(scores, 0.5));
    // Too few scores for the level stays unbounded: nothing calibrates it.
    expect(servedQuantile(scores, 0.01)).toBe(Infinity);
    expect(servedQuantile([], -1)).toBe(Infinity);
  });

  it('recovers the miss rate after the variance doubles, within the Gibbs–Candès bound', () => {
    const alpha = 0.1;
    const gamma = 0.005;
    // Split conformal calibrated on the first regime; then 1000 scores in the same regime and
    // 1000 with the variance doubled (sd × √2), as when realised volatility jumps.
    const calibration = absNormals(200, 77);
    const scores = [...absNormals(1000, 78), ...absNormals(1000, 79, Math.SQRT2)];
    const qSplit = conformalQuantile(calibration, alpha);
    const splitMisses = scores.map((s) => s > qSplit);

    const aciMisses: boolean[] = [];
    for (const s of scores) {
      const alphaT = aciAlpha({ target: alpha, gamma, misses: aciMisses });
      aciMisses.push(s > aciQuantile(calibration, alphaT));
    }
    const rate = (m: boolean[]) => m.filter(Boolean).length / m.length;

    // Split conformal under-covers in the new regime (≈ 24% misses for a 10% target).
    expect(rate(splitMisses.slice(1000))).toBeGreaterThan(alpha + 0.08);
    // ACI, once adapted (its drift takes ~150 steps at this γ), misses at about α again.
    expect(Math.abs(rate(aciMisses.slice(1250)) - alpha)).toBeLessThan(0.04);
    // The guarantee holds for every prefix T, whatever the data: it is arithmetic, not chance.
    for (let T = 1; T <= aciMisses.length; T++) {
      const bound = (Math.max(alpha, 1 - alpha) + gamma) / (gamma * T);
      expect(Math.abs(rate(aciMisses.slice(0, T)) - alpha)).toBeLessThanOrEqual(bound + 1e-12);
    }
  });

  it('depends only on the misses passed (point in time)', () => {
    const past = [true, false, false, true, false];
    const before = aciAlpha({ target: 0.2, gamma: 0.1, misses: past });
    aciAlpha({ target: 0.2, gamma: 0.1, misses: [...past, true, true] });
    expect(aciAlpha({ target: 0.2, gamma: 0.1, misses: past })).toBe(before);
    expect(past).toEqual([true, false, false, true, false]);
  });
});
