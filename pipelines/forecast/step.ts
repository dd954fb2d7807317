/** Forecast step: the close for each horizon from bars ≤ D, with its target date on the exchange calendar. */
import type { ModelContext } from '../context.js';
import type { ServingVersion } from '../model/step.js';
import { forecastWith } from '../model/fit.js';
import type { NewRow } from '../ports/warehouse/schema.js';
import { PipelineError, type Bar, type FeatureRow } from '../types.js';
import { addTradingDays, exchangeFor } from '../calendar/exchange.js';

export interface ForecastInputs {
  bars: Bar[];
  features: FeatureRow[];
  /** The version the model step chose. */
  serving: ServingVersion;
}

export async function forecastStep(
  ctx: ModelContext,
  { bars, features, serving }: ForecastInputs,
): Promise<NewRow<'predictions'>[]> {
  const { cat, ticker, asOf, runId } = ctx;
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
  const ex = exchangeFor(ticker);
  const rows = f.forecasts.map((p) => ({
    ticker,
    as_of_date: asOf,
    horizon: p.horizon,
    target_date: addTradingDays(asOf, p.horizon, ex),
    base_close: f.base,
    predicted_close: p.close,
    model_version: serving.label,
    run_id: runId,
  }));
  // A re-run of the day keeps the first run's id, so the rows stay exactly the same.
  const [existing] = await cat.warehouse.select('predictions', {
    where: { ticker, as_of_date: asOf },
    limit: 1,
  });
  // Returned, not written: the record stage writes the ticker-day's outputs together.
  return existing ? rows.map((r) => ({ ...r, run_id: existing.run_id })) : rows;
}
