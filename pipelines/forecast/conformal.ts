/**
 * Split-conformal prediction intervals on volatility-scaled scores, with adaptive conformal
 * inference (Gibbs & Candès, NeurIPS 2021) to recover coverage when the market's regime moves.
 * Pure and point in time: every function depends only on the values passed in.
 */

function checkAlpha(name: string, alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) {
    throw new RangeError(`${name}: alpha must be in (0, 1), got ${alpha}`);
  }
}

/**
 * The ⌈(n+1)(1−α)⌉-th smallest score (1-based): with n exchangeable calibration scores and a new
 * one, P(new ≤ this) ≥ 1 − α. Infinity when that rank exceeds n, i.e. too few scores to promise
 * 1 − α coverage with any finite width.
 */
export function conformalQuantile(scores: number[], alpha: number): number {
  checkAlpha('conformalQuantile', alpha);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s) || s < 0) {
      throw new RangeError(`conformalQuantile: scores[${i}] must be finite and ≥ 0, got ${s}`);
    }
  }
  const n = scores.length;
  const exact = (n + 1) * (1 - alpha);
  // 1 − α is rounded in binary, so an integer rank like 10 · 0.8 can come out as 8.000000000000002;
  // ceil would then ask for one score more than the formula does. Forgive that rounding only.
  const rank = Math.ceil(exact - 1e-9 * Math.max(1, exact));
  if (rank > n) return Infinity;
  const sorted = [...scores].sort((a, b) => a - b);
  return sorted[Math.max(rank, 1) - 1] as number;
}

/**
 * Sample standard deviation (n − 1) of the last `window` daily log returns, from the last
 * window + 1 closes; null when there are fewer. The unit of the volatility-scaled score.
 */
export function volatility(closes: number[], window = 20): number | null {
  if (!Number.isInteger(window) || window < 2) {
    throw new RangeError(`volatility: window must be an integer ≥ 2, got ${window}`);
  }
  if (closes.length < window + 1) return null;
  const tail = closes.slice(closes.length - window - 1);
  const returns: number[] = [];
  for (let i = 1; i < tail.length; i++) {
    const prev = tail[i - 1] as number;
    const cur = tail[i] as number;
    if (!(prev > 0 && cur > 0 && Number.isFinite(prev) && Number.isFinite(cur))) {
      throw new RangeError(`volatility: closes must be positive and finite, got ${prev}, ${cur}`);
    }
    returns.push(Math.log(cur / prev));
  }
  const mean = returns.reduce((s, r) => s + r, 0) / window;
  const ss = returns.reduce((s, r) => s + (r - mean) ** 2, 0);
  return Math.sqrt(ss / (window - 1));
}

/**
 * Exponentially weighted volatility (RiskMetrics form: zero mean, weight λ^age) of the last
 * `window` daily log returns, from the last window + 1 closes; null when there are fewer. A 20-day
 * equal-weight sd lags a volatility jump by weeks; with λ = 0.94 half the weight is on the last 11
 * sessions, so the scale of scores and intervals follows a regime shift sooner. The window truncates
 * the tail (λ^window of the weight is dropped), so the estimate needs only a fixed stretch of
 * history, and each day's value only closes up to that day. λ = 1 is the equal-weight sample sd
 * of volatility(), exactly.
 */
export function ewmaVolatility(closes: number[], window: number, lambda: number): number | null {
  if (!(lambda > 0 && lambda <= 1)) {
    throw new RangeError(`ewmaVolatility: lambda must be in (0, 1], got ${lambda}`);
  }
  if (lambda === 1) return volatility(closes, window);
  if (!Number.isInteger(window) || window < 2) {
    throw new RangeError(`ewmaVolatility: window must be an integer ≥ 2, got ${window}`);
  }
  if (closes.length < window + 1) return null;
  const tail = closes.slice(closes.length - window - 1);
  let weighted = 0;
  let weights = 0;
  // Newest first, so the weight is a running product (this runs for every day of every walk).
  for (let i = tail.length - 1, w = 1; i >= 1; i--, w *= lambda) {
    const prev = tail[i - 1] as number;
    const cur = tail[i] as number;
    if (!(prev > 0 && cur > 0 && Number.isFinite(prev) && Number.isFinite(cur))) {
      throw new RangeError(
        `ewmaVolatility: closes must be positive and finite, got ${prev}, ${cur}`,
      );
    }
    weighted += w * Math.log(cur / prev) ** 2;
    weights += w;
  }
  return Math.sqrt(weighted / weights);
}

export interface ScaleInput {
  /** Close on the as-of date (the naive forecast); errors are measured in its return units. */
  base: number;
  /** Daily log-return volatility at the as-of date (volatility()); must be > 0. */
  vol: number;
  /** Horizon in trading sessions: a random walk's h-day spread grows as √h. */
  h: number;
}

function checkScale(name: string, { base, vol, h }: ScaleInput): void {
  if (!(base > 0) || !Number.isFinite(base)) {
    throw new RangeError(`${name}: base must be positive and finite, got ${base}`);
  }
  if (!(vol > 0) || !Number.isFinite(vol)) {
    throw new RangeError(`${name}: vol must be positive and finite (flat prices?), got ${vol}`);
  }
  if (!Number.isInteger(h) || h < 1) {
    throw new RangeError(`${name}: h must be an integer ≥ 1, got ${h}`);
  }
}

/** |actual/base − served/base| / (vol·√h): the error in return units per h-day volatility. */
export function intervalScore(input: ScaleInput & { actual: number; served: number }): number {
  checkScale('intervalScore', input);
  const { actual, served, base, vol, h } = input;
  if (!Number.isFinite(actual) || !Number.isFinite(served)) {
    throw new RangeError(
      `intervalScore: actual and served must be finite, got ${actual}, ${served}`,
    );
  }
  return Math.abs(actual / base - served / base) / (vol * Math.sqrt(h));
}

export interface Interval {
  /** ≥ 0: a close cannot go negative. 0 when q is infinite. */
  lower: number;
  /** Infinity when q is infinite (too little calibration history to bound the close). */
  upper: number;
}

/** served ± q·vol·√h·base, lower clipped at 0; q = Infinity gives [0, Infinity). */
export function interval(input: ScaleInput & { served: number; q: number }): Interval {
  checkScale('interval', input);
  const { served, base, vol, h, q } = input;
  if (!Number.isFinite(served))
    throw new RangeError(`interval: served must be finite, got ${served}`);
  if (!(q >= 0)) throw new RangeError(`interval: q must be ≥ 0 (or Infinity), got ${q}`);
  const half = q * vol * Math.sqrt(h) * base;
  return { lower: Math.max(0, served - half), upper: served + half };
}

/**
 * The warehouse stores FLOAT64 bounds and JSON has no Infinity, so an unbounded side is written as
 * SQL NULL ("no bound"), never as a huge sentinel number that a chart or an average would use.
 */
export function boundForWarehouse(bound: number): number | null {
  if (Number.isNaN(bound)) throw new RangeError('boundForWarehouse: bound is NaN');
  return Number.isFinite(bound) ? bound : null;
}

export function intervalForWarehouse(iv: Interval): { lower: number | null; upper: number | null } {
  return { lower: boundForWarehouse(iv.lower), upper: boundForWarehouse(iv.upper) };
}

export interface AciInput {
  /** The nominal miss rate α the intervals aim for, in (0, 1); also α_1. */
  target: number;
  /** Step size γ > 0: larger adapts faster but makes α_t (and the widths) noisier. */
  gamma: number;
  /** Realised miss indicators err_t (actual outside its interval), in resolution order. */
  misses: boolean[];
  /**
   * Weight of a miss k rows before the latest: decay^k (default 1, the plain fold). Below 1 the
   * controller forgets: a cluster of misses moves α fast, with a larger γ, and stops pushing once it
   * has aged out, instead of holding the intervals wide for the whole window.
   */
  decay?: number;
}

/**
 * α_{T+1} after folding α_{t+1} = α_t + γ(α − err_t) from α_1 = α over the misses so far. It can
 * leave (0, 1); aciQuantile maps those values. Gibbs & Candès prove the long-run miss rate then
 * satisfies |mean(err) − α| ≤ (max(α_1, 1 − α_1) + γ)/(γT) whatever the data do — for the full,
 * undecayed fold. The policy folds only its latest window, with decay < 1 (docs/intervals.md), so
 * there its coverage is measured, not guaranteed.
 */
export function aciAlpha(i: AciInput): number {
  const { target, gamma, misses } = i;
  checkAlpha('aciAlpha', target);
  if (!(gamma > 0) || !Number.isFinite(gamma)) {
    throw new RangeError(`aciAlpha: gamma must be positive and finite, got ${gamma}`);
  }
  const decay = i.decay ?? 1;
  if (!(decay > 0 && decay <= 1)) {
    throw new RangeError(`aciAlpha: decay must be in (0, 1], got ${decay}`);
  }
  let alpha = target;
  let w = decay ** (misses.length - 1);
  for (const miss of misses) {
    alpha += gamma * w * (target - (miss ? 1 : 0));
    w /= decay;
  }
  return alpha;
}

/**
 * The score quantile for the adapted α_t: α_t ≤ 0 asks for certain coverage (Infinity), α_t ≥ 1
 * allows a certain miss (0 width); in between, conformalQuantile(scores, α_t). These two ends are
 * what the Gibbs–Candès bound assumes.
 */
export function aciQuantile(scores: number[], alphaT: number): number {
  if (Number.isNaN(alphaT)) throw new RangeError('aciQuantile: alphaT is NaN');
  if (alphaT <= 0) return Infinity;
  if (alphaT >= 1) return 0;
  return conformalQuantile(scores, alphaT);
}

/**
 * The quantile an interval is served with: aciQuantile, except that α_t ≤ 0 (a run of misses has
 * asked for certain coverage) gives the largest calibration score, not an unbounded interval. A
 * price interval of [0, ∞) tells a reader nothing and reads as a fault; the widest interval the
 * calibration has seen is the honest "as wide as we know how". The Gibbs–Candès bound assumes the
 * unbounded set, so with this clip coverage is measured (make evaluate), not guaranteed. Too few
 * scores for the level is still Infinity (stored as no bound).
 */
export function servedQuantile(scores: number[], alphaT: number): number {
  if (alphaT <= 0 && scores.length > 0) return Math.max(...scores);
  return aciQuantile(scores, alphaT);
}
