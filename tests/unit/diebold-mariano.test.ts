import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dieboldMariano, type DmAlternative } from '../../pipelines/stats/diebold-mariano.js';
import {
  logGamma,
  regularizedBeta,
  studentTCdf,
  studentTSf,
} from '../../pipelines/stats/special-t.js';

interface DmGolden {
  rVersion: string;
  forecastVersion: string;
  varestimator: string;
  dmTest: {
    name: string;
    h: number;
    e1: number[];
    e2: number[];
    results: {
      power: 1 | 2;
      alternative: 'two.sided' | 'less' | 'greater';
      statistic: number;
      pValue: number;
      warning: string;
    }[];
  }[];
  pt: { t: number; df: number; p: number; upper: number }[];
}

const golden = JSON.parse(
  readFileSync(new URL('../golden/dm-test-r-forecast.json', import.meta.url), 'utf8'),
) as DmGolden;

function relErr(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

describe('Student t CDF against R pt()', () => {
  it('was captured from R forecast 8.20 with the acf variance', () => {
    expect(golden.forecastVersion).toBe('8.20');
    expect(golden.varestimator).toBe('acf');
    expect(golden.pt.length).toBeGreaterThan(50);
  });

  // The lgamma differences in the beta prefactor lose a few digits at df = 10 000 (~1e-11).
  it.each(golden.pt)('pt($t, $df)', ({ t, df, p, upper }) => {
    expect(relErr(studentTCdf(t, df), p)).toBeLessThan(1e-10);
    expect(relErr(studentTSf(t, df), upper)).toBeLessThan(1e-10);
  });

  it('has the closed forms of 1 and 2 degrees of freedom', () => {
    for (const t of [-7, -1, 0.3, 2.5]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 14);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 14);
    }
    expect(studentTCdf(0, 7)).toBe(0.5);
    expect(studentTCdf(-Infinity, 7)).toBe(0);
    expect(studentTCdf(Infinity, 7)).toBe(1);
  });

  it('logGamma and the incomplete beta match known values', () => {
    // Absolute: ln Γ(1) = ln Γ(15) − ln 14!, two values near 25 whose rounding (~4e-15) remains.
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-14);
    expect(relErr(logGamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    expect(relErr(logGamma(10), Math.log(362880))).toBeLessThan(1e-15);
    // From R's lgamma().
    expect(relErr(logGamma(100.5), 361.43554046777757)).toBeLessThan(1e-14);
    expect(relErr(logGamma(2.5), 0.28468287047291918)).toBeLessThan(1e-13);
    expect(relErr(logGamma(7.25), 7.0521854507385395)).toBeLessThan(1e-14);
    // I_x(1, 1) = x and I_x(a, 1) = x^a.
    expect(relErr(regularizedBeta(0.3, 1, 1), 0.3)).toBeLessThan(1e-14);
    expect(relErr(regularizedBeta(0.7, 3, 1), 0.343)).toBeLessThan(1e-14);
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => studentTCdf(1, 0)).toThrow(/degrees of freedom/);
  });
});

describe('dieboldMariano against R forecast::dm.test', () => {
  const rows = golden.dmTest.flatMap((c) =>
    c.results.map((r) => ({ ...r, name: c.name, h: c.h, e1: c.e1, e2: c.e2 })),
  );

  it('covers n 30/120/500, h 1/5/10, both powers and all alternatives', () => {
    expect(new Set(golden.dmTest.map((c) => c.e1.length))).toEqual(
      new Set([30, 120, 500, 200, 40]),
    );
    expect(rows.length).toBe(golden.dmTest.length * 6);
  });

  it.each(rows)('$name power $power $alternative', (r) => {
    const alternative: DmAlternative = r.alternative === 'two.sided' ? 'two-sided' : r.alternative;
    const got = dieboldMariano(r.e1, r.e2, { h: r.h, power: r.power, alternative });
    expect(relErr(got.statistic, r.statistic)).toBeLessThan(1e-9);
    expect(relErr(got.pValue, r.pValue)).toBeLessThan(1e-9);
    expect(got.n).toBe(r.e1.length);
    // R's warning is the fallback to h = 1.
    expect(got.hUsed).toBe(r.warning === '' ? r.h : 1);
  });

  it('reaches the negative-variance fallback in the golden set', () => {
    expect(rows.some((r) => r.warning.startsWith('Variance is negative'))).toBe(true);
  });

  it("'less' is small when e1 (method 1) has the smaller losses", () => {
    const e2 = Array.from({ length: 50 }, (_, i) => 2 + Math.sin(i));
    const e1 = e2.map((x, i) => x * 0.5 + 0.01 * Math.cos(3 * i));
    const less = dieboldMariano(e1, e2, { h: 1, alternative: 'less' });
    expect(less.meanLossDiff).toBeLessThan(0);
    expect(less.pValue).toBeLessThan(1e-6);
    expect(dieboldMariano(e1, e2, { h: 1, alternative: 'greater' }).pValue).toBeGreaterThan(0.999);
  });

  it('defaults to squared loss and a two-sided test', () => {
    const r = rows.find((x) => x.power === 2 && x.alternative === 'two.sided');
    if (r === undefined) throw new Error('golden row missing');
    const got = dieboldMariano(r.e1, r.e2, { h: r.h });
    expect(relErr(got.pValue, r.pValue)).toBeLessThan(1e-9);
  });

  it('throws a RangeError naming what is wrong', () => {
    expect(() => dieboldMariano([1, 2], [1], { h: 1 })).toThrow(/same length/);
    expect(() => dieboldMariano([1], [2], { h: 1 })).toThrow(/at least 2/);
    expect(() => dieboldMariano([1, NaN], [1, 2], { h: 1 })).toThrow(/e1\[1\]/);
    expect(() => dieboldMariano([1, 2], [1, Infinity], { h: 1 })).toThrow(/e2\[1\]/);
    expect(() => dieboldMariano([1, 2], [3, 4], { h: 0 })).toThrow(/horizon h/);
    expect(() => dieboldMariano([1, 2], [3, 4], { h: 1.5 })).toThrow(RangeError);
  });

  it('throws on identical losses, at h = 1 directly and at h > 1 after the fallback (as R stops)', () => {
    const e = [0.5, -1, 2, 0.25, -3];
    const flipped = e.map((x) => -x);
    expect(() => dieboldMariano(e, flipped, { h: 1 })).toThrow(/zero variance/);
    expect(() => dieboldMariano(e, flipped, { h: 3, power: 1 })).toThrow(RangeError);
  });
});
