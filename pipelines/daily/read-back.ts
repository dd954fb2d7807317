/**
 * The model function's inputs, read back from the warehouse as of D: the ingest function wrote
 * them, and only the ticker, run and date travel in the message.
 */
import type { Catalog } from '../catalog.js';
import { featureNames } from '../features/names.js';
import { readBars } from '../ingest/step.js';
import { PipelineError, type FeatureRow } from '../types.js';
import type { ModelInput } from './model-half.js';

export async function readModelInputs(
  cat: Catalog,
  ticker: string,
  runDate: string,
): Promise<ModelInput> {
  const bars = await readBars(cat, ticker, runDate);
  const asOf = bars.at(-1)?.date;
  if (!asOf)
    throw new PipelineError(`no stored bars on or before ${runDate}: run ingest first`, ticker);
  const names = featureNames(cat.config.indicators);
  const wanted = new Set(names);
  const stored = await cat.warehouse.select('features', {
    where: { ticker },
    between: { column: 'date', to: asOf },
    orderBy: 'date',
  });
  const byDate = new Map<string, Record<string, number>>();
  for (const r of stored) {
    // Features of another indicator config (kept from before a config change) are not inputs now.
    if (!wanted.has(r.feature)) continue;
    const values = byDate.get(r.date) ?? {};
    values[r.feature] = r.value;
    byDate.set(r.date, values);
  }
  const features: FeatureRow[] = [];
  for (const [date, values] of byDate) {
    const missing = names.filter((n) => !(n in values));
    // A date some feature lacks was written by another config: it cannot be an input row.
    if (missing.length === 0)
      features.push({ date, values: Object.fromEntries(names.map((n) => [n, values[n] ?? 0])) });
  }
  if (features.at(-1)?.date !== asOf) {
    throw new PipelineError(
      `features for ${asOf} are not stored (last complete row ${features.at(-1)?.date ?? 'none'}): run ingest first`,
      ticker,
    );
  }
  return { bars, features, asOf };
}
