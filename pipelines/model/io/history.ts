/** What earlier runs recorded about a ticker's models: the inputs of the train-or-load decision. */
import { subDays, formatISO, parseISO } from 'date-fns';
import type { Catalog } from '../../catalog.js';
import type { RowOf } from '../../ports/warehouse/schema.js';
import { forecastMetrics } from '../evaluate.js';

const dayBefore = (d: string): string =>
  formatISO(subDays(parseISO(d), 1), { representation: 'date' });

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
  const before = { column: 'as_of_date' as const, to: dayBefore(asOf) };
  const order = { orderBy: 'as_of_date' as const, desc: true, limit: 1 };
  const [served] = await cat.warehouse.select('model_decisions', {
    where: { ticker },
    between: before,
    ...order,
  });
  const [trained] = await cat.warehouse.select('model_decisions', {
    where: { ticker, decision: 'train' },
    between: before,
    ...order,
  });
  return { served, lastTrainedOn: trained?.as_of_date };
}

export async function realisedAccuracy(
  cat: Catalog,
  ticker: string,
  version: string,
  asOf: string,
) {
  const rows = await cat.warehouse.select('outcomes', {
    where: { ticker, model_version: version },
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
  version: string,
  asOf: string,
): Promise<boolean | null> {
  const [row] = await cat.warehouse.select('drift_scores', {
    where: { ticker, feature: '__dataset__', model_version: version },
    between: { column: 'as_of_date', to: dayBefore(asOf) },
    orderBy: 'as_of_date',
    desc: true,
    limit: 1,
  });
  return row ? row.drifted : null;
}
