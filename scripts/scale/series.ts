/**
 * Deterministic synthetic tickers for the scale test (no network): SYN0001… each a seeded
 * geometric random walk on the NYSE sessions, written as Yahoo-style CSVs the csv source reads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exchangeFor, tradingDaysBetween } from '../../pipelines/calendar/exchange.js';
import { createRng, deriveSeed } from '../../pipelines/stats/random.js';

export const syntheticTicker = (i: number): string => `SYN${String(i + 1).padStart(4, '0')}`;

/** One CSV per ticker in `dir`; the same arguments always give the same bytes. */
export async function writeSyntheticSeries(
  dir: string,
  count: number,
  from: string,
  to: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const sessions = tradingDaysBetween(from, to, exchangeFor('SYN'));
  const tickers = Array.from({ length: count }, (_, i) => syntheticTicker(i));
  await Promise.all(
    tickers.map(async (ticker, i) => {
      const rng = createRng(deriveSeed(18, ticker));
      let close = 20 + 180 * rng();
      const drift = 0.0003 * (rng() - 0.3);
      const vol = 0.01 + 0.02 * rng();
      const lines = sessions.map((date) => {
        // Box–Muller: one normal step per session.
        const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
        const open = close;
        close = Math.max(1, close * Math.exp(drift + vol * z));
        const high = Math.max(open, close) * (1 + 0.005 * rng());
        const low = Math.min(open, close) * (1 - 0.005 * rng());
        const volume = Math.round(1e6 * (1 + 4 * rng()) * (1 + i / count));
        const f = (v: number) => v.toFixed(4);
        return [date, f(open), f(high), f(low), f(close), f(close), volume].join(',');
      });
      await writeFile(
        join(dir, `${ticker}.csv`),
        ['Date,Open,High,Low,Close,Adj Close,Volume', ...lines].join('\n'),
      );
    }),
  );
  return tickers;
}
