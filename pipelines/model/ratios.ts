/**
 * A version's forecasts as price ratios close(t+h)/close(t): its members' outputs decoded through
 * the version's target (target.ts), then averaged. Every caller that turns a network's output into
 * a forecast — the holdout, the daily forecast, the champion's score, the walk-forward — goes
 * through here, so a version is always read with the target it was trained on.
 */
import type * as tf from '@tensorflow/tfjs';
import { meanOfMembers, predictMembers } from './network/ensemble.js';
import { decodeRows, targetOf, type TargetSpec } from './target.js';

export interface EnsembleRatios {
  /** `[member][window][horizon]`. */
  perMember: number[][][];
  /** The mean over members, `[window][horizon]`. */
  mean: number[][];
}

/** Scaled windows and each window's σ_t in; every member's ratios and their mean out. */
export function ensembleRatios(
  members: readonly tf.LayersModel[],
  meta: { target?: TargetSpec | undefined; horizons: readonly number[] },
  windows: number[][][],
  sigmas: readonly number[],
): EnsembleRatios {
  const spec = targetOf(meta);
  const perMember = predictMembers(members, windows).map((out) =>
    decodeRows(spec, out, sigmas, meta.horizons),
  );
  return { perMember, mean: meanOfMembers(perMember) };
}
