import { describe, expect, it } from 'vitest';
import { DEFAULT_INDICATORS } from '../../pipelines/config.js';
import { computeIndicators } from '../../pipelines/features/indicators.js';
import { adjustBars } from '../../pipelines/ingest/adjust.js';
import { BAR_COLUMNS, buildSamples, buildWindow } from '../../pipelines/model/dataset.js';
import { createBundledSource } from '../../pipelines/ports/market-data/bundled.js';

describe('windows built in a batch and one at a time', () => {
  // The champion is scored on a holdout with batch-built windows; serving builds one window.
  // Both must be the same numbers, or the champion would be judged on inputs it never serves.
  it('are identical for every as-of date, from any starting row', async () => {
    const bars = adjustBars(await createBundledSource().fetch('SP500', { from: '2018-01-01' }));
    const features = computeIndicators(bars, DEFAULT_INDICATORS);
    const featureColumns = Object.keys(features[0]?.values ?? {});
    const lookback = 30;
    const from = 200;
    const ds = buildSamples(bars, features.slice(from - lookback + 1), {
      lookback,
      horizons: [10],
      featureColumns,
    });
    expect(ds.columns).toEqual([...BAR_COLUMNS, ...featureColumns]);
    expect(ds.samples[0]?.asOf).toBe(features[from]?.date);
    for (const sample of ds.samples.filter((_, i) => i % 25 === 0)) {
      const one = buildWindow(bars, features, sample.asOf, { lookback, featureColumns });
      expect(sample.x).toEqual(one.x);
      expect(sample.base).toBe(one.base);
    }
  });
});
