/**
 * What the network is trained to output. The price ratio close(t+h)/close(t) sits at 1 ± a few
 * per cent, so an MSE fit on it is dominated by the volatile stretches and the network chases
 * noise. Instead the log return over h is divided by the trailing volatility σ_t·√h (data ≤ t
 * only) — a z-score with about the same spread on a calm and on a wild series — and mapped to
 * 1 + z / spread, which is positive for |z| < spread, so the ReLU output can represent it and its
 * bias of 1 starts the network at the no-change forecast. Decoding inverts it exactly.
 */
import { PipelineError } from '../types.js';

export interface VolScaledTarget {
  kind: 'volScaledLogReturn';
  /** Daily log returns in σ_t, the most recent ones up to t. */
  volatilityDays: number;
  /** z maps to 1 + z / spread; z ≤ −spread is beyond what the ReLU can output. */
  spread: number;
}
/** 'ratio': the network outputs close(t+h)/close(t) itself (versions saved before targets were kept). */
export type TargetSpec = { kind: 'ratio' } | VolScaledTarget;

/** Sessions of daily log returns in σ_t when no target says otherwise. */
export const DEFAULT_VOLATILITY_DAYS = 60;

/** A version's target; versions saved before targets were recorded output the ratio itself. */
export const targetOf = (meta: { target?: TargetSpec | undefined }): TargetSpec =>
  meta.target ?? { kind: 'ratio' };

/** The σ_t window a version's samples need (buildSamples' `volatilityDays`). */
export const volatilityDaysOf = (meta: { target?: TargetSpec | undefined }): number => {
  const t = targetOf(meta);
  return t.kind === 'ratio' ? DEFAULT_VOLATILITY_DAYS : t.volatilityDays;
};

/** Below this a daily σ is taken as this: a flat window would otherwise divide by zero. */
export const MIN_DAILY_VOLATILITY = 1e-4;

/**
 * σ_t: the standard deviation of the daily log returns of the `days` closes ending at index t
 * (fewer where the series is shorter). Reads closes[t − days … t] only.
 */
export function trailingVolatility(closes: readonly number[], t: number, days: number): number {
  const first = Math.max(1, t - days + 1);
  const r: number[] = [];
  for (let i = first; i <= t; i++)
    r.push(Math.log((closes[i] as number) / (closes[i - 1] as number)));
  if (r.length < 2) return MIN_DAILY_VOLATILITY;
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
  return Number.isFinite(sd) ? Math.max(sd, MIN_DAILY_VOLATILITY) : MIN_DAILY_VOLATILITY;
}

/** The network's training target for a price ratio, given σ_t of its as-of date. */
export function encodeTarget(spec: TargetSpec, ratio: number, sigma: number, h: number): number {
  if (spec.kind === 'ratio') return ratio;
  return 1 + Math.log(ratio) / (sigma * Math.sqrt(h) * spec.spread);
}

/** The price ratio a network output stands for. */
export function decodeTarget(spec: TargetSpec, out: number, sigma: number, h: number): number {
  if (spec.kind === 'ratio') return out;
  // The ReLU's floor is where a dead output sits: it stays a ratio of 0 (a close of 0), which the
  // degenerate-model and forecast checks refuse, rather than decoding to a −spread·σ move.
  if (!(out > 0)) return 0;
  return Math.exp((out - 1) * spec.spread * sigma * Math.sqrt(h));
}

/** Network outputs `[window][horizon]` → price ratios, each window with its own σ_t. */
export function decodeRows(
  spec: TargetSpec,
  outputs: readonly (readonly number[])[],
  sigmas: readonly number[],
  horizons: readonly number[],
): number[][] {
  if (outputs.length !== sigmas.length) {
    throw new PipelineError(
      `${outputs.length} outputs but ${sigmas.length} volatilities`,
      undefined,
      'model-input',
    );
  }
  return outputs.map((row, i) =>
    row.map((v, k) => decodeTarget(spec, v, sigmas[i] as number, horizons[k] as number)),
  );
}
