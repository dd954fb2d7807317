/** Train or load: the champion is kept while it is fresh, undrifted and no worse than the naive forecast. */
import { differenceInCalendarDays, parseISO } from 'date-fns';
import type { Config } from '../config.js';

export interface ChampionInfo {
  version: string;
  /** Last as-of date of its training window: its age is counted from here, never from wall-clock time. */
  trainedThrough: string;
  configHash: string;
}

export interface DecisionInput {
  asOf: string;
  configHash: string;
  champion?: ChampionInfo;
  /** Verdict of the latest drift check before this run (null = insufficient data or none). */
  lastDatasetDrift: boolean | null;
  /** The champion's realised MASE over its latest outcomes, with how many there were. */
  realised?: { mase: number | null; n: number };
  /** The latest earlier day this ticker trained, promoted or not: the cooldown counts from it. */
  lastTrainedOn?: string;
  policy: Pick<
    Config['model'],
    'maxAgeDays' | 'naiveMargin' | 'accuracyWindow' | 'retrainCooldownDays'
  >;
}

export type Decision = { action: 'train' | 'load'; reason: string };

export function decideTrainOrLoad(i: DecisionInput): Decision {
  const c = i.champion;
  if (!c) return { action: 'train', reason: 'no champion yet' };
  if (c.configHash !== i.configHash) {
    return { action: 'train', reason: `config changed since champion ${c.version}` };
  }
  const age = differenceInCalendarDays(parseISO(i.asOf), parseISO(c.trainedThrough));
  if (age > i.policy.maxAgeDays) {
    return { action: 'train', reason: `champion is ${age} days old (max ${i.policy.maxAgeDays})` };
  }
  // A challenger that lost leaves the champion old; counting from the attempt stops a daily retrain loop.
  const since =
    i.lastTrainedOn && i.lastTrainedOn > c.trainedThrough ? i.lastTrainedOn : c.trainedThrough;
  const cooled =
    differenceInCalendarDays(parseISO(i.asOf), parseISO(since)) >= i.policy.retrainCooldownDays;
  if (i.lastDatasetDrift === true && cooled) {
    return { action: 'train', reason: 'dataset drift at the last check' };
  }
  const r = i.realised;
  const limit = 1 + i.policy.naiveMargin;
  if (cooled && r && r.n >= i.policy.accuracyWindow && r.mase !== null && r.mase > limit) {
    return {
      action: 'train',
      reason: `realised MASE ${r.mase.toFixed(3)} over ${r.n} outcomes is worse than naive (limit ${limit.toFixed(2)})`,
    };
  }
  const acc = r && r.mase !== null ? `, realised MASE ${r.mase.toFixed(3)} over ${r.n}` : '';
  return { action: 'load', reason: `champion ${c.version} is fresh (${age} days${acc})` };
}

export interface PromotionInput {
  challengerMase: number | null;
  championMase: number | null;
  hasChampion: boolean;
}

/** A challenger replaces the champion only when it scores better on the same most recent holdout. */
export function decidePromotion(p: PromotionInput): { promote: boolean; reason: string } {
  if (!p.hasChampion)
    return { promote: true, reason: 'first model: promoted without a comparison' };
  if (p.challengerMase === null)
    return { promote: false, reason: 'challenger could not be scored' };
  if (p.championMase === null)
    return { promote: true, reason: 'champion could not be scored on the holdout' };
  return p.challengerMase < p.championMase
    ? {
        promote: true,
        reason: `challenger MASE ${p.challengerMase.toFixed(3)} < champion ${p.championMase.toFixed(3)}`,
      }
    : {
        promote: false,
        reason: `challenger MASE ${p.challengerMase.toFixed(3)} ≥ champion ${p.championMase.toFixed(3)}`,
      };
}
