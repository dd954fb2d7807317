/** The warehouse port's contract: one suite, run on every adapter. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Warehouse } from '../../pipelines/ports/warehouse/port.js';
import type { RowOf } from '../../pipelines/ports/warehouse/schema.js';

const bar = (date: string, close: number): RowOf<'daily_bars'> => ({
  ticker: 'AAA',
  date,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  adj_close: close / 2,
  volume: 1e9,
  source: 'test',
  ingested_at: '2026-01-02T03:04:05.678Z',
});

export function warehouseContract(name: string, make: () => Promise<Warehouse>): void {
  describe(`warehouse contract: ${name}`, () => {
    let w: Warehouse;
    beforeAll(async () => {
      w = await make();
      await w.init();
      await w.init(); // idempotent
    });
    afterAll(() => w.close());

    it('round-trips every column type', async () => {
      await w.upsert('daily_bars', [bar('2020-01-02', 10.25)]);
      await w.upsert('outcomes', [
        {
          ticker: 'AAA',
          as_of_date: '2020-01-02',
          horizon: 10,
          target_date: '2020-01-16',
          base_close: 10,
          predicted_close: 11,
          actual_close: 12,
          abs_error: 1,
          pct_error: 1 / 12,
          naive_abs_error: 2,
          direction_correct: true,
          model_version: 'v1',
        },
      ]);
      expect(await w.select('daily_bars', { where: { ticker: 'AAA' } })).toEqual([
        bar('2020-01-02', 10.25),
      ]);
      const [o] = await w.select('outcomes', {});
      expect(o).toMatchObject({
        horizon: 10,
        direction_correct: true,
        pct_error: 1 / 12,
        target_date: '2020-01-16',
      });
      expect(typeof o?.horizon).toBe('number');
    });

    it('upserts on the natural key: re-writing the same day leaves the same rows', async () => {
      const rows = [bar('2020-01-03', 11), bar('2020-01-06', 12)];
      await w.upsert('daily_bars', rows);
      const once = await w.select('daily_bars', { where: { ticker: 'AAA' } });
      await w.upsert('daily_bars', rows);
      expect(await w.select('daily_bars', { where: { ticker: 'AAA' } })).toEqual(once);
      await w.upsert('daily_bars', [bar('2020-01-06', 13)]);
      const after = await w.select('daily_bars', { where: { ticker: 'AAA' } });
      expect(after).toHaveLength(3);
      expect(after.at(-1)?.close).toBe(13);
    });

    it('keeps the last row when a batch repeats a key', async () => {
      await w.upsert('daily_bars', [bar('2020-02-03', 1), bar('2020-02-03', 2)]);
      const rows = await w.select('daily_bars', { where: { ticker: 'AAA', date: '2020-02-03' } });
      expect(rows.map((r) => r.close)).toEqual([2]);
    });

    it('filters by equality and date range, orders and limits', async () => {
      const got = await w.select('daily_bars', {
        where: { ticker: 'AAA' },
        between: { column: 'date', from: '2020-01-03', to: '2020-01-06' },
        orderBy: 'date',
        desc: true,
        limit: 1,
      });
      expect(got.map((r) => r.date)).toEqual(['2020-01-06']);
    });

    it('rejects a bad row before writing anything (all or nothing)', async () => {
      const before = await w.select('daily_bars', {});
      const bad = { ...bar('2020-03-02', 5), close: Number.NaN };
      await expect(w.upsert('daily_bars', [bar('2020-03-01', 5), bad])).rejects.toThrow(
        /daily_bars\.close must be FLOAT64/,
      );
      expect(await w.select('daily_bars', {})).toEqual(before);
    });

    it('writes a multi-table batch as one unit, and the same batch again changes nothing', async () => {
      const feature = (date: string, value: number): RowOf<'features'> => ({
        ticker: 'BAT',
        date,
        feature: 'sma_20',
        value,
      });
      const batch = {
        daily_bars: [{ ...bar('2021-05-03', 7), ticker: 'BAT' }],
        features: [feature('2021-05-03', 6.5), feature('2021-05-04', 6.6)],
      };
      expect(await w.upsertBatch(batch)).toEqual({ daily_bars: 1, features: 2 });
      const once = await w.select('features', { where: { ticker: 'BAT' } });
      await w.upsertBatch(batch);
      expect(await w.select('features', { where: { ticker: 'BAT' } })).toEqual(once);
      expect(await w.select('daily_bars', { where: { ticker: 'BAT' } })).toHaveLength(1);
    });

    it('stores nothing of a batch when any of its tables has a bad row', async () => {
      const before = {
        bars: await w.select('daily_bars', {}),
        features: await w.select('features', {}),
      };
      await expect(
        w.upsertBatch({
          daily_bars: [{ ...bar('2021-06-01', 8), ticker: 'BAD' }],
          features: [
            {
              ticker: 'BAD',
              date: '2021-06-01',
              feature: 'sma_20',
              value: Number.POSITIVE_INFINITY,
            },
          ],
        }),
      ).rejects.toThrow(/features\.value must be FLOAT64/);
      expect(await w.select('daily_bars', {})).toEqual(before.bars);
      expect(await w.select('features', {})).toEqual(before.features);
    });

    it('stores values holding quotes and SQL text verbatim, and filters on them', async () => {
      const nasty = `it's "quoted" \\ back; DROP TABLE daily_bars; -- @p0 ? $1`;
      const row = { ...bar('2020-05-01', 4), ticker: "Q'T", source: nasty };
      await w.upsert('daily_bars', [row]);
      expect(await w.select('daily_bars', { where: { source: nasty } })).toEqual([row]);
      expect(await w.select('daily_bars', { where: { ticker: "Q'T" } })).toEqual([row]);
      await w.delete('daily_bars', { ticker: "Q'T", source: nasty });
      expect(await w.select('daily_bars', { where: { ticker: "Q'T" } })).toEqual([]);
      expect((await w.select('daily_bars', {})).length).toBeGreaterThan(0);
    });

    it('refuses impossible dates and zone-less timestamps before writing any table', async () => {
      const before = await w.select('features', {});
      const ok = { ticker: 'CAL', date: '2021-02-26', feature: 'sma_20', value: 1 };
      await expect(
        w.upsertBatch({
          features: [ok],
          daily_bars: [{ ...bar('2021-02-30', 1), ticker: 'CAL' }],
        }),
      ).rejects.toThrow(/daily_bars\.date must be DATE, got "2021-02-30"/);
      await expect(
        w.upsert('daily_bars', [{ ...bar('2021-02-26', 1), ingested_at: '2021-02-26 10:00:00' }]),
      ).rejects.toThrow(/daily_bars\.ingested_at must be TIMESTAMP/);
      expect(await w.select('features', {})).toEqual(before);
      expect(await w.select('daily_bars', { where: { ticker: 'CAL' } })).toEqual([]);
    });

    it('stores nulls in nullable columns and refuses them in required ones', async () => {
      await w.upsert('daily_bars', [{ ...bar('2020-04-01', 3), adj_close: null }]);
      const [r] = await w.select('daily_bars', { where: { date: '2020-04-01' } });
      expect(r?.adj_close).toBeNull();
      await expect(
        w.upsert('daily_bars', [{ ...bar('2020-04-02', 3), source: null as unknown as string }]),
      ).rejects.toThrow(/daily_bars\.source is required/);
    });

    it('deletes only what the filter names and refuses an unfiltered delete', async () => {
      await w.delete('daily_bars', { date: '2020-04-01' });
      expect(await w.select('daily_bars', { where: { date: '2020-04-01' } })).toEqual([]);
      expect((await w.select('daily_bars', {})).length).toBeGreaterThan(0);
      await expect(w.delete('daily_bars', {})).rejects.toThrow(/refusing to delete every row/);
    });
  });
}
