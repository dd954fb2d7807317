/**
 * The model stage's rules, pure: train or load (the champion is kept while it is fresh, undrifted
 * and no worse than the naive forecast), the champion's score on a challenger's holdout, and
 * whether the challenger is promoted.
 */
import { differenceInCalendarDays, parseISO } from 'date-fns';
import type { Config } from '../config.js';
import { dieboldMariano } from '../stats/diebold-mariano.js';
import type { Bar, FeatureRow } from '../types.js';
import { BAR_COLUMNS, buildSamples } from './dataset.js';
import { forecastMetrics, meanOrNull } from './evaluate.js';
import type { TestForecast } from './fit.js';
import type { ModelVersionMeta } from './io/artifacts.js';
import { applyScaler } from './normalise.js';
import { volatilityDaysOf } from './target.js';

export interface ChampionInfo {
  /** The champion version's label. */
  label: string;
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
    return { action: 'train', reason: `config changed since champion ${c.label}` };
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
  return { action: 'load', reason: `champion ${c.label} is fresh (${age} days${acc})` };
}

/** Holdout forecasts that are not a positive, finite close: a ReLU output that died forecasts 0. */
export const degenerateForecasts = (holdout: readonly TestForecast[]): number =>
  holdout.filter((t) => !(t.predicted > 0 && Number.isFinite(t.predicted))).length;

/** The champion as the holdout scoring needs it: its meta, and its model's predictions. */
export interface ScorableChampion {
  meta: Pick<
    ModelVersionMeta,
    'columns' | 'rules' | 'scaler' | 'lookback' | 'horizons' | 'configHash' | 'target'
  >;
  /** The champion's predicted ratios for scaled windows and their σ_t (model/ratios.ts). */
  predict: (windows: number[][][], sigmas: readonly number[]) => number[][];
}

/**
 * The champion's forecasts on the challenger's holdout: the same as-of dates, the same actual
 * closes, its windows built and predicted in one batch. A champion trained on other features or
 * normalisation rules (the config or the code changed) cannot be scored: null.
 */
export function championOnHoldout(
  champion: ScorableChampion,
  holdout: readonly TestForecast[],
  data: { bars: readonly Bar[]; features: readonly FeatureRow[] },
  configHash: string,
): TestForecast[] | null {
  const { meta } = champion;
  const { bars, features } = data;
  const needs = meta.columns.slice(BAR_COLUMNS.length);
  const has = features[0]?.values ?? {};
  const first = holdout[0]?.asOf;
  if (meta.configHash !== configHash || needs.some((c) => !(c in has)) || !first) return null;
  const from = Math.max(0, features.findIndex((f) => f.date >= first) - meta.lookback + 1);
  const ds = buildSamples(bars, features.slice(from), {
    lookback: meta.lookback,
    horizons: meta.horizons,
    featureColumns: needs,
    volatilityDays: volatilityDaysOf(meta),
  });
  if (ds.rules.some((r, i) => r !== meta.rules[i])) return null;
  const asOfs = new Set(holdout.map((t) => t.asOf));
  const windows = ds.samples.filter((x) => asOfs.has(x.asOf));
  const ratios = champion.predict(
    windows.map((x) => applyScaler(meta.scaler, x.x)),
    windows.map((x) => x.sigma),
  );
  const ratiosOn = new Map(windows.map((x, i) => [x.asOf, ratios[i] ?? []]));
  return holdout.map((t) => ({
    ...t,
    predicted: t.base * (ratiosOn.get(t.asOf)?.[meta.horizons.indexOf(t.horizon)] ?? Number.NaN),
  }));
}

/** The mean over horizons of the MASE of holdout forecasts (null when any horizon has none). */
export function holdoutMase(forecasts: readonly TestForecast[], horizons: readonly number[]) {
  return meanOrNull(
    horizons.map((h) => {
      const rows = forecasts.filter((t) => t.horizon === h);
      return rows.length ? forecastMetrics(rows).mase : null;
    }),
  );
}

/** The champion's MASE on the challenger's holdout (championOnHoldout), or null. */
export function scoreOnHoldout(
  champion: ScorableChampion,
  holdout: readonly TestForecast[],
  data: { bars: readonly Bar[]; features: readonly FeatureRow[] },
  configHash: string,
): number | null {
  const f = championOnHoldout(champion, holdout, data, configHash);
  return f && holdoutMase(f, champion.meta.horizons);
}

/**
 * Diebold–Mariano (HLN form, lag h − 1) on the holdout: is the challenger more accurate than the
 * champion? Losses are each as-of date's absolute error in return units, averaged over horizons.
 * null when it cannot be computed (too few rows, or losses that never differ).
 */
export function holdoutDm(
  challenger: readonly TestForecast[],
  champion: readonly TestForecast[],
): { statistic: number; pValue: number } | null {
  const loss = (rows: readonly TestForecast[]) => {
    const byAsOf = new Map<string, number[]>();
    for (const t of rows) {
      byAsOf.set(t.asOf, [
        ...(byAsOf.get(t.asOf) ?? []),
        Math.abs(t.actual - t.predicted) / t.base,
      ]);
    }
    return new Map([...byAsOf].map(([d, xs]) => [d, xs.reduce((a, b) => a + b, 0) / xs.length]));
  };
  const a = loss(challenger);
  const b = loss(champion);
  const dates = [...a.keys()].filter((d) => b.has(d)).sort();
  const h = Math.max(...challenger.map((t) => t.horizon));
  const e1 = dates.map((d) => a.get(d) ?? NaN);
  const e2 = dates.map((d) => b.get(d) ?? NaN);
  if (dates.length <= h + 1 || ![...e1, ...e2].every(Number.isFinite)) return null;
  try {
    const dm = dieboldMariano(e1, e2, { h, power: 1, alternative: 'less' });
    return { statistic: dm.statistic, pValue: dm.pValue };
  } catch {
    return null;
  }
}

export interface PromotionInput {
  challengerMase: number | null;
  championMase: number | null;
  hasChampion: boolean;
  /** How many of the challenger's holdout forecasts are not a positive close (degenerateForecasts). */
  degenerate?: number;
  /** The registry's champion saw data after the as-of date: it is kept whatever the challenger scores. */
  laterChampion?: boolean;
  /**
   * With a significance level, a better MASE is not enough: the Diebold–Mariano test on the
   * holdout (holdoutDm) must also reject equal accuracy at that level.
   */
  significance?: number;
  dm?: { statistic: number; pValue: number } | null;
}

/**
 * A challenger replaces the champion only when it scores better on the same most recent holdout;
 * a degenerate challenger never does, and a champion trained on later data is kept.
 */
export function decidePromotion(p: PromotionInput): { promote: boolean; reason: string } {
  if (p.degenerate) {
    return {
      promote: false,
      reason: `challenger is degenerate (${p.degenerate} holdout forecasts ≤ 0)`,
    };
  }
  if (p.laterChampion) return { promote: false, reason: 'kept the later champion' };
  if (!p.hasChampion)
    return { promote: true, reason: 'first model: promoted without a comparison' };
  if (p.challengerMase === null)
    return { promote: false, reason: 'challenger could not be scored' };
  if (p.championMase === null)
    return { promote: true, reason: 'champion could not be scored on the holdout' };
  const better = `challenger MASE ${p.challengerMase.toFixed(3)} < champion ${p.championMase.toFixed(3)}`;
  if (!(p.challengerMase < p.championMase)) {
    return {
      promote: false,
      reason: `challenger MASE ${p.challengerMase.toFixed(3)} ≥ champion ${p.championMase.toFixed(3)}`,
    };
  }
  if (p.significance === undefined) return { promote: true, reason: better };
  if (!p.dm)
    return { promote: false, reason: `${better}, but no Diebold–Mariano test could be run` };
  const test = `DM ${p.dm.statistic.toFixed(3)}, p=${p.dm.pValue.toPrecision(3)}`;
  return p.dm.pValue < p.significance
    ? { promote: true, reason: `${better}, ${test} < ${p.significance}` }
    : { promote: false, reason: `${better}, not significant (${test} ≥ ${p.significance})` };
}
