/**
 * Two-sided two-sample Kolmogorov–Smirnov test with SciPy 1.17's `ks_2samp(method='auto')` p-value:
 * exact (Hodges' lattice-path counts) when both samples have at most 10 000 values, else — or when
 * the exact sum leaves [0, 1] through rounding — `kstwo.sf(d, round(mn/(m+n)))`.
 */
import { kolmogorovSf } from './kolmogorov.js';

const MAX_AUTO_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

function at(a: ArrayLike<number>, i: number): number {
  const v = a[i];
  if (v === undefined) throw new RangeError(`ks: index ${i} outside array of ${a.length}`);
  return v;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** NumPy's round-half-to-even, which SciPy uses to snap d·lcm onto the lattice. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** P(D_{n,n} ≥ h/n) for equal sample sizes, by SciPy's Horner-like alternating sum. */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm(m,n), computed
 * as 1 − p directly (Viehmann 2021) over a sliding window of one column, as SciPy's pythran kernel does.
 */
export function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (at(A, jj + minj - lastminj) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return at(A, maxj - minj - 1);
}

/** Largest vertical gap between the two empirical CDFs, as SciPy measures it over all sample points. */
export function ksStatistic(sorted1: readonly number[], sorted2: readonly number[]): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  // Walking both sorted samples over each distinct value gives the same ECDF values as SciPy's
  // searchsorted(side='right') at every pooled point, so the extrema agree.
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    const x = Math.min(i < n1 ? at(sorted1, i) : Infinity, j < n2 ? at(sorted2, j) : Infinity);
    while (i < n1 && at(sorted1, i) <= x) i++;
    while (j < n2 && at(sorted2, j) <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minClipped = Math.min(Math.max(-minS, 0), 1);
  return minClipped > maxS ? minClipped : maxS;
}

/** Exact two-sided p-value, or null where SciPy would give up on it and switch to 'asymp'. */
function exactPValue(
  n1: number,
  n2: number,
  g: number,
  d: number,
): { d: number; p: number | null } {
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dSnapped = h / lcm;
  if (h === 0) return { d: dSnapped, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return { d: dSnapped, p: null };
  return { d: dSnapped, p };
}

export function ks2samp(sample1: readonly number[], sample2: readonly number[]): KsResult {
  if (sample1.length === 0 || sample2.length === 0) {
    throw new RangeError(
      `ks2samp: both samples must be non-empty (got ${sample1.length} and ${sample2.length})`,
    );
  }
  const s1 = Float64Array.from(sample1).sort();
  const s2 = Float64Array.from(sample2).sort();
  const n1 = s1.length;
  const n2 = s2.length;
  let d = ksStatistic(Array.from(s1), Array.from(s2));
  const g = gcd(n1, n2);
  if (Math.max(n1, n2) <= MAX_AUTO_N) {
    const exact = exactPValue(n1, n2, g, d);
    d = exact.d;
    if (exact.p !== null) return { statistic: d, pValue: exact.p, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(roundHalfEven(en), d);
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), method: 'asymp' };
}
