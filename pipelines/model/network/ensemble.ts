/**
 * The LSTM ensemble: K networks of the same shape trained from different seeds on the same data,
 * whose forecast is the mean of theirs, so no one seed's noise is served (M4: combinations beat
 * single models). One member is exactly the single network of before.
 */
import type * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../stats/random.js';
import { predict } from './lstm.js';

/** Member 0 keeps the configured seed, so an ensemble of one is the single model of before. */
export const memberSeed = (seed: number, member: number): number =>
  member === 0 ? seed : deriveSeed(seed, `member-${member}`);

/** Each member's predicted ratios, one row per window: `[member][window][horizon]`. */
export function predictMembers(members: readonly tf.LayersModel[], x: number[][][]): number[][][] {
  return members.map((m) => predict(m, x));
}

/** The mean over members of the predicted ratios, one row per window. */
export function meanOfMembers(perMember: readonly (readonly (readonly number[])[])[]): number[][] {
  const [first, ...rest] = perMember;
  if (!first) throw new RangeError('an ensemble needs at least one member');
  return first.map((row, i) =>
    row.map((v, k) => rest.reduce((s, m) => s + (m[i]?.[k] ?? NaN), v) / perMember.length),
  );
}

/** The ensemble's forecast ratios, one row per window. */
export const predictEnsemble = (members: readonly tf.LayersModel[], x: number[][][]): number[][] =>
  meanOfMembers(predictMembers(members, x));

export function disposeMembers(members: readonly tf.LayersModel[]): void {
  for (const m of members) m.dispose();
}
