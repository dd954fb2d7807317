import { describe, expect, it } from 'vitest';
import { blockBootstrapRatioCi } from '../../pipelines/stats/block-bootstrap.js';
import { createRng } from '../../pipelines/stats/random.js';
import { createNormal } from './seeded-normal.js';

describe('blockBootstrapRatioCi', () => {
  const rng = createRng(7);
  const num = Array.from({ length: 60 }, () => 3 * rng());
  const den = Array.from({ length: 60 }, () => 2 * rng());

  it('estimates Σnum/Σden and is deterministic for a seed', () => {
    const a = blockBootstrapRatioCi(num, den, { block: 5, seed: 42 });
    const b = blockBootstrapRatioCi(num, den, { block: 5, seed: 42 });
    const c = blockBootstrapRatioCi(num, den, { block: 5, seed: 43 });
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    expect(a.estimate).toBe(sum(num) / sum(den));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a.lower).toBeLessThan(a.estimate);
    expect(a.upper).toBeGreaterThan(a.estimate);
  });

  it('covers the true ratio in about `level` of repeated iid trials', () => {
    // num ~ U(0, 3), den ~ U(0, 2), independent: the true ratio of means is 1.5.
    const trials = 200;
    const level = 0.9;
    const data = createRng(2026);
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const x = Array.from({ length: 100 }, () => 3 * data());
      const y = Array.from({ length: 100 }, () => 2 * data());
      const ci = blockBootstrapRatioCi(x, y, { block: 1, replicates: 500, level, seed: t });
      if (ci.lower <= 1.5 && 1.5 <= ci.upper) covered++;
    }
    // Four binomial standard errors around the nominal level.
    const se = Math.sqrt((level * (1 - level)) / trials);
    expect(Math.abs(covered / trials - level)).toBeLessThan(4 * se);
  });

  it('widens with blocks on strongly autocorrelated data, where iid resampling is overconfident', () => {
    // AR(1) with φ = 0.95 around 2 in the numerator, a constant denominator.
    const normal = createNormal(11);
    const x: number[] = [];
    let level = 0;
    for (let i = 0; i < 400; i++) {
      level = 0.95 * level + 0.1 * normal();
      x.push(2 + level);
    }
    const y = x.map(() => 1);
    const iid = blockBootstrapRatioCi(x, y, { block: 1, seed: 5 });
    const blocked = blockBootstrapRatioCi(x, y, { block: 20, seed: 5 });
    expect(blocked.upper - blocked.lower).toBeGreaterThan(2 * (iid.upper - iid.lower));
  });

  it('rejects bad inputs with a RangeError naming the problem', () => {
    expect(() => blockBootstrapRatioCi([1, 2], [1], { block: 1, seed: 1 })).toThrow(/same length/);
    expect(() => blockBootstrapRatioCi([1], [1], { block: 1, seed: 1 })).toThrow(/at least 2/);
    expect(() => blockBootstrapRatioCi([1, NaN], [1, 1], { block: 1, seed: 1 })).toThrow(/pair 1/);
    expect(() => blockBootstrapRatioCi([1, 2], [1, 1], { block: 3, seed: 1 })).toThrow(/block/);
    expect(() => blockBootstrapRatioCi([1, 2], [1, 1], { block: 0, seed: 1 })).toThrow(/block/);
    expect(() => blockBootstrapRatioCi([1, 2], [1, 1], { block: 1, seed: 1, level: 1 })).toThrow(
      /level/,
    );
    expect(() =>
      blockBootstrapRatioCi([1, 2], [1, 1], { block: 1, seed: 1, replicates: 1 }),
    ).toThrow(/replicates/);
    expect(() => blockBootstrapRatioCi([1, 2], [0, 0], { block: 1, seed: 1 })).toThrow(/sums to 0/);
  });
});
