import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kupiec } from '../../pipelines/stats/kupiec.js';

interface KupiecGolden {
  kupiec: { n: number; misses: number; coverage: number; lr: number; pValue: number }[];
}

const golden = JSON.parse(
  readFileSync(new URL('../golden/dm-test-r-forecast.json', import.meta.url), 'utf8'),
) as KupiecGolden;

describe('kupiec proportion-of-failures test', () => {
  it.each(golden.kupiec)('n $n, $misses misses at coverage $coverage (R pchisq)', (g) => {
    const got = kupiec({ n: g.n, misses: g.misses, coverage: g.coverage });
    expect(Math.abs(got.lr - g.lr)).toBeLessThanOrEqual(1e-12 * Math.max(1, g.lr));
    if (g.pValue === 0) expect(got.pValue).toBe(0);
    else expect(Math.abs(got.pValue - g.pValue) / g.pValue).toBeLessThan(1e-9);
    expect(got.expectedMisses).toBeCloseTo(g.n * (1 - g.coverage), 12);
  });

  it('gives LR 0 and p-value 1 when the miss rate is exactly nominal', () => {
    const got = kupiec({ n: 200, misses: 20, coverage: 0.9 });
    expect(got.lr).toBeCloseTo(0, 12);
    expect(got.pValue).toBeCloseTo(1, 6);
  });

  it('has no NaN at 0 and n misses (worked: n=250, x=0, p=1%: LR = −500 ln 0.99)', () => {
    const none = kupiec({ n: 250, misses: 0, coverage: 0.99 });
    expect(none.lr).toBeCloseTo(-500 * Math.log(0.99), 12);
    const all = kupiec({ n: 250, misses: 250, coverage: 0.99 });
    expect(all.lr).toBeCloseTo(-500 * Math.log(0.01), 9);
    expect(Number.isNaN(all.pValue)).toBe(false);
  });

  it('rejects impossible inputs', () => {
    expect(() => kupiec({ n: 0, misses: 0, coverage: 0.9 })).toThrow(/n must be/);
    expect(() => kupiec({ n: 10, misses: 11, coverage: 0.9 })).toThrow(/misses/);
    expect(() => kupiec({ n: 10, misses: 1.5, coverage: 0.9 })).toThrow(/misses/);
    expect(() => kupiec({ n: 10, misses: 1, coverage: 1 })).toThrow(/coverage/);
    expect(() => kupiec({ n: 10, misses: 1, coverage: NaN })).toThrow(/coverage/);
  });
});
