/**
 * Diebold–Mariano test of equal predictive accuracy with the Harvey–Leybourne–Newbold (1997)
 * small-sample correction, matching R forecast 8.20 `dm.test(e1, e2, alternative, h, power,
 * varestimator = "acf")` line for line (golden vectors: scripts/golden/dm-test.R).
 */
import { studentTCdf, studentTSf } from './special-t.js';

/**
 * As in R's dm.test, with d_t = |e1_t|^p − |e2_t|^p (method 1's loss minus method 2's):
 * - 'less': H1 is "method 2 is less accurate than method 1", i.e. method 1 (e1) is MORE accurate,
 *   E[d] < 0; p = P(T ≤ DM). Use it to ask "does the model (e1) beat the naive forecast (e2)?".
 * - 'greater': H1 is "method 2 is more accurate than method 1", E[d] > 0; p = P(T ≥ DM).
 * - 'two-sided': the accuracies differ; p = 2 P(T ≤ −|DM|).
 */
export type DmAlternative = 'two-sided' | 'less' | 'greater';

export interface DmOptions {
  /** Forecast horizon the errors were made at: h-step errors overlap, so lags up to h−1 count. */
  h: number;
  /** Loss |e|^power: 1 absolute error (as MASE), 2 squared error (R's default). Default 2. */
  power?: 1 | 2;
  /** Default 'two-sided'. */
  alternative?: DmAlternative;
}

export interface DmResult {
  /** The HLN-corrected DM statistic, referred to Student t with n − 1 df. */
  statistic: number;
  pValue: number;
  n: number;
  /** mean(|e1|^p − |e2|^p): negative when method 1 (e1) has the smaller average loss. */
  meanLossDiff: number;
  /** The horizon actually used: 1 when h > 1 gave a non-positive variance (R's fallback). */
  hUsed: number;
}

function checkSeries(name: string, e: readonly number[]): void {
  for (let i = 0; i < e.length; i++) {
    if (!Number.isFinite(e[i])) {
      throw new RangeError(`dieboldMariano: ${name}[${i}] is not a finite number (${e[i]})`);
    }
  }
}

/** Autocovariances at lags 0..maxLag, demeaned and divided by n, as R's acf(type = "covariance"). */
function autocovariances(d: readonly number[], mean: number, maxLag: number): number[] {
  const n = d.length;
  const out: number[] = [];
  for (let k = 0; k <= maxLag; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += ((d[t] as number) - mean) * ((d[t + k] as number) - mean);
    out.push(s / n);
  }
  return out;
}

export function dieboldMariano(e1: number[], e2: number[], opts: DmOptions): DmResult {
  const { h } = opts;
  const power = opts.power ?? 2;
  const alternative = opts.alternative ?? 'two-sided';
  if (e1.length !== e2.length) {
    throw new RangeError(
      `dieboldMariano: e1 and e2 must have the same length, got ${e1.length} and ${e2.length}`,
    );
  }
  if (e1.length < 2) {
    throw new RangeError(`dieboldMariano: need at least 2 error pairs, got ${e1.length}`);
  }
  if (!Number.isInteger(h) || h < 1) {
    throw new RangeError(`dieboldMariano: horizon h must be an integer ≥ 1, got ${h}`);
  }
  if (power !== 1 && power !== 2) {
    throw new RangeError(`dieboldMariano: power must be 1 or 2, got ${String(power)}`);
  }
  checkSeries('e1', e1);
  checkSeries('e2', e2);

  const n = e1.length;
  const d = e1.map((x, i) => Math.abs(x) ** power - Math.abs(e2[i] as number) ** power);
  const mean = d.reduce((s, x) => s + x, 0) / n;
  return dmWithHorizon(d, mean, h, alternative);
}

function dmWithHorizon(d: number[], mean: number, h: number, alt: DmAlternative): DmResult {
  const n = d.length;
  // R's acf caps lag.max at n − 1.
  const gamma = autocovariances(d, mean, Math.min(h - 1, n - 1));
  let longRun = gamma[0] as number;
  for (let k = 1; k < gamma.length; k++) longRun += 2 * (gamma[k] as number);
  const variance = longRun / n;
  if (!(variance > 0)) {
    // R: dm.test stops ("Variance of DM statistic is zero") at h = 1, and at h > 1 warns ("Variance
    // is negative") and recomputes with h = 1 — statistic, correction and all. We do the same; the
    // caller sees the fallback in hUsed instead of a warning.
    if (h === 1) {
      throw new RangeError(
        'dieboldMariano: the loss differences have zero variance (identical losses?), the DM statistic is undefined',
      );
    }
    return dmWithHorizon(d, mean, 1, alt);
  }
  // Harvey–Leybourne–Newbold: k² = (n + 1 − 2h + h(h − 1)/n)/n, never negative for integer h.
  const k = Math.sqrt((n + 1 - 2 * h + (h / n) * (h - 1)) / n);
  const statistic = (mean / Math.sqrt(variance)) * k;
  const df = n - 1;
  let pValue: number;
  if (alt === 'two-sided') pValue = 2 * studentTCdf(-Math.abs(statistic), df);
  else if (alt === 'less') pValue = studentTCdf(statistic, df);
  else pValue = studentTSf(statistic, df);
  return { statistic, pValue, n, meanLossDiff: mean, hUsed: h };
}
