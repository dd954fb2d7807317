/** Features step: computes indicators over the stored history; returns the rows to write (long form). */
import type { TickerContext } from '../context.js';
import { latestOnOrBefore } from '../ports/warehouse/port.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import type { Bar, FeatureRow } from '../types.js';
import { computeIndicators } from './indicators.js';

export interface FeaturesInputs {
  /** The adjusted bars up to the run date. */
  bars: Bar[];
  /** The adjustment was revised: every stored row is rewritten. */
  rewriteAll: boolean;
}

export async function featuresStep(
  ctx: TickerContext,
  { bars, rewriteAll }: FeaturesInputs,
): Promise<{ rows: FeatureRow[]; fresh: RowOf<'features'>[] }> {
  const { cat, ticker } = ctx;
  const rows = computeIndicators(bars, cat.config.indicators);
  const lastBar = bars.at(-1)?.date;
  // No bars, no rows: nothing to compare with what is stored.
  const last =
    rewriteAll || !lastBar
      ? undefined
      : // On or before D: a backfill of earlier days must not see later rows as "already stored".
        await latestOnOrBefore(cat.warehouse, 'features', {
          where: { ticker },
          column: 'date',
          date: lastBar,
        });
  // Indicators are causal, so stored rows stay right unless the adjustment was revised; the overlap
  // re-writes the last days the source may have corrected.
  const from = last
    ? rows[Math.max(0, rows.findIndex((r) => r.date >= last.date) - cat.config.source.overlapDays)]
        ?.date
    : undefined;
  const fresh = from ? rows.filter((r) => r.date >= from) : rows;
  // Written by the caller, with the stage records, in one write.
  return {
    rows,
    fresh: fresh.flatMap((r) =>
      Object.entries(r.values).map(([feature, value]) => ({
        ticker,
        date: r.date,
        feature,
        value,
      })),
    ),
  };
}
