/** The market-data port's contract: one suite, run on every adapter. */
import { describe, expect, it } from 'vitest';
import {
  UnknownTickerError,
  type MarketDataSource,
} from '../../pipelines/ports/market-data/port.js';
import type { RawBar } from '../../pipelines/types.js';

export interface MarketDataCase {
  make: () => MarketDataSource;
  /** A ticker the source serves, and the first and last session it holds for it. */
  ticker: string;
  first: string;
  last: string;
  /** Two sessions inside the span, for the range checks. */
  from: string;
  to: string;
  /** Whether the source reports Yahoo's adjusted close. */
  adjClose: boolean;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

function expectWellFormed(bars: RawBar[], adjClose: boolean): void {
  for (const b of bars) {
    expect(b.date).toMatch(ISO);
    expect(Number.isNaN(Date.parse(`${b.date}T00:00:00Z`)), b.date).toBe(false);
    for (const f of FIELDS) expect(typeof b[f], `${b.date} ${f}`).toBe('number');
    if (adjClose) expect(typeof b.adjClose, `${b.date} adjClose`).toBe('number');
    else expect(b.adjClose === undefined || typeof b.adjClose === 'number').toBe(true);
  }
  const dates = bars.map((b) => b.date);
  // Strictly increasing: sorted, one bar per session.
  expect(dates.every((d, i) => i === 0 || d > (dates[i - 1] as string))).toBe(true);
}

export function marketDataContract(name: string, c: MarketDataCase): void {
  describe(`market data contract: ${name}`, () => {
    it('returns the whole series sorted by date, one bar per session, numeric fields', async () => {
      const bars = await c.make().fetch(c.ticker, {});
      expect(bars.length).toBeGreaterThan(10);
      expectWellFormed(bars, c.adjClose);
      expect(bars[0]?.date).toBe(c.first);
      expect(bars.at(-1)?.date).toBe(c.last);
      // Clean fixtures: every price is a positive finite number.
      expect(bars.every((b) => b.close > 0 && Number.isFinite(b.close))).toBe(true);
    });

    it('filters to an inclusive range, at each end and both', async () => {
      const src = c.make();
      const all = await src.fetch(c.ticker, {});
      const within = (from?: string, to?: string) =>
        all.filter((b) => (!from || b.date >= from) && (!to || b.date <= to));
      const both = await src.fetch(c.ticker, { from: c.from, to: c.to });
      expect(both[0]?.date).toBe(c.from);
      expect(both.at(-1)?.date).toBe(c.to);
      expect(both).toEqual(within(c.from, c.to));
      expect(await src.fetch(c.ticker, { from: c.from })).toEqual(within(c.from));
      expect(await src.fetch(c.ticker, { to: c.to })).toEqual(within(undefined, c.to));
      expect(await src.fetch(c.ticker, { from: c.to, to: c.to })).toEqual(within(c.to, c.to));
      expectWellFormed(both, c.adjClose);
    });

    it('a range outside the series is empty, not an error', async () => {
      const src = c.make();
      expect(await src.fetch(c.ticker, { from: '2099-01-01' })).toEqual([]);
      expect(await src.fetch(c.ticker, { to: '1971-01-01' })).toEqual([]);
    });

    it('fetchResponse gives the same bars and the response they came from', async () => {
      const src = c.make();
      const range = { from: c.from, to: c.to };
      const { bars, raw } = await src.fetchResponse(c.ticker, range);
      expect(bars).toEqual(await src.fetch(c.ticker, range));
      expect(['application/json', 'text/csv']).toContain(raw.mediaType);
      expect(raw.body.length).toBeGreaterThan(0);
      if (raw.mediaType === 'application/json')
        expect(() => JSON.parse(raw.body) as unknown).not.toThrow();
      else expect(raw.body.trim().split('\n').length).toBe(bars.length + 1);
    });

    it('throws UnknownTickerError naming an unknown ticker', async () => {
      const err = await c
        .make()
        .fetch('NOSUCH', {})
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnknownTickerError);
      expect((err as UnknownTickerError).ticker).toBe('NOSUCH');
      expect((err as Error).message).toMatch(/^NOSUCH: unknown ticker/);
      await expect(c.make().fetchResponse('NOSUCH', {})).rejects.toBeInstanceOf(UnknownTickerError);
    });
  });
}
