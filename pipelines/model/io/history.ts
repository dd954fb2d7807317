/** What earlier runs recorded about a ticker's models: the inputs of the train-or-load decision. */
import { dayBefore } from '../../calendar/dates.js';
import type { Catalog } from '../../catalog.js';
import { latestOnOrBefore } from '../../ports/warehouse/port.js';
import { DATASET_ROW, type RowOf } from '../../ports/warehouse/schema.js';
import { forecastMetrics } from '../evaluate.js';

/** The decision a run already recorded for this day, if any. */
export async function decisionOn(
  cat: Catalog,
  ticker: string,
  asOf: string,
): Promise<RowOf<'model_decisions'> | undefined> {
  const [row] = await cat.warehouse.select('model_decisions', {
    where: { ticker, as_of_date: asOf },
  });
  return row;
}

/** The latest decision before D: which version served last, and when the ticker last trained. */
export async function latestDecisions(cat: Catalog, ticker: string, asOf: string) {
  const before = { column: 'as_of_date', date: dayBefore(asOf) } as const;
  const served = await latestOnOrBefore(cat.warehouse, 'model_decisions', {
    where: { ticker },
    ...before,
  });
  const trained = await latestOnOrBefore(cat.warehouse, 'model_decisions', {
    where: { ticker, decision: 'train' },
    ...before,
  });
  return { served, lastTrainedOn: trained?.as_of_date };
}

export async function realisedAccuracy(cat: Catalog, ticker: string, label: string, asOf: string) {
  const rows = await cat.warehouse.select('outcomes', {
    where: { ticker, model_version: label },
    between: { column: 'target_date', to: asOf },
    orderBy: 'target_date',
    desc: true,
    limit: cat.config.model.accuracyWindow,
  });
  if (!rows.length) return undefined;
  const m = forecastMetrics(
    rows.map((r) => ({ base: r.base_close, predicted: r.predicted_close, actual: r.actual_close })),
  );
  return { mase: m.mase, n: m.n };
}

/** The dataset-drift verdict of the latest check before D against this version (null: none). */
export async function lastDatasetDrift(
  cat: Catalog,
  ticker: string,
  label: string,
  asOf: string,
): Promise<boolean | null> {
  const row = await latestOnOrBefore(cat.warehouse, 'drift_scores', {
    where: { ticker, feature: DATASET_ROW, model_version: label },
    column: 'as_of_date',
    date: dayBefore(asOf),
  });
  return row ? row.drifted : null;
}
