/**
 * A point-in-time walk-forward over real history: the ensemble is retrained every `retrainEvery`
 * sessions on bars up to that day, forecasts every session until the next retrain, and the serving
 * policy runs day by day on the ledger it has built so far — exactly the pure functions the daily
 * forecast step runs. Nothing a day serves depends on a bar after it.
 */
import type { Config } from '../config.js';
import { driftReturn, historyScores, volatilityAt } from '../forecast/history-stats.js';
import {
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

/** A fitted ensemble: forecasts for as-of dates from windows of data ≤ each date. */
export interface FittedForecaster {
  forecast(asOfs: readonly string[]): Map<string, RatioForecast>;
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
}

/** The sessions of [from, to] in the feature table (rows after indicator warm-up). */
function sessions(features: readonly FeatureRow[], from: string, to: string): string[] {
  return features.map((f) => f.date).filter((d) => d >= from && d <= to);
}

export async function walkForward(i: WalkForwardInput): Promise<WalkForwardRow[]> {
  const days = sessions(i.features, i.from, i.to);
  const indexOf = new Map(i.bars.map((b, k) => [b.date, k]));
  const closes = i.bars.map((b) => b.close);
  const forecasts = new Map<string, { r: RatioForecast; trainedThrough: string }>();
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
      for (const [d, f] of model.forecast(segment)) forecasts.set(d, { r: f, trainedThrough: r });
    } finally {
      model.dispose();
    }
  }

  const rows: WalkForwardRow[] = [];
  const ledgers = new Map<number, LedgerRow[]>(i.horizons.map((h) => [h, []]));
  const champions = new Map<number, PolicyName>(i.horizons.map((h) => [h, 'shrunk']));
  // Each day's new outcomes enter the ledger on their target date, in order.
  const pendingByTarget = new Map<string, LedgerRow[]>();
  for (const d of days) {
    for (const l of pendingByTarget.get(d) ?? []) ledgers.get(l.horizon)?.push(l);
    const t = indexOf.get(d);
    const f = forecasts.get(d);
    if (t === undefined || !f) continue;
    const past = closes.slice(0, t + 1);
    const base = closes[t] ?? NaN;
    const vol = volatilityAt(closes, t, i.serving.volatilityDays);
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
        champion: champions.get(h) ?? 'shrunk',
        historyScores: historyScores(past, h, {
          sessions: i.serving.calibrationDays,
          volatilityDays: i.serving.volatilityDays,
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
