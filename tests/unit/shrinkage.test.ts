import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitShrinkage,
  servedClose,
  servedReturn,
  type ShrinkageRow,
} from '../../pipelines/forecast/shrinkage.js';
import { createRng, permutation } from '../../pipelines/stats/random.js';
import { createNormal } from './seeded-normal.js';

const mae = (rows: ShrinkageRow[], a: number): number =>
  rows.reduce((s, r) => s + Math.abs(r.actualReturn - a * r.predictedReturn), 0);

const ret = fc.double({ min: -0.5, max: 0.5, noNaN: true });
const rowsArb = fc.array(fc.record({ predictedReturn: ret, actualReturn: ret }), {
  minLength: 1,
  maxLength: 40,
});

describe('servedClose at a = 0 is the naive close exactly', () => {
  it('=== base, bit for bit, for any base and prediction', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (base, predictedClose) => {
          expect(Object.is(servedClose(base, 0, predictedClose), base)).toBe(true);
        },
      ),
    );
  });

  it('is what a fit with no realised history serves', () => {
    const fit = fitShrinkage([], { minRows: 20 });
    expect(fit).toEqual({ a: 0, n: 0, reason: 'too-few-rows' });
    expect(servedClose(178.46, fit.a, 181.94)).toBe(178.46);
    expect(servedReturn(fit.a, 0.02)).toBe(0);
    expect(servedClose(100, 1, 103)).toBeCloseTo(103, 12);
    expect(servedClose(100, 0.5, 104)).toBeCloseTo(102, 12);
  });
});

describe('fitShrinkage', () => {
  it('recovers a known slope a0 from y = a0·x + noise', () => {
    const normal = createNormal(3);
    const rows = Array.from({ length: 3000 }, () => {
      const x = 0.03 * normal();
      return { predictedReturn: x, actualReturn: 0.4 * x + 0.01 * normal() };
    });
    const fit = fitShrinkage(rows, { minRows: 20 });
    expect(fit.reason).toBe('fitted');
    expect(fit.n).toBe(3000);
    expect(Math.abs(fit.a - 0.4)).toBeLessThan(0.05);
  });

  it('minimises the absolute error: no a on a grid over [0, 1] does better', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const { a } = fitShrinkage(rows, { minRows: 0 });
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
        const best = mae(rows, a);
        for (let k = 0; k <= 200; k++) {
          expect(best).toBeLessThanOrEqual(mae(rows, k / 200) + 1e-12);
        }
      }),
    );
  });

  it('does not depend on the order of the rows', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 0, max: 2 ** 31 }), (rows, seed) => {
        const order = permutation(rows.length, createRng(seed));
        const shuffled = order.map((i) => rows[i] as ShrinkageRow);
        expect(fitShrinkage(shuffled, { minRows: 0 })).toEqual(fitShrinkage(rows, { minRows: 0 }));
      }),
    );
  });

  it('clips to [0, 1] and says why a is what it is', () => {
    const up = (k: number) => ({ predictedReturn: 0.01, actualReturn: k * 0.01 });
    expect(fitShrinkage([up(2), up(3), up(1.5)], { minRows: 1 })).toEqual({
      a: 1,
      n: 3,
      reason: 'clipped-to-1',
    });
    expect(fitShrinkage([up(-1), up(-2), up(0.5)], { minRows: 1 })).toMatchObject({
      a: 0,
      reason: 'clipped-to-0',
    });
    expect(fitShrinkage([up(0.5), up(0.25), up(0.75)], { minRows: 1 })).toMatchObject({
      a: 0.5,
      reason: 'fitted',
    });
    const flat = [{ predictedReturn: 0, actualReturn: 0.02 }];
    expect(fitShrinkage(flat, { minRows: 1 })).toEqual({
      a: 0,
      n: 1,
      reason: 'all-predictions-zero',
    });
    expect(fitShrinkage([up(0.5)], { minRows: 2 }).reason).toBe('too-few-rows');
  });

  it('weights each ratio by |predicted| and ignores zero predictions', () => {
    // Ratios 0.2 (weight 0.05) and 0.9 (weights 0.01 + 0.01): the weighted median is 0.2.
    const rows = [
      { predictedReturn: 0.05, actualReturn: 0.01 },
      { predictedReturn: 0.01, actualReturn: 0.009 },
      { predictedReturn: -0.01, actualReturn: -0.009 },
      { predictedReturn: 0, actualReturn: 0.3 },
    ];
    expect(fitShrinkage(rows, { minRows: 1 }).a).toBeCloseTo(0.2, 15);
  });

  it('rejects non-finite returns and a bad minRows', () => {
    expect(() => fitShrinkage([{ predictedReturn: NaN, actualReturn: 0 }], { minRows: 0 })).toThrow(
      /row 0/,
    );
    expect(() => fitShrinkage([], { minRows: -1 })).toThrow(/minRows/);
  });
});
