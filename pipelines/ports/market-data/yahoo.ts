import pRetry, { AbortError } from 'p-retry';
import YahooFinance from 'yahoo-finance2';
import { dayAfter, isoDate } from '../../calendar/dates.js';
import type { RawBar } from '../../types.js';
import { barsOf, inRange, UnknownTickerError, type MarketDataSource } from './port.js';

export interface YahooSourceOptions {
  timeoutMs: number;
  retries: number;
  /** Replaces the network (tests replay recorded responses through it). */
  fetch?: typeof globalThis.fetch;
  /** Base delay of the exponential backoff. */
  minRetryDelayMs?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function retryable(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return status === 429 || status >= 500;
  const e = err as Error;
  // Network failures (fetch's TypeError), aborted/timed-out requests, JSON cut off mid-way.
  return (
    e.name === 'TypeError' ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    /parsable/.test(e.message)
  );
}

function sessionDate(date: Date, gmtoffsetSeconds: number): string {
  // Yahoo stamps daily bars at the session's open in UTC; the exchange-local date is the session date.
  return isoDate(new Date(date.getTime() + gmtoffsetSeconds * 1000));
}

/** Live Yahoo Finance through `yahoo-finance2`'s chart() (historical() was blocked by Yahoo). */
export function createYahooSource(opts: YahooSourceOptions): MarketDataSource {
  const yf = new YahooFinance({ versionCheck: false, suppressNotices: ['yahooSurvey'] });
  const baseFetch = opts.fetch ?? globalThis.fetch;
  const timedFetch: typeof globalThis.fetch = (input, init) =>
    baseFetch(input, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });

  const fetchResponse: MarketDataSource['fetchResponse'] = async (ticker, range) => {
    // The chart API's own JSON, kept for the raw archive: yahoo-finance2 returns it parsed only.
    let body: string | undefined;
    const capturingFetch: typeof globalThis.fetch = async (input, init) => {
      const res = await timedFetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (res.ok && url.includes('/finance/chart/')) body = await res.clone().text();
      return res;
    };
    const period1 = range.from ?? '1970-01-01';
    // period2 is exclusive in Yahoo's API: ask for the day after the last wanted date.
    const period2 = range.to ? dayAfter(range.to) : new Date();
    const result = await pRetry(
      async () => {
        try {
          return await yf.chart(
            ticker,
            { period1, period2, interval: '1d', events: 'div|split' },
            { fetch: capturingFetch },
          );
        } catch (err) {
          const msg = (err as Error).message;
          if (statusOf(err) === 404 || /No data found|delisted|not found/i.test(msg)) {
            throw new AbortError(new UnknownTickerError(ticker, 'yahoo', msg.slice(0, 200)));
          }
          if (!retryable(err)) throw new AbortError(err as Error);
          throw err;
        }
      },
      {
        retries: opts.retries,
        minTimeout: opts.minRetryDelayMs ?? 500,
        factor: 2,
        randomize: true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) =>
          opts.log?.('yahoo chart attempt failed', {
            ticker,
            attempt: attemptNumber,
            retriesLeft,
            status: statusOf(error),
            error: error.message.slice(0, 200),
          }),
      },
    );
    const offset = result.meta.gmtoffset;
    const bars: RawBar[] = [];
    for (const q of result.quotes) {
      const date = sessionDate(q.date, offset);
      // period1/period2 are instants; the session date decides, at both ends.
      if (!inRange(date, range)) continue;
      bars.push({
        date,
        open: q.open ?? Number.NaN,
        high: q.high ?? Number.NaN,
        low: q.low ?? Number.NaN,
        close: q.close ?? Number.NaN,
        ...(q.adjclose === undefined ? {} : { adjClose: q.adjclose ?? Number.NaN }),
        volume: q.volume ?? Number.NaN,
      });
    }
    if (body === undefined)
      throw new Error(`${ticker}: yahoo chart answered without a chart response body`);
    return { bars, raw: { mediaType: 'application/json', body } };
  };
  return { kind: 'yahoo', fetchResponse, fetch: barsOf(fetchResponse) };
}
