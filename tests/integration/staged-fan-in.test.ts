/**
 * The staged write path on DuckDB and a folder: staged rows are read through the overlay and reach
 * the committed tables only by a commit; the fan-in commits once every ticker of a run reported.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../pipelines/catalog.js';
import { onReport } from '../../functions/handlers.js';
import {
  commitStaged,
  recordRun,
  REDRIVE_QUIET_MS,
  tickerReported,
} from '../../pipelines/daily/fan-in.js';
import { createMemoryBus } from '../../pipelines/ports/bus/memory.js';
import type { BusMessage } from '../../pipelines/ports/bus/port.js';
import { createLogger } from '../../pipelines/log.js';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import { latestOnOrBefore } from '../../pipelines/ports/warehouse/port.js';
import type { RowOf } from '../../pipelines/ports/warehouse/schema.js';
import {
  createStagedWarehouse,
  type StagedWarehouse,
} from '../../pipelines/ports/warehouse/staged.js';

const bar = (ticker: string, date: string, close: number): RowOf<'daily_bars'> => ({
  ticker,
  date,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  adj_close: close,
  volume: 100,
  source: 'test',
  ingested_at: '2024-01-02T03:04:05.000Z',
});

let w: StagedWarehouse;
let store: ObjectStore;
beforeEach(async () => {
  store = createLocalObjectStore({ dir: mkdtempSync(join(tmpdir(), 'stockops-staged-')) });
  w = createStagedWarehouse({
    committed: await createDuckDbWarehouse({ path: ':memory:' }),
    store,
  });
  await w.init();
});

describe('the staged warehouse', () => {
  it('keeps staged rows out of the committed tables until a commit, and commits once', async () => {
    await w.upsert('daily_bars', [bar('AAA', '2024-01-02', 1)]);
    await w.upsertBatch({ daily_bars: [bar('BBB', '2024-01-02', 2)] });
    expect(await w.committed.select('daily_bars', {})).toEqual([]);
    expect((await w.select('daily_bars', {})).map((r) => r.ticker)).toEqual(['AAA', 'BBB']);
    expect(await w.commit()).toEqual({ batches: 2, rows: { daily_bars: 2 }, deletes: 0 });
    expect(await w.committed.select('daily_bars', {})).toHaveLength(2);
    expect(await store.list('warehouse-staging/batches/')).toEqual([]);
    expect(await w.commit()).toEqual({ batches: 0, rows: {}, deletes: 0 });
  });

  it('answers "latest on or before" and limits exactly when staged rows replace committed ones', async () => {
    await w.upsert('daily_bars', [
      bar('AAA', '2024-01-02', 1),
      bar('AAA', '2024-01-03', 2),
      bar('AAA', '2024-01-04', 3),
    ]);
    await w.commit();
    // A staged revision of the 4th and a new 5th; a filter the revised row no longer matches.
    await w.upsert('daily_bars', [bar('AAA', '2024-01-04', 30), bar('AAA', '2024-01-05', 4)]);
    const latest = await latestOnOrBefore(w, 'daily_bars', {
      where: { ticker: 'AAA' },
      column: 'date',
      date: '2024-01-04',
    });
    expect(latest?.close).toBe(30);
    const top2 = await w.select('daily_bars', {
      where: { ticker: 'AAA' },
      orderBy: 'date',
      desc: true,
      limit: 2,
    });
    expect(top2.map((r) => [r.date, r.close])).toEqual([
      ['2024-01-05', 4],
      ['2024-01-04', 30],
    ]);
    expect(await w.select('daily_bars', { where: { ticker: 'AAA', close: 3 } })).toEqual([]);
  });

  it('stages deletes and applies them at the commit', async () => {
    await w.upsert('daily_bars', [bar('AAA', '2024-01-02', 1), bar('AAA', '2024-01-03', 2)]);
    await w.commit();
    await w.delete('daily_bars', { ticker: 'AAA', date: '2024-01-02' });
    expect((await w.select('daily_bars', {})).map((r) => r.date)).toEqual(['2024-01-03']);
    expect(await w.committed.select('daily_bars', {})).toHaveLength(2);
    expect((await w.commit()).deletes).toBe(1);
    expect((await w.committed.select('daily_bars', {})).map((r) => r.date)).toEqual(['2024-01-03']);
  });

  it('takes concurrent tickers without contention: one object per batch', async () => {
    const tickers = Array.from({ length: 50 }, (_, i) => `T${i}`);
    await Promise.all(tickers.map((t) => w.upsert('daily_bars', [bar(t, '2024-01-02', 1)])));
    expect((await w.commit()).rows).toEqual({ daily_bars: 50 });
  });
});

describe('the fan-in', () => {
  const bus = createMemoryBus();
  const cat = () =>
    ({
      warehouse: w,
      store,
      bus,
      config: { bus: { topicPrefix: 'fanin' } },
      log: createLogger({ json: true, write: () => undefined }),
    }) as unknown as Catalog;

  it('commits when the last ticker of the run reports, once; a late report waits for the flush', async () => {
    await recordRun(cat(), 'run-1', ['AAA', 'BBB']);
    await w.upsert('daily_bars', [bar('AAA', '2024-01-02', 1)]);
    expect(await tickerReported(cat(), { runId: 'run-1', ticker: 'AAA', status: 'ok' })).toEqual({
      reported: 1,
      expected: 2,
    });
    expect(await w.committed.select('daily_bars', {})).toEqual([]);
    await w.upsert('daily_bars', [bar('BBB', '2024-01-02', 2)]);
    const done = await tickerReported(cat(), { runId: 'run-1', ticker: 'BBB', status: 'failed' });
    expect(done.committed?.rows).toEqual({ daily_bars: 2 });
    // Redelivered: BBB runs again and reports again; its rows are read through the overlay.
    await w.upsert('daily_bars', [bar('BBB', '2024-01-02', 20)]);
    const again = await tickerReported(cat(), { runId: 'run-1', ticker: 'BBB', status: 'ok' });
    expect(again).toMatchObject({ reported: 2, expected: 2, deferred: true });
    expect((await w.select('daily_bars', { where: { ticker: 'BBB' } }))[0]?.close).toBe(20);
    expect((await commitStaged(cat()))?.rows).toEqual({ daily_bars: 1 });
    expect((await w.committed.select('daily_bars', { where: { ticker: 'BBB' } }))[0]?.close).toBe(
      20,
    );
  });

  it('re-drives, once, the tickers of a stalled run that never reported, and the run then commits', async () => {
    const published: BusMessage[] = [];
    const stop = await bus.subscribe('fanin-ingest', (m) => {
      published.push(m);
      return Promise.resolve();
    });
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const runId = `${today}-stalled1`;
    await recordRun(cat(), runId, ['AAA', 'BBB', 'CCC']);
    // An old run that never completed, and a committed one: neither is re-driven.
    await recordRun(cat(), '2020-01-02-ancient1', ['OLD']);
    await recordRun(cat(), `${today}-complete`, ['AAA']);
    await tickerReported(cat(), { runId: `${today}-complete`, ticker: 'AAA', status: 'ok' });
    await w.upsert('daily_bars', [bar('AAA', today, 1)]);
    await tickerReported(cat(), { runId, ticker: 'AAA', status: 'ok' });

    // Just reported: the run is busy, not stalled; the flush commits what is staged and no more.
    const busy = await onReport({ flush: true }, cat(), now);
    expect(busy.redriven).toBe(0);
    expect(published).toEqual([]);
    expect(busy.committed?.rows).toEqual({ daily_bars: 1 });

    const later = new Date(now.getTime() + REDRIVE_QUIET_MS + 60_000);
    const flushed = await onReport({ flush: true }, cat(), later);
    expect(flushed.redriven).toBe(2);
    expect(published.map((m) => m.data)).toEqual([
      { runId, date: today, ticker: 'BBB' },
      { runId, date: today, ticker: 'CCC' },
    ]);
    expect(published[0]?.attributes).toEqual({ run_id: runId, ticker: 'BBB', date: today });
    // A second flush (or the same one redelivered after its marker) re-drives nothing again.
    expect((await onReport({ flush: true }, cat(), later)).redriven).toBe(0);
    expect(published).toHaveLength(2);

    // The re-driven tickers run and report: the run completes and commits as any run does.
    await w.upsert('daily_bars', [bar('BBB', today, 2), bar('CCC', today, 3)]);
    await tickerReported(cat(), { runId, ticker: 'BBB', status: 'ok' });
    const done = await tickerReported(cat(), { runId, ticker: 'CCC', status: 'failed' });
    expect(done).toMatchObject({ reported: 3, expected: 3 });
    expect(done.committed?.rows).toEqual({ daily_bars: 2 });
    await stop();
  });
});
