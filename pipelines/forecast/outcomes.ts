/**
 * The ledger's newest rows: each stored prediction whose target date now has a close (bars ≤ D
 * only) becomes an outcome, carrying what was published with it (the LSTM's forecast, the
 * shrinkage, the intervals) and whether each interval covered. Resolved before the day's forecast,
 * because a label known on D (the close of D itself) belongs to the ledger the policy reads on D.
 */
import type { ModelContext } from '../context.js';
import { latestOnOrBefore } from '../ports/warehouse/port.js';
import type { NewRow } from '../ports/warehouse/schema.js';
import type { Bar } from '../types.js';
import { resolveOutcomes, type Outcome, type StoredPrediction } from './ledger.js';
import { covers } from './scorecard.js';

const toStored = (p: NewRow<'predictions'>): StoredPrediction => ({
  ticker: p.ticker,
  asOfDate: p.as_of_date,
  horizon: p.horizon,
  targetDate: p.target_date,
  predictedClose: p.predicted_close,
  baseClose: p.base_close,
  modelVersion: p.model_version,
});

/**
 * A prediction on the current adjustment basis: after a split or dividend revision the stored
 * closes are re-scaled by the as-of bar's new/old ratio, so predicted and actual share one basis.
 */
const rebase =
  (bars: Bar[]) =>
  (p: NewRow<'predictions'>): StoredPrediction => {
    const now = bars.find((b) => b.date === p.as_of_date)?.close;
    const f = now === undefined || now === p.base_close ? 1 : now / p.base_close;
    return { ...toStored(p), baseClose: p.base_close * f, predictedClose: p.predicted_close * f };
  };

/** The served columns a prediction carries into its outcome, on the outcome's adjustment basis. */
const SCALED = [
  'lstm_close',
  'drift_close',
  'lower_80',
  'upper_80',
  'lower_95',
  'upper_95',
] as const;

function servedColumns(
  p: NewRow<'predictions'> | undefined,
  o: Outcome,
): Partial<NewRow<'outcomes'>> {
  if (!p) return {};
  const f = p.base_close ? o.baseClose / p.base_close : 1;
  const scaled = Object.fromEntries(
    SCALED.map((c) => {
      const v = p[c];
      return [c, v === null || v === undefined ? null : v * f];
    }),
  ) as Record<(typeof SCALED)[number], number | null>;
  return {
    ...scaled,
    ensemble_size: p.ensemble_size ?? null,
    shrinkage: p.shrinkage ?? null,
    serving_policy: p.serving_policy ?? null,
    volatility: p.volatility ?? null,
    covered_80: covers({ lower: scaled.lower_80, upper: scaled.upper_80 }, o.actualClose),
    covered_95: covers({ lower: scaled.lower_95, upper: scaled.upper_95 }, o.actualClose),
  };
}

const toRow = (o: Outcome): NewRow<'outcomes'> => ({
  ticker: o.ticker,
  as_of_date: o.asOfDate,
  horizon: o.horizon,
  target_date: o.targetDate,
  base_close: o.baseClose,
  predicted_close: o.predictedClose,
  actual_close: o.actualClose,
  abs_error: o.absError,
  pct_error: o.pctError,
  naive_abs_error: Math.abs(o.actualClose - o.baseClose),
  direction_correct: o.directionCorrect,
  model_version: o.modelVersion,
});

/** The outcomes D newly resolves (not yet written: the record stage writes the day together). */
export async function resolveDue(ctx: ModelContext, bars: Bar[]): Promise<NewRow<'outcomes'>[]> {
  const { cat, ticker, asOf } = ctx;
  const { warehouse } = cat;
  // From the latest target already resolved on or before D onwards: a day reads only what it can
  // newly resolve (and a re-run of D re-resolves the same rows).
  const resolved = await latestOnOrBefore(warehouse, 'outcomes', {
    where: { ticker },
    column: 'target_date',
    date: asOf,
  });
  const due = await warehouse.select('predictions', {
    where: { ticker },
    between: { column: 'target_date', from: resolved?.target_date, to: asOf },
  });
  const byKey = new Map(due.map((p) => [`${p.as_of_date}|${p.horizon}`, p]));
  const outcomes = resolveOutcomes(due.map(rebase(bars)), { [ticker]: bars }).outcomes.map(
    (o): NewRow<'outcomes'> => ({
      ...toRow(o),
      ...servedColumns(byKey.get(`${o.asOfDate}|${o.horizon}`), o),
    }),
  );
  return outcomes;
}
