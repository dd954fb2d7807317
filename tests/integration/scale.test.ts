/**
 * `make scale-test` at the size CI affords (3 tickers; `make scale-test TICKERS=200` for more): the
 * whole chain with staged writes, the fan-in and the BigQuery limits model on (scripts/scale/run.ts).
 */
import { describe, expect, it } from 'vitest';
import { runScaleTest, type ScaleReport } from '../../scripts/scale/run.js';

const TICKERS = 3;

describe('the fan-out load test', () => {
  let r: ScaleReport;
  it(`${TICKERS} synthetic tickers: all ok, none dead-lettered, one load + one MERGE per table`, async () => {
    r = await runScaleTest({ tickers: TICKERS });
    expect(r).toMatchObject({
      tickers: TICKERS,
      ok: TICKERS,
      failed: 0,
      dead_lettered: 0,
      staged_batches_left: 0,
    });
    expect(r.refused).toEqual({});
    for (const t of ['daily_bars', 'features', 'pipeline_runs', 'model_decisions', 'predictions'])
      expect(r.per_table[t], t).toMatchObject({ load_jobs: 1, mutating_dml: 1 });
    // The reads grow with the tickers; the writes do not.
    expect(r.per_table.daily_bars?.other_jobs).toBeGreaterThanOrEqual(TICKERS);
  }, 900_000);

  it('redelivering every message of the day changes no row; the redelivery commits once more', () => {
    expect(r.redelivery_changed_rows).toBe(0);
    expect(r.per_table_redelivery.daily_bars).toMatchObject({ load_jobs: 1, mutating_dml: 1 });
  });

  it('projects to 5,000 tickers within every modelled limit, where the old path is over one', () => {
    expect(r.projected.tickers).toBe(5000);
    expect(r.projected.within_limits).toBe(true);
    expect(r.projected.rules.some((x) => !x.old_within)).toBe(true);
    const at5000 = r.cost.days.filter((d) => d.tickers === 5000);
    expect(at5000).toHaveLength(2);
    const [old, staged] = at5000;
    expect(staged?.usd.bigquery_compute).toBeLessThan(old?.usd.bigquery_compute ?? 0);
  });
});
