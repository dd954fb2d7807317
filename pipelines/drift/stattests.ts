/**
 * The five statistical tests Evidently 0.7's default drift selection can pick for a numeric column,
 * each a port of `evidently.legacy.calculations.stattests.*` over SciPy 1.17. Inputs are finite
 * numbers only (the caller drops NaN and ±Infinity, as Evidently does).
 */
import { ks2samp } from './ks.js';
import { chi2Sf, normalCdf } from './special.js';

export type StatTestName = 'ks' | 'wasserstein' | 'chisquare' | 'z' | 'jensenshannon';

export interface StatTestOutcome {
  score: number;
  drifted: boolean;
}

export interface StatTest {
  name: StatTestName;
  /** What Evidently's report prints as the method, e.g. in `ValueDrift(method=…)`. */
  displayName: string;
  defaultThreshold: number;
  run(reference: readonly number[], current: readonly number[], threshold: number): StatTestOutcome;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Population standard deviation, as `np.std` (ddof = 0). */
export function populationStd(xs: readonly number[]): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / xs.length);
}

/** First Wasserstein distance between two empirical distributions (`scipy.stats.wasserstein_distance`). */
export function wassersteinDistance(u: readonly number[], v: readonly number[]): number {
  if (u.length === 0 || v.length === 0) {
    throw new RangeError('wassersteinDistance: both samples must be non-empty');
  }
  const us = Float64Array.from(u).sort();
  const vs = Float64Array.from(v).sort();
  const all = new Float64Array(us.length + vs.length);
  all.set(us);
  all.set(vs, us.length);
  all.sort();
  let i = 0;
  let j = 0;
  let total = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k] as number;
    while (i < us.length && (us[i] as number) <= x) i++;
    while (j < vs.length && (vs[j] as number) <= x) j++;
    total += Math.abs(i / us.length - j / vs.length) * ((all[k + 1] as number) - x);
  }
  return total;
}

function counts(xs: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const x of xs) out.set(x, (out.get(x) ?? 0) + 1);
  return out;
}

function unionKeys(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])];
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

export const ksTest: StatTest = {
  name: 'ks',
  displayName: 'K-S p_value',
  defaultThreshold: 0.05,
  run(reference, current, threshold) {
    const p = ks2samp(reference, current).pValue;
    return { score: p, drifted: p <= threshold };
  },
};

export const wassersteinTest: StatTest = {
  name: 'wasserstein',
  displayName: 'Wasserstein distance (normed)',
  defaultThreshold: 0.1,
  run(reference, current, threshold) {
    // Evidently floors the scale so a near-constant reference does not blow the score up.
    const norm = Math.max(populationStd(reference), 0.001);
    const score = wassersteinDistance(reference, current) / norm;
    return { score, drifted: score >= threshold };
  },
};

export const chiSquareTest: StatTest = {
  name: 'chisquare',
  displayName: 'chi-square p_value',
  defaultThreshold: 0.05,
  run(reference, current, threshold) {
    const keys = unionKeys(reference, current);
    if (keys.length < 2) {
      throw new RangeError('chi-square drift test needs at least two distinct values');
    }
    const ref = counts(reference);
    const cur = counts(current);
    // Expected counts are the reference frequencies rescaled to the current sample's size.
    const kNorm = current.length / reference.length;
    let stat = 0;
    for (const key of keys) {
      const expected = (ref.get(key) ?? 0) * kNorm;
      const observed = cur.get(key) ?? 0;
      stat += (observed - expected) ** 2 / expected;
    }
    const p = chi2Sf(stat, keys.length - 1);
    return { score: p, drifted: p < threshold };
  },
};

export const zTest: StatTest = {
  name: 'z',
  displayName: 'Z-test p_value',
  defaultThreshold: 0.05,
  run(reference, current, threshold) {
    const refKeys = new Set(reference);
    const curKeys = new Set(current);
    let p: number;
    if (refKeys.size === 1 && curKeys.size === 1 && reference[0] === current[0]) {
      p = 1;
    } else {
      // Evidently codes the smallest value as 0 and every other value as 1.
      const key0 = Math.min(...refKeys, ...curKeys);
      const n1 = reference.length;
      const n2 = current.length;
      const p1 = reference.filter((x) => x !== key0).length / n1;
      const p2 = current.filter((x) => x !== key0).length / n2;
      const P = (p1 * n1 + p2 * n2) / (n1 + n2);
      const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
      p = 2 * (1 - normalCdf(Math.abs(z)));
    }
    return { score: p, drifted: p < threshold };
  },
};

export const jensenShannonTest: StatTest = {
  name: 'jensenshannon',
  displayName: 'Jensen-Shannon distance',
  defaultThreshold: 0.1,
  run(reference, current, threshold) {
    // Evidently bins by distinct value when the reference has at most 20 of them; the default
    // selection only picks this test for columns with at most 5, so the histogram branch never runs.
    if (new Set(reference).size > 20) {
      throw new RangeError(
        'Jensen-Shannon drift test is implemented for columns with at most 20 distinct values',
      );
    }
    const keys = unionKeys(reference, current);
    const ref = counts(reference);
    const cur = counts(current);
    const pRaw = keys.map((k) => (ref.get(k) ?? 0) / reference.length);
    const qRaw = keys.map((k) => (cur.get(k) ?? 0) / current.length);
    const pSum = pRaw.reduce((a, b) => a + b, 0);
    const qSum = qRaw.reduce((a, b) => a + b, 0);
    let left = 0;
    let right = 0;
    keys.forEach((_, i) => {
      const p = (pRaw[i] ?? 0) / pSum;
      const q = (qRaw[i] ?? 0) / qSum;
      const m = (p + q) / 2;
      left += relEntr(p, m);
      right += relEntr(q, m);
    });
    const score = Math.sqrt((left + right) / 2);
    return { score, drifted: score >= threshold };
  },
};
