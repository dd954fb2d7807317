import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../pipelines/catalog.js';
import { runDaily } from '../../pipelines/daily.js';
import { computeIndicators } from '../../pipelines/features/indicators.js';
import { adjustBars } from '../../pipelines/ingest/adjust.js';
import { createBundledSource } from '../../pipelines/ports/market-data/bundled.js';
import { tempCatalog } from '../support/catalog.js';
import { fixtureOhlc } from '../support/paths.js';

const DATE = '2020-04-17';
const anyString: unknown = expect.any(String);

/** Everything the warehouse holds for the ingest and features stages, for before/after comparison. */
async function snapshot(cat: Catalog) {
  return {
    bars: await cat.warehouse.select('daily_bars', {}),
    features: await cat.warehouse.select('features', {}),
    quarantine: (await cat.warehouse.select('quarantine', {})).map(
      ({ run_id: _r, quarantined_at: _q, ...q }) => q,
    ),
  };
}

describe('ingest → features on the bundled S&P 500 series into DuckDB', () => {
  let cat: Catalog;
  beforeAll(async () => {
    ({ cat } = await tempCatalog({ watchlist: ['SP500'], source: { startDate: '2015-01-01' } }));
  });
  afterAll(() => cat.close());

  it('stores every bar from the start date to D and the indicators after warm-up', async () => {
    const summary = await runDaily(cat, { date: DATE, runId: 'r1' });
    expect(summary.results).toEqual([expect.objectContaining({ ticker: 'SP500', status: 'ok' })]);

    const raw = await createBundledSource().fetch('SP500', { from: '2015-01-01', to: DATE });
    const { bars, features } = await snapshot(cat);
    expect(bars).toHaveLength(raw.length);
    expect(bars[0]?.date).toBe('2015-01-02');
    expect(bars.at(-1)).toMatchObject({ date: DATE, close: 2874.560059, source: 'bundled' });

    // Features in the warehouse are exactly the pure node's output on the same bars.
    const expected = computeIndicators(adjustBars(raw), cat.config.indicators);
    const names = Object.keys(expected[0]?.values ?? {});
    expect(features).toHaveLength(expected.length * names.length);
    const last = features.filter((f) => f.date === DATE);
    expect(Object.fromEntries(last.map((f) => [f.feature, f.value]))).toEqual(
      expected.at(-1)?.values,
    );

    const runs = await cat.warehouse.select('pipeline_runs', { where: { run_id: 'r1' } });
    expect(runs.map((r) => [r.stage, r.status])).toEqual(
      expect.arrayContaining([
        ['ingest', 'ok'],
        ['features', 'ok'],
      ]),
    );
  });

  it('re-running the same day changes no row', async () => {
    const before = await snapshot(cat);
    await runDaily(cat, { date: DATE, runId: 'r2' });
    expect(await snapshot(cat)).toEqual({
      ...before,
      // ingested_at records when a bar was last written; everything else is identical.
      bars: before.bars.map((b) => ({ ...b, ingested_at: anyString })),
    });
  });

  it('the next day fetches incrementally (overlap only) and appends', async () => {
    const fetched: { from?: string; to?: string }[] = [];
    const bundled = createBundledSource();
    const spy = {
      ...bundled,
      fetchResponse: (t: string, r: { from?: string; to?: string }) => (
        fetched.push(r),
        bundled.fetchResponse(t, r)
      ),
    };
    const { cat: c2 } = await tempCatalog(
      { watchlist: ['SP500'], source: { startDate: '2019-01-01' } },
      { market: spy },
    );
    try {
      await runDaily(c2, { date: '2020-04-16' });
      await runDaily(c2, { date: DATE });
      expect(fetched).toEqual([
        { from: '2019-01-01', to: '2020-04-16', full: true },
        { from: '2020-04-11', to: DATE, full: false },
      ]);
      const bars = await c2.warehouse.select('daily_bars', {
        orderBy: 'date',
        desc: true,
        limit: 2,
      });
      expect(bars.map((b) => b.date)).toEqual([DATE, '2020-04-16']);
    } finally {
      await c2.close();
    }
  });
});

describe('the real CSVs in tests/fixtures/ohlc', () => {
  it('one bad ticker never stops the others; every failure is recorded with its reason', async () => {
    const { cat } = await tempCatalog({
      watchlist: ['SPY', 'NOPE', 'AAPL'],
      source: { kind: 'csv', csvDir: fixtureOhlc, startDate: '2016-01-01' },
    });
    try {
      const s = await runDaily(cat, { date: '2017-12-29', runId: 'csv' });
      const by = Object.fromEntries(s.results.map((r) => [r.ticker, r]));
      expect(by.SPY?.status).toBe('ok');
      expect(by.AAPL?.status).toBe('ok');
      expect(by.NOPE).toMatchObject({ status: 'failed', failedStage: 'ingest' });
      expect(by.NOPE?.error).toMatch(/NOPE: unknown ticker/);
      const failed = await cat.warehouse.select('pipeline_runs', {
        where: { run_id: 'csv', status: 'failed' },
      });
      expect(failed).toEqual([expect.objectContaining({ ticker: 'NOPE', stage: 'ingest' })]);
      expect(failed[0]?.message).toMatch(/unknown ticker/);
    } finally {
      await cat.close();
    }
  });

  it('a stale series fails with the rule named (INTC ends in 2004)', async () => {
    const { cat } = await tempCatalog({
      watchlist: ['INTC'],
      source: { kind: 'csv', csvDir: fixtureOhlc, startDate: '2003-01-01' },
    });
    try {
      const s = await runDaily(cat, { date: '2004-05-03' });
      expect(s.results[0]).toMatchObject({ status: 'failed', failedStage: 'ingest' });
      expect(s.results[0]?.error).toMatch(
        /INTC: last bar is 2004-04-08, \d+ trading sessions before 2004-05-03 \(stale\)/,
      );
    } finally {
      await cat.close();
    }
  });
});
