/**
 * A point-in-time walk-forward over real history: the ensemble is retrained every `retrainEvery`
 * sessions on bars up to that day, forecasts every session until the next retrain, and the serving
 * policy runs day by day on the ledger it has built so far — exactly the pure functions the daily
 * forecast step runs. Nothing a day serves depends on a bar after it.
 */
import type { Config } from '../config.js';
import { driftReturn, historyScores, volatilityAt } from '../forecast/history-stats.js';
import {
  DEFAULT_POLICY,
  servePolicy,
  type Bounds,
  type LedgerRow,
  type PolicyName,
  type PolicyResult,
} from '../forecast/policy.js';
import { covers } from '../forecast/scorecard.js';
import type { Bar, FeatureRow } from '../types.js';

/** One as-of date's forecast ratios close(t+h)/close(t), per horizon. */
export interface RatioForecast {
  /** The first member alone: what a single LSTM would have forecast. */
  member: number[];
  /** The mean of all members. */
  ensemble: number[];
}

/** What one retrain cost and how it started (for the report: training cost, warm starts). */
export interface RetrainInfo {
  /** User + system CPU-seconds of the fit, every thread of the process. */
  cpuSeconds: number;
  wallSeconds: number;
  /** True when the members started from the previous retrain's weights. */
  warmStart: boolean;
  /** Epochs each member ran (early stopping ends them before the limit). */
  epochsRun: number[];
}

/** A fitted ensemble: forecasts for as-of dates, each from the window of data ≤ that date. */
export interface FittedForecaster {
  /** Absent for fitters that do not measure it. */
  training?: RetrainInfo;
  forecast(
    bars: readonly Bar[],
    features: readonly FeatureRow[],
    asOfs: readonly string[],
  ): Map<string, RatioForecast>;
  dispose(): void;
}

/** Trains on bars and features up to (and including) the last element given. */
export type Fitter = (
  bars: readonly Bar[],
  features: readonly FeatureRow[],
) => Promise<FittedForecaster>;

export interface WalkForwardRow {
  asOfDate: string;
  targetDate: string | null;
  horizon: number;
  base: number;
  /** null while the target is after the last bar. */
  actual: number | null;
  member: number;
  ensemble: number;
  served: number;
  drift: number | null;
  naive: number;
  volatility: number | null;
  intervals: { '80': Bounds; '95': Bounds };
  policy: PolicyResult;
  /** The retrain date of the model that forecast this row. */
  trainedThrough: string;
}

export interface WalkForwardInput {
  bars: readonly Bar[];
  features: readonly FeatureRow[];
  from: string;
  to: string;
  horizons: readonly number[];
  retrainEvery: number;
  serving: Config['serving'];
  fit: Fitter;
  onRetrain?: (date: string, index: number, total: number) => void;
  /** The model forecasts of an earlier identical walk (same data, config and cadence), if kept. */
  cached?: ForecastsByDate;
}

/** An as-of date's forecast ratios and the retrain date of the model that made them. */
export interface DatedForecast {
  r: RatioForecast;
  trainedThrough: string;
  /** On the first session of each retrain's segment only: that retrain's cost and start. */
  training?: RetrainInfo;
}
export type ForecastsByDate = Map<string, DatedForecast>;

/**
 * The sessions of [from, to] a model can forecast: the first one waits until the history holds a
 * full training window (`minHistory` feature rows), as the daily model step would.
 */
export function scoredSessions(
  features: readonly FeatureRow[],
  from: string,
  to: string,
  minHistory: number,
): string[] {
  const start = features[minHistory]?.date;
  if (start === undefined) return [];
  return features.map((f) => f.date).filter((d) => d >= from && d >= start && d <= to);
}

/** The model half of the walk: retrain on the cadence, forecast every session until the next. */
export async function forecastWalk(
  i: WalkForwardInput & { days: readonly string[] },
): Promise<ForecastsByDate> {
  const { days } = i;
  const indexOf = new Map(i.bars.map((b, k) => [b.date, k]));
  const forecasts: ForecastsByDate = new Map();
  const retrains = days.filter((_, k) => k % i.retrainEvery === 0);
  for (const [k, r] of retrains.entries()) {
    i.onRetrain?.(r, k, retrains.length);
    const until = indexOf.get(r) ?? -1;
    const model = await i.fit(
      i.bars.slice(0, until + 1),
      i.features.filter((f) => f.date <= r),
    );
    try {
      const next = retrains[k + 1];
      const segment = days.filter((d) => d >= r && (next === undefined || d < next));
      // Windows end on each as-of date: the forecaster sees no bar after the day it forecasts from.
      const last = indexOf.get(segment.at(-1) ?? r) ?? until;
      const bars = i.bars.slice(0, last + 1);
      const feats = i.features.filter((f) => f.date <= (segment.at(-1) ?? r));
      for (const [d, f] of model.forecast(bars, feats, segment)) {
        const first = d === segment[0] && model.training;
        forecasts.set(d, {
          r: f,
          trainedThrough: r,
          ...(first ? { training: model.training } : {}),
        });
      }
    } finally {
      model.dispose();
    }
  }
  return forecasts;
}

/**
 * The whole walk: model forecasts (or the cached ones), then the serving policy day by day on the
 * ledger built so far. `minHistory` feature rows come before the first scored session.
 */
export async function walkForward(
  i: WalkForwardInput & { minHistory?: number },
): Promise<WalkForwardRow[]> {
  const days = scoredSessions(i.features, i.from, i.to, i.minHistory ?? 0);
  const indexOf = new Map(i.bars.map((b, k) => [b.date, k]));
  const closes = i.bars.map((b) => b.close);
  const forecasts = i.cached ?? (await forecastWalk({ ...i, days }));

  const rows: WalkForwardRow[] = [];
  const ledgers = new Map<number, LedgerRow[]>(i.horizons.map((h) => [h, []]));
  const champions = new Map<number, PolicyName>(i.horizons.map((h) => [h, DEFAULT_POLICY]));
  // Each day's new outcomes enter the ledger on their target date, in order.
  const pendingByTarget = new Map<string, LedgerRow[]>();
  for (const d of days) {
    for (const l of pendingByTarget.get(d) ?? []) ledgers.get(l.horizon)?.push(l);
    const t = indexOf.get(d);
    const f = forecasts.get(d);
    if (t === undefined || !f) continue;
    const past = closes.slice(0, t + 1);
    const base = closes[t] ?? NaN;
    const vol = volatilityAt(closes, t, i.serving.volatilityDays, i.serving.volatilityDecay);
    for (const [k, h] of i.horizons.entries()) {
      const ensemble = base * (f.r.ensemble[k] ?? NaN);
      const policy = servePolicy({
        asOf: d,
        horizon: h,
        base,
        lstmClose: ensemble,
        driftReturn: driftReturn(past, h),
        volatility: vol,
        ledger: ledgers.get(h) ?? [],
        champion: champions.get(h) ?? DEFAULT_POLICY,
        historyScores: historyScores(past, h, {
          sessions: i.serving.calibrationDays,
          volatilityDays: i.serving.volatilityDays,
          volatilityDecay: i.serving.volatilityDecay,
        }),
        cfg: i.serving,
      });
      champions.set(h, policy.decision.served);
      const target = i.bars[t + h];
      const actual = target && target.date <= i.to ? target.close : null;
      const row: WalkForwardRow = {
        asOfDate: d,
        targetDate: target?.date ?? null,
        horizon: h,
        base,
        actual,
        member: base * (f.r.member[k] ?? NaN),
        ensemble,
        served: policy.servedClose,
        drift: policy.driftClose,
        naive: base,
        volatility: vol,
        intervals: policy.intervals,
        policy,
        trainedThrough: f.trainedThrough,
      };
      rows.push(row);
      if (target && actual !== null) {
        const list = pendingByTarget.get(target.date) ?? [];
        list.push({
          asOfDate: d,
          targetDate: target.date,
          horizon: h,
          base,
          actual,
          served: row.served,
          lstm: ensemble,
          shrinkage: policy.shrinkage,
          drift: row.drift,
          volatility: vol,
          covered80: covers(row.intervals['80'], actual),
          covered95: covers(row.intervals['95'], actual),
        });
        pendingByTarget.set(target.date, list);
      }
    }
  }
  return rows;
}
