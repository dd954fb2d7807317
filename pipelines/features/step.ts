/** Features step: computes indicators over the stored history; returns the rows to write (long form). */
import type { Catalog } from '../catalog.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import type { Bar, FeatureRow } from '../types.js';
import { computeIndicators } from './indicators.js';

export async function featuresStep(
  cat: Catalog,
  ticker: string,
  bars: Bar[],
  rewriteAll: boolean,
): Promise<{ rows: FeatureRow[]; fresh: RowOf<'features'>[] }> {
  const rows = computeIndicators(bars, cat.config.indicators);
  const [last] = rewriteAll
    ? []
    : await cat.warehouse.select('features', {
        where: { ticker },
        // On or before D: a backfill of earlier days must not see later rows as "already stored".
        between: { column: 'date', to: bars.at(-1)?.date },
        orderBy: 'date',
        desc: true,
        limit: 1,
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
