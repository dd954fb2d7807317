/**
 * What the serving policy takes from a ticker's own price history up to D: the drift challenger's
 * mean h-session return, the volatility that scales scores and intervals, and the naive scores that
 * calibrate intervals before the ledger has enough. Pure: closes in, numbers out, data ≤ D only.
 */
import { ewmaVolatility, intervalScore } from './conformal.js';

/** Mean close(t+h)/close(t) − 1 over every t with t + h ≤ D; null with fewer than h + 1 closes. */
export function driftReturn(closes: readonly number[], h: number): number | null {
  let sum = 0;
  let n = 0;
  for (let t = 0; t + h < closes.length; t++) {
    const from = closes[t] ?? NaN;
    const to = closes[t + h] ?? NaN;
    sum += to / from - 1;
    n += 1;
  }
  return n ? sum / n : null;
}

/** The volatility as of index t (closes[0..t]), over the last `days` log returns, decay λ. */
export function volatilityAt(
  closes: readonly number[],
  t: number,
  days: number,
  lambda = 1,
): number | null {
  return t < days ? null : ewmaVolatility(closes.slice(t - days, t + 1), days, lambda);
}

/**
 * The naive forecast's scores |close(t+h)/close(t) − 1| / (vol_t·√h) for the latest `sessions`
 * as-of indices t whose label close(t+h) is known (t + h ≤ last index).
 */
export function historyScores(
  closes: readonly number[],
  h: number,
  opts: { sessions: number; volatilityDays: number; volatilityDecay?: number },
): number[] {
  const scores: number[] = [];
  const lastT = closes.length - 1 - h;
  for (let t = Math.max(0, lastT - opts.sessions + 1); t <= lastT; t++) {
    const vol = volatilityAt(closes, t, opts.volatilityDays, opts.volatilityDecay);
    const base = closes[t] ?? NaN;
    if (vol === null || !(vol > 0)) continue;
    scores.push(intervalScore({ actual: closes[t + h] ?? NaN, served: base, base, vol, h }));
  }
  return scores;
}
