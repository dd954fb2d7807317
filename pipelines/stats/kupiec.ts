/**
 * Kupiec (1995) proportion-of-failures test: are the interval misses as frequent as the nominal
 * coverage says? Unconditional coverage only; it does not look at whether misses cluster.
 */
import { chi2Sf } from '../drift/special.js';

export interface KupiecInput {
  /** Resolved intervals. */
  n: number;
  /** Intervals the realised value fell outside. */
  misses: number;
  /** Nominal coverage, e.g. 0.9; the expected miss rate is p = 1 − coverage. */
  coverage: number;
}

export interface KupiecResult {
  /** LR_POF, asymptotically chi-square with 1 df under H0 (miss rate = 1 − coverage). */
  lr: number;
  pValue: number;
  expectedMisses: number;
}

/** x·ln(y) with the convention 0·ln 0 = 0, so x = 0 and x = n give the limit instead of NaN. */
function xLogY(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

export function kupiec({ n, misses, coverage }: KupiecInput): KupiecResult {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`kupiec: n must be a positive integer, got ${n}`);
  }
  if (!Number.isInteger(misses) || misses < 0 || misses > n) {
    throw new RangeError(`kupiec: misses must be an integer in [0, n=${n}], got ${misses}`);
  }
  if (!(coverage > 0 && coverage < 1)) {
    throw new RangeError(`kupiec: coverage must be in (0, 1), got ${coverage}`);
  }
  const p = 1 - coverage;
  const x = misses;
  const hit = x / n;
  // −2 ln[(1−p)^{n−x} p^x / ((1−x/n)^{n−x} (x/n)^x)], term by term in logs.
  const raw = -2 * (xLogY(n - x, 1 - p) + xLogY(x, p) - xLogY(n - x, 1 - hit) - xLogY(x, hit));
  // The unrestricted MLE maximises the likelihood, so LR ≥ 0; rounding can leave −1e-16 at x = np.
  const lr = Math.max(0, raw);
  return { lr, pValue: chi2Sf(lr, 1), expectedMisses: n * p };
}
