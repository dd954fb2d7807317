/**
 * Forecast step: the LSTM ensemble's close for each horizon from bars ≤ D, then what is served —
 * the serving policy (policy.ts) on the realised ledger up to D — with its intervals and the target
 * date on the exchange calendar. Returns the rows; the record stage writes the day's outputs.
 */
import { dayBefore } from '../calendar/dates.js';
import { addTradingDays, exchangeFor } from '../calendar/exchange.js';
import type { ModelContext } from '../context.js';
import { forecastWith } from '../model/fit.js';
import type { ServingVersion } from '../model/step.js';
import { latestOnOrBefore } from '../ports/warehouse/port.js';
import { asRead, type NewRow, type RowOf } from '../ports/warehouse/schema.js';
import { PipelineError, type Bar, type FeatureRow } from '../types.js';
import { driftReturn, historyScores, volatilityAt } from './history-stats.js';
import { resolveDue } from './outcomes.js';
import {
  DEFAULT_POLICY,
  isPolicy,
  servePolicy,
  type LedgerRow,
  type PolicyResult,
} from './policy.js';

export interface ForecastInputs {
  bars: Bar[];
  features: FeatureRow[];
  /** The version the model step chose. */
  serving: ServingVersion;
}

export interface ForecastResult {
  predictions: NewRow<'predictions'>[];
  /** The outcomes D newly resolved (outcomes.ts): already in the ledger the policy read. */
  outcomes: NewRow<'outcomes'>[];
  /** The serving policy's decision per horizon, with its numbers. */
  policies: NewRow<'policy_decisions'>[];
}

/** A stored outcome as the policy reads it: return-unit quantities, so any adjustment basis works. */
export const ledgerRowOf = (o: RowOf<'outcomes'>): LedgerRow => ({
  asOfDate: o.as_of_date,
  targetDate: o.target_date,
  horizon: o.horizon,
  base: o.base_close,
  actual: o.actual_close,
  served: o.predicted_close,
  lstm: o.lstm_close,
  shrinkage: o.shrinkage,
  drift: o.drift_close,
  volatility: o.volatility,
  covered80: o.covered_80,
  covered95: o.covered_95,
});

/** The policy's decision as its warehouse row. */
export function policyRow(
  ctx: Pick<ModelContext, 'ticker' | 'asOf' | 'runId'>,
  horizon: number,
  p: PolicyResult,
  driftReturnH: number | null,
): NewRow<'policy_decisions'> {
  const d = p.decision;
  return {
    ticker: ctx.ticker,
    as_of_date: ctx.asOf,
    horizon,
    champion: d.champion,
    served: d.served,
    promoted: d.promoted,
    challenger: d.challenger,
    champion_mae: d.championMae,
    challenger_mae: d.challengerMae,
    dm_statistic: d.dmStatistic,
    dm_p_value: d.dmPValue,
    ledger_rows: d.ledgerRows,
    shrinkage: p.shrinkage,
    drift_return: driftReturnH,
    alpha_80: p.alphas['80'],
    alpha_95: p.alphas['95'],
    q_80: p.quantiles['80'],
    q_95: p.quantiles['95'],
    calibration: p.calibration,
    reason: d.reason,
    run_id: ctx.runId,
  };
}

export async function forecastStep(
  ctx: ModelContext,
  { bars, features, serving }: ForecastInputs,
): Promise<ForecastResult> {
  const { cat, ticker, asOf, runId } = ctx;
  const cfg = cat.config.serving;
  const f = forecastWith(serving.artifacts, bars, features, asOf);
  // A dead ReLU output forecasts a close of 0: fail loudly rather than put it in the ledger.
  const bad = f.forecasts.find((p) => !(Number.isFinite(p.close) && p.close > 0));
  if (bad) {
    throw new PipelineError(
      `model ${serving.label} forecast a close of ${bad.close} for horizon ${bad.horizon}; a close must be > 0`,
      ticker,
      'positive_forecast',
    );
  }
  const closes = bars.filter((b) => b.date <= asOf).map((b) => b.close);
  const vol = volatilityAt(closes, closes.length - 1, cfg.volatilityDays, cfg.volatilityDecay);
  const horizons = f.forecasts.map((p) => p.horizon);
  // The realised ledger as known on D: outcomes whose target date is on or before D.
  const stored = await cat.warehouse.select('outcomes', {
    where: { ticker },
    between: { column: 'target_date', to: asOf },
    orderBy: 'target_date',
    desc: true,
    limit: cfg.ledgerWindow * horizons.length,
  });
  // With the outcomes D itself resolves: the close of D is known on D.
  const outcomes = await resolveDue(ctx, bars);
  const fresh = new Set(outcomes.map((o) => `${o.as_of_date}|${o.horizon}`));
  const ledger = [
    ...stored.filter((o) => !fresh.has(`${o.as_of_date}|${o.horizon}`)),
    ...outcomes.map((o) => asRead('outcomes', o)),
  ].map(ledgerRowOf);
  const ex = exchangeFor(ticker);
  const predictions: NewRow<'predictions'>[] = [];
  const policies: NewRow<'policy_decisions'>[] = [];
  for (const p of f.forecasts) {
    const h = p.horizon;
    // The policy that served before today: a re-run of D sees exactly what the first run saw.
    const before = await latestOnOrBefore(cat.warehouse, 'policy_decisions', {
      where: { ticker, horizon: h },
      column: 'as_of_date',
      date: dayBefore(asOf),
    });
    const mu = driftReturn(closes, h);
    const policy = servePolicy({
      asOf,
      horizon: h,
      base: f.base,
      lstmClose: p.close,
      driftReturn: mu,
      volatility: vol,
      ledger,
      champion: isPolicy(before?.served) ? before.served : DEFAULT_POLICY,
      historyScores: historyScores(closes, h, {
        sessions: cfg.calibrationDays,
        volatilityDays: cfg.volatilityDays,
        volatilityDecay: cfg.volatilityDecay,
      }),
      cfg,
    });
    predictions.push({
      ticker,
      as_of_date: asOf,
      horizon: h,
      target_date: addTradingDays(asOf, h, ex),
      base_close: f.base,
      predicted_close: policy.servedClose,
      model_version: serving.label,
      run_id: runId,
      lstm_close: p.close,
      ensemble_size: serving.artifacts.members.length,
      shrinkage: policy.shrinkage,
      drift_close: policy.driftClose,
      serving_policy: policy.decision.served,
      volatility: vol,
      lower_80: policy.intervals['80'].lower,
      upper_80: policy.intervals['80'].upper,
      lower_95: policy.intervals['95'].lower,
      upper_95: policy.intervals['95'].upper,
    });
    policies.push(policyRow(ctx, h, policy, mu));
  }
  // A re-run of the day keeps the first run's id, so the rows stay exactly the same.
  const [existing] = await cat.warehouse.select('predictions', {
    where: { ticker, as_of_date: asOf },
    limit: 1,
  });
  const keep = <R extends { run_id: string }>(r: R): R =>
    existing ? { ...r, run_id: existing.run_id } : r;
  return { predictions: predictions.map(keep), policies: policies.map(keep), outcomes };
}
