/**
 * A ticker-day's outputs are all or nothing (issue 14, item 3), and its write volume is a handful
 * of statements (issue 8): counted by a wrapper around the real DuckDB warehouse.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../pipelines/catalog.js';
import type { ConfigOverrides } from '../../pipelines/config.js';
import { runDaily } from '../../pipelines/daily.js';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import { tempCatalog } from '../support/catalog.js';
import { countingWarehouse, type WriteCount } from '../support/counting-warehouse.js';

const SMALL: ConfigOverrides = {
  watchlist: ['SP500'],
  source: { startDate: '2018-06-01' },
  model: { units: 16, epochs: 2, trainDays: 200 },
};
const D1 = '2020-03-31';
const D2 = '2020-04-01';

/** An object store whose reads of prediction references fail, as a broken disk or bucket would. */
function failingReferences(inner: ObjectStore): ObjectStore {
  return {
    ...inner,
    get: (key) =>
      key.endsWith('/prediction-reference.json')
        ? Promise.reject(new Error(`EIO: i/o error reading ${key}`))
        : inner.get(key),
  };
}

describe('one ticker-day: all or nothing, in a few writes', () => {
  let cat: Catalog;
  let dir: string;
  let counter: ReturnType<typeof countingWarehouse>;
  let store: ObjectStore;
  const counts: Record<string, WriteCount> = {};

  beforeAll(async () => {
    ({ cat, dir } = await tempCatalog(SMALL));
    counter = countingWarehouse(cat.warehouse);
    cat.warehouse = counter.warehouse;
    store = cat.store;
  });
  afterAll(() => cat.close());

  it('a ticker failing at drift leaves only the failure record: no prediction, decision, drift or outcome row', async () => {
    cat.store = failingReferences(store);
    counter.reset();
    const [r] = (await runDaily(cat, { date: D1, runId: 'broken' })).results;
    counts.failedAtDrift = { ...counter.count };
    expect(r).toMatchObject({ status: 'failed', failedStage: 'drift' });
    expect(r?.error).toMatch(/EIO: i\/o error reading models\/SP500\/.*prediction-reference\.json/);
    for (const t of ['predictions', 'model_decisions', 'drift_scores', 'outcomes'] as const) {
      expect(await cat.warehouse.select(t, {}), t).toEqual([]);
    }
    const runs = await cat.warehouse.select('pipeline_runs', { where: { run_id: 'broken' } });
    expect(runs.map((x) => `${x.stage}:${x.status}`).sort()).toEqual([
      'drift:failed',
      'features:ok',
      'forecast:ok',
      'ingest:ok',
      'model:ok',
    ]);
  });

  it('the retry writes the whole day, serving the model version the failed run saved and registered', async () => {
    cat.store = store;
    const saved = await readdir(join(dir, 'artifacts', 'models', 'SP500'));
    expect(saved).toHaveLength(1);
    counter.reset();
    const [r] = (await runDaily(cat, { date: D1, runId: 'retry' })).results;
    counts.retryDay = { ...counter.count };
    // The failed run's training was saved and registered (the registry is not the warehouse's
    // transaction): the retry loads that champion instead of training again.
    expect(r).toMatchObject({ status: 'ok', decision: 'load', modelVersion: saved[0] });
    expect(await readdir(join(dir, 'artifacts', 'models', 'SP500'))).toEqual(saved);
    expect((await cat.warehouse.select('predictions', {})).map((p) => p.run_id)).toEqual(
      cat.config.horizons.map(() => 'retry'),
    );
    expect(await cat.warehouse.select('model_decisions', {})).toHaveLength(1);
    expect((await cat.warehouse.select('drift_scores', {})).length).toBeGreaterThan(1);
  });

  it('writes per ticker-day: 5 statements (started, bars + quarantine, features, started, the day)', async () => {
    counter.reset();
    const [r] = (await runDaily(cat, { date: D2, runId: 'load' })).results;
    counts.loadDay = { ...counter.count };
    expect(r).toMatchObject({ status: 'ok', decision: 'load' });
    for (const day of [counts.retryDay, counts.loadDay]) {
      expect(day?.calls).toBe(5);
      expect(day?.perTable).toMatchObject({
        daily_bars: 1,
        features: 1,
        model_decisions: 1,
        predictions: 1,
        drift_scores: 1,
        pipeline_runs: 4,
      });
    }
    // The failed day: started, bars, features, started, then the failure record alone.
    expect(counts.failedAtDrift?.calls).toBe(5);
    console.log(`warehouse writes per ticker-day: ${JSON.stringify(counts)}`);
  });
});
