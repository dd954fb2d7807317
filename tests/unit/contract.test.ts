import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkContract, type ContractOptions } from '../../pipelines/ingest/contract.js';
import { contractOptionsFor } from '../../pipelines/ingest/step.js';
import { createCsvFolderSource } from '../../pipelines/ports/market-data/csv-folder.js';
import type { RawBar } from '../../pipelines/types.js';
import { fixtureOhlc } from '../support/paths.js';

const bar = (date: string, over: Partial<RawBar> = {}): RawBar => ({
  date,
  open: 10,
  high: 11,
  low: 9,
  close: 10.5,
  adjClose: 10.5,
  volume: 1000,
  ...over,
});
const loose: ContractOptions = { maxStaleSessions: 3, maxBadShare: 0.05 };

describe('data contract', () => {
  it.each([
    ['not_null', { close: Number.NaN }, 'close is missing or NaN'],
    ['positive_price', { low: 0, open: 0.5, close: 0.5 }, 'low must be > 0, got 0'],
    ['high_bounds', { high: 10.2 }, 'high 10.2 < max(open 10, close 10.5)'],
    ['low_bounds', { low: 10.1 }, 'low 10.1 > min(open 10, close 10.5)'],
    ['volume_non_negative', { volume: -1 }, 'volume -1 < 0'],
  ])('quarantines a row breaking %s with its reason', (rule, over, reason) => {
    const r = checkContract(
      'T',
      [bar('2020-01-02'), bar('2020-01-03', over), bar('2020-01-06')],
      loose,
    );
    expect(r.valid.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-06']);
    expect(r.quarantined).toEqual([expect.objectContaining({ date: '2020-01-03', rule, reason })]);
  });

  it('keeps the first of duplicated dates and quarantines dates going backwards', () => {
    const r = checkContract(
      'T',
      [
        bar('2020-01-02'),
        bar('2020-01-03'),
        bar('2020-01-03'),
        bar('2020-01-01'),
        bar('2020-01-06'),
      ],
      loose,
    );
    expect(r.valid.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-03', '2020-01-06']);
    expect(r.quarantined.map((q) => q.rule)).toEqual(['unique_date', 'increasing_date']);
  });

  it('detects missing trading days and a stale last bar from the exchange calendar', () => {
    // 2020-01-07 is missing; the run date is a week after the last bar.
    const bars = [bar('2020-01-02'), bar('2020-01-03'), bar('2020-01-06'), bar('2020-01-08')];
    const r = checkContract('T', bars, contractOptionsFor('T', '2020-01-15'));
    expect(r.missingSessions).toEqual(['2020-01-07']);
    expect(r.failure?.rule).toBe('stale');
    expect(r.failure?.message).toContain(
      'last bar is 2020-01-08, 5 trading sessions before 2020-01-15',
    );
    // A market holiday is not a gap: 2020-01-20 is Martin Luther King Jr. Day.
    const mlk = checkContract(
      'T',
      [bar('2020-01-17'), bar('2020-01-21')],
      contractOptionsFor('T', '2020-01-21'),
    );
    expect(mlk.missingSessions).toEqual([]);
    expect(mlk.failure).toBeUndefined();
  });

  it('fails a ticker whose rows are mostly bad, and an empty one, with a clear message', () => {
    const bad = Array.from({ length: 30 }, (_, i) =>
      bar(
        `2020-02-${String(i + 1).padStart(2, '0')}`.replace('2020-02-30', '2020-03-01'),
        i % 3 ? {} : { volume: -5 },
      ),
    );
    expect(checkContract('BAD', bad, loose).failure).toMatchObject({ rule: 'bad_share' });
    expect(checkContract('EMPTY', [], loose).failure).toEqual({
      rule: 'non_empty',
      message: 'EMPTY: no valid bars (0 rows received)',
    });
  });

  it('quarantines the two SPY rows whose high/low do not contain open/close (real data)', async () => {
    const spy = await createCsvFolderSource({ dir: fixtureOhlc }).fetch('SPY', {});
    const r = checkContract('SPY', spy, loose);
    expect(spy).toHaveLength(720);
    expect(r.quarantined).toHaveLength(2);
    expect(r.quarantined.every((q) => q.rule === 'high_bounds' || q.rule === 'low_bounds')).toBe(
      true,
    );
    expect(r.failure).toBeUndefined();
  });

  it.each([
    ['0x1F', '0x1F', 'numeric', /open "0x1F" is not a plain decimal number/],
    ['1e3', '1e3', 'numeric', /open "1e3" is not a plain decimal number/],
    ['Infinity', 'Infinity', 'numeric', /open "Infinity" is not a plain decimal/],
    ['12abc', '12abc', 'numeric', /open "12abc" is not a plain decimal/],
    ['1 and 400 zeros', `1${'0'.repeat(400)}`, 'finite', /open is not finite/],
    ['99999999', '99999999', 'price_range', /open 99999999 is outside the plausible range/],
  ])(
    'a CSV cell %s never reaches the stored bars (quarantined)',
    async (_label, cell, rule, reason) => {
      const dir = mkdtempSync(join(tmpdir(), 'stockops-cells-'));
      writeFileSync(
        join(dir, 'T.csv'),
        [
          'Date,Open,High,Low,Close,Adj Close,Volume',
          '2020-01-02,10,11,9,10.5,10.5,1000',
          `2020-01-03,${cell},11,9,10.5,10.5,1000`,
          '2020-01-06,10,11,9,10.5,10.5,1000',
        ].join('\n'),
      );
      const bars = await createCsvFolderSource({ dir }).fetch('T', {});
      const r = checkContract('T', bars, loose);
      expect(r.valid.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-06']);
      expect(r.quarantined).toEqual([
        expect.objectContaining({
          date: '2020-01-03',
          rule,
          reason: expect.stringMatching(reason) as string,
        }),
      ]);
    },
  );

  it('quarantines an implausible volume and a day-over-day jump, with the rule named', () => {
    const r = checkContract(
      'T',
      [
        bar('2020-01-02'),
        bar('2020-01-03', { volume: 1e15 }),
        // ×10 in one session on the adjusted close: a typo, not a market move.
        bar('2020-01-06', { open: 100, high: 110, low: 90, close: 105, adjClose: 105 }),
        bar('2020-01-07'),
      ],
      {
        ...loose,
        plausibility: { minPrice: 0.01, maxPrice: 1e6, maxVolume: 1e12, maxDailyFactor: 5 },
      },
    );
    expect(r.valid.map((b) => b.date)).toEqual(['2020-01-02', '2020-01-07']);
    expect(r.quarantined).toEqual([
      expect.objectContaining({
        rule: 'volume_range',
        reason: 'volume 1000000000000000 > plausible maximum 1000000000000',
      }),
      expect.objectContaining({
        rule: 'daily_change',
        reason: expect.stringMatching(
          /adj close moved ×10\.00 from 2020-01-02 .*within ×5/,
        ) as string,
      }),
    ]);
  });

  it('does not mistake a split for a jump: the adjusted close is compared', () => {
    const r = checkContract(
      'T',
      [
        bar('2020-01-02', { open: 400, high: 410, low: 390, close: 400, adjClose: 100 }),
        bar('2020-01-03', { open: 100, high: 103, low: 99, close: 101, adjClose: 101 }),
      ],
      loose,
    );
    expect(r.quarantined).toEqual([]);
  });
});
