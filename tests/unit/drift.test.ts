import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  detectDrift,
  detectPredictionDrift,
  selectStatTest,
  type FeatureDrift,
} from '../../pipelines/drift/detect.js';
import { kolmogorovSf, smirnovSf } from '../../pipelines/drift/kolmogorov.js';
import { ks2samp } from '../../pipelines/drift/ks.js';
import { chi2Sf, normalCdf } from '../../pipelines/drift/special.js';
import {
  chiSquareTest,
  jensenShannonTest,
  ksTest,
  wassersteinDistance,
  wassersteinTest,
  zTest,
} from '../../pipelines/drift/stattests.js';

const GOLDEN = join(import.meta.dirname, '..', 'golden');

type Column = (number | null)[];
interface EvidentlyCase {
  name: string;
  driftShareThreshold: number;
  reference: Record<string, Column>;
  current: Record<string, Column>;
  expected: {
    columns: {
      column: string;
      method: string;
      methodDisplayName: string;
      threshold: number;
      score: number;
      drifted: boolean;
    }[];
    driftedCount: number;
    driftShare: number;
    datasetDrift: boolean;
  };
}

interface ScipyReference {
  ks2samp: { n1: number; n2: number; shift: number; statistic: number; pvalue: number }[];
  kstwoSf: { n: number; x: number; sf: number }[];
  special: {
    ndtr: { x: number; p: number }[];
    chi2sf: { x: number; df: number; p: number }[];
    smirnov: { n: number; x: number; p: number }[];
    wasserstein: { u: number[]; v: number[]; d: number }[];
  };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(GOLDEN, file), 'utf8')) as T;
}

/** JSON has no NaN; the generator writes Evidently's missing values as null. */
function toNumbers(cols: Record<string, Column>): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(cols).map(([k, v]) => [k, v.map((x) => (x === null ? NaN : x))]),
  );
}

/**
 * Every score — distance or p-value, down to p ≈ 1e-187 — must agree with Evidently/SciPy to 1e-9
 * relative (no absolute slack; the worst seen is about 1e-11, in kstwo.sf at n = 5000).
 */
function expectClose(actual: number | null, expected: number, what: string): void {
  expect(actual, what).not.toBeNull();
  const a = actual as number;
  const diff = Math.abs(a - expected);
  const ok = diff <= 1e-9 * Math.abs(expected);
  expect(ok, `${what}: got ${a}, Evidently/SciPy ${expected} (diff ${diff})`).toBe(true);
}

const evidentlyFiles = readdirSync(GOLDEN)
  .filter((f) => f.startsWith('evidently-') && f !== 'evidently-scipy-reference.json')
  .sort();

describe('agreement with Evidently 0.7 DataDriftPreset on real OHLC data', () => {
  it('has golden cases to compare against', () => {
    expect(evidentlyFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.each(evidentlyFiles)('%s', (file) => {
    const { case: c } = readJson<{ case: EvidentlyCase }>(file);
    const report = detectDrift(toNumbers(c.reference), toNumbers(c.current), {
      datasetShare: c.driftShareThreshold,
      minCurrentRows: 2,
    });
    expect(report.status).toBe('ok');
    expect(report.features.map((f) => f.feature)).toEqual(c.expected.columns.map((e) => e.column));
    for (const exp of c.expected.columns) {
      const got = report.features.find((f) => f.feature === exp.column) as FeatureDrift;
      const where = `${c.name}/${exp.column}`;
      expect(got.method, where).toBe(exp.method);
      expect(selectStatTestDisplayName(got.method), where).toBe(exp.methodDisplayName);
      expect(got.threshold, where).toBe(exp.threshold);
      expectClose(got.score, exp.score, where);
      expect(got.drifted, where).toBe(exp.drifted);
    }
    expect(report.driftedCount).toBe(c.expected.driftedCount);
    expectClose(report.driftShare, c.expected.driftShare, `${c.name} drift share`);
    expect(report.datasetDrift).toBe(c.expected.datasetDrift);
  });

  it('covers every method the default selection can pick for a numeric column', () => {
    const methods = new Set(
      evidentlyFiles.flatMap((f) =>
        readJson<{ case: EvidentlyCase }>(f).case.expected.columns.map((c) => c.method),
      ),
    );
    expect([...methods].sort()).toEqual(['chisquare', 'jensenshannon', 'ks', 'wasserstein', 'z']);
  });
});

function selectStatTestDisplayName(name: string): string {
  const tests = [ksTest, wassersteinTest, chiSquareTest, zTest, jensenShannonTest];
  const t = tests.find((x) => x.name === name);
  if (!t) throw new Error(`unknown method ${name}`);
  return t.displayName;
}

describe('agreement with SciPy 1.17 (the functions Evidently calls)', () => {
  const ref = readJson<ScipyReference>('evidently-scipy-reference.json');

  it.each(ref.ks2samp)('ks_2samp n1=$n1 n2=$n2 shift=$shift', ({ n1, n2, shift, pvalue }) => {
    const x = Array.from({ length: n1 }, (_, i) => i / n1);
    const y = Array.from({ length: n2 }, (_, j) => j / n2 + shift);
    expectClose(ks2samp(x, y).pValue, pvalue, `ks_2samp(${n1}, ${n2}, ${shift})`);
  });

  it('reaches both the exact and the asymptotic branches', () => {
    const methods = new Set(
      ref.ks2samp
        .map(({ n1, n2, shift }) =>
          ks2samp(
            Array.from({ length: n1 }, (_, i) => i / n1),
            Array.from({ length: n2 }, (_, j) => j / n2 + shift),
          ),
        )
        .map((r) => r.method),
    );
    expect([...methods].sort()).toEqual(['asymp', 'exact']);
  });

  it('kstwo.sf across its branches', () => {
    for (const { n, x, sf } of ref.kstwoSf)
      expectClose(kolmogorovSf(n, x), sf, `kstwo.sf(${x}, ${n})`);
  });

  it('smirnov one-sided tail', () => {
    for (const { n, x, p } of ref.special.smirnov)
      expectClose(smirnovSf(n, x), p, `smirnov(${n}, ${x})`);
  });

  it('normal CDF and chi-square survival', () => {
    for (const { x, p } of ref.special.ndtr) expectClose(normalCdf(x), p, `ndtr(${x})`);
    for (const { x, df, p } of ref.special.chi2sf)
      expectClose(chi2Sf(x, df), p, `chi2.sf(${x}, ${df})`);
  });

  it('wasserstein_distance', () => {
    for (const { u, v, d } of ref.special.wasserstein)
      expectClose(wassersteinDistance(u, v), d, 'W1');
  });
});

describe('default test selection', () => {
  const seq = (n: number, f: (i: number) => number): number[] =>
    Array.from({ length: n }, (_, i) => f(i));

  it('uses K-S up to 1000 reference values and normed Wasserstein above', () => {
    expect(
      selectStatTest(
        seq(1000, (i) => i),
        seq(30, (i) => i),
      ).name,
    ).toBe('ks');
    expect(
      selectStatTest(
        seq(1001, (i) => i),
        seq(30, (i) => i),
      ).name,
    ).toBe('wasserstein');
  });

  it('treats at most 5 distinct values (reference and current together) as categories', () => {
    expect(
      selectStatTest(
        seq(100, (i) => i % 2),
        seq(30, (i) => i % 2),
      ).name,
    ).toBe('z');
    expect(
      selectStatTest(
        seq(100, (i) => i % 3),
        seq(30, (i) => i % 2),
      ).name,
    ).toBe('chisquare');
    expect(
      selectStatTest(
        seq(100, (i) => i % 5),
        seq(30, (i) => i % 5),
      ).name,
    ).toBe('chisquare');
    expect(
      selectStatTest(
        seq(100, (i) => i % 5),
        seq(30, () => 7),
      ).name,
    ).toBe('ks');
    expect(
      selectStatTest(
        seq(2000, (i) => i % 4),
        seq(30, (i) => i % 4),
      ).name,
    ).toBe('jensenshannon');
  });

  it('normalises Wasserstein by a reference std floored at 0.001', () => {
    const constant = seq(1500, () => 5);
    const r = wassersteinTest.run(
      constant,
      seq(30, () => 5.0002),
      0.1,
    );
    expect(r.score).toBeCloseTo(0.0002 / 0.001, 9);
    expect(r.drifted).toBe(true);
  });
});

describe('insufficient data and missing values', () => {
  const opts = { datasetShare: 0.5, minCurrentRows: 20 };
  const ref = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 10 + i / 20);

  it('reports insufficient_data, never "no drift", when the current window is short', () => {
    const report = detectDrift(
      { a: ref, b: ref },
      { a: ref.slice(0, 19), b: ref.slice(0, 40) },
      opts,
    );
    const a = report.features[0] as FeatureDrift;
    expect(a.status).toBe('insufficient_data');
    expect(a.score).toBeNull();
    expect(a.drifted).toBeNull();
    expect(a.currentSize).toBe(19);
    expect(report.features[1]?.status).toBe('ok');
    expect(report.status).toBe('insufficient_data');
    expect(report.datasetDrift).toBeNull();
    expect(report.driftShare).toBeNull();
  });

  it('counts only finite values towards minCurrentRows', () => {
    const current = [...ref.slice(0, 15), NaN, NaN, Infinity, -Infinity, NaN];
    const f = detectDrift({ a: ref }, { a: current }, opts).features[0] as FeatureDrift;
    expect(f.currentSize).toBe(15);
    expect(f.status).toBe('insufficient_data');
  });

  it('drops NaN and ±Infinity before testing, as Evidently does', () => {
    const current = ref.slice(50, 80).map((x) => x + 3);
    const dirtyRef = [NaN, ...ref, Infinity];
    const dirtyCur = [...current.slice(0, 10), NaN, ...current.slice(10), -Infinity];
    const clean = detectDrift({ a: ref }, { a: current }, opts).features[0] as FeatureDrift;
    const dirty = detectDrift({ a: dirtyRef }, { a: dirtyCur }, opts).features[0] as FeatureDrift;
    expect(dirty).toEqual(clean);
    expect(dirty.referenceSize).toBe(200);
    expect(dirty.currentSize).toBe(30);
    expect(dirty.score).toBe(ks2samp(ref, current).pValue);
  });

  it('treats an all-missing reference as insufficient data', () => {
    const f = detectDrift({ a: [NaN, NaN] }, { a: ref.slice(0, 30) }, opts).features[0];
    expect(f?.status).toBe('insufficient_data');
    expect(f?.drifted).toBeNull();
  });

  it('rejects mismatched feature sets and bad options with messages naming the problem', () => {
    expect(() => detectDrift({ a: ref }, { b: ref }, opts)).toThrow(/missing from current: a/);
    expect(() => detectDrift({}, {}, opts)).toThrow(/no features/);
    expect(() => detectDrift({ a: ref }, { a: ref }, { ...opts, datasetShare: 0 })).toThrow(
      /datasetShare/,
    );
    expect(() => detectPredictionDrift(ref, ref, { minCurrentRows: 0 })).toThrow(/minCurrentRows/);
  });
});

describe('dataset verdict and prediction drift', () => {
  const base = Array.from({ length: 300 }, (_, i) => Math.cos(i * 1.7) + i / 300);
  const same = base.filter((_, i) => i % 7 === 0);
  const shifted = same.map((x) => x + 2);

  it('flags the dataset when the drifted share reaches datasetShare (>=, as Evidently)', () => {
    const report = detectDrift(
      { a: base, b: base },
      { a: shifted, b: same },
      {
        datasetShare: 0.5,
        minCurrentRows: 20,
      },
    );
    expect(report.features.map((f) => f.drifted)).toEqual([true, false]);
    expect(report.driftShare).toBe(0.5);
    expect(report.datasetDrift).toBe(true);
    const stricter = detectDrift(
      { a: base, b: base },
      { a: shifted, b: same },
      {
        datasetShare: 0.51,
        minCurrentRows: 20,
      },
    );
    expect(stricter.datasetDrift).toBe(false);
  });

  it('tests predictions with the same rule under the name "prediction"', () => {
    const drift = detectPredictionDrift(base, shifted, { minCurrentRows: 20 });
    expect(drift).toMatchObject({
      feature: 'prediction',
      method: 'ks',
      status: 'ok',
      drifted: true,
    });
    const stable = detectPredictionDrift(base, same, { minCurrentRows: 20 });
    expect(stable.drifted).toBe(false);
    expect(stable.score).toBe(ks2samp(base, same).pValue);
    const short = detectPredictionDrift(base, same.slice(0, 5), { minCurrentRows: 20 });
    expect(short).toMatchObject({ status: 'insufficient_data', score: null, drifted: null });
  });
});
