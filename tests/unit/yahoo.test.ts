import { describe, expect, it } from 'vitest';
import { adjustBars } from '../../pipelines/ingest/adjust.js';
import { UnknownTickerError } from '../../pipelines/ports/market-data/port.js';
import { createYahooSource } from '../../pipelines/ports/market-data/yahoo.js';
import { fixtureBody, replayFetch, type Reply } from '../support/yahoo-replay.js';

const TSLA = 'historical-via-chart-dividends-TSLA-no-dividends.json';
const NVDA = 'historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.csv.json';
const MSFT = 'historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.csv.json';

function source(replies: Reply[], retries = 3) {
  const fetch = replayFetch(replies);
  const attempts: number[] = [];
  const src = createYahooSource({
    timeoutMs: 2000,
    retries,
    fetch,
    minRetryDelayMs: 1,
    log: (_m, f) => attempts.push(Number(f.attempt)),
  });
  return { src, fetch, attempts };
}

describe('Yahoo chart() source, replaying recorded responses', () => {
  it('reads a long real history (TSLA, 3303 bars) into session dates', async () => {
    const { src, fetch } = source([{ status: 200, body: fixtureBody(TSLA) }]);
    const bars = await src.fetch('TSLA', { from: '2010-06-29', to: '2023-08-11' });
    expect(bars).toHaveLength(3303);
    expect(bars[0]?.date).toBe('2010-06-29');
    expect(bars.at(-1)?.date).toBe('2023-08-11');
    expect(fetch.urls[0]).toContain('/v8/finance/chart/TSLA');
    expect(fetch.urls[0]).toContain('interval=1d');
  });

  it('retries 429 and 500 replies with backoff, then succeeds', async () => {
    const { src, fetch, attempts } = source([
      { status: 429, body: { chart: { result: null, error: null } } },
      { status: 500, body: { chart: { result: null, error: null } } },
      'network-error',
      { status: 200, body: fixtureBody(MSFT) },
    ]);
    const bars = await src.fetch('MSFT', { from: '2021-02-01', to: '2022-01-31' });
    expect(bars).toHaveLength(252);
    expect(fetch.urls).toHaveLength(4);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('gives up after the configured retries with the last error', async () => {
    const { src, fetch } = source(
      [{ status: 503, body: { chart: { result: null, error: null } } }],
      2,
    );
    await expect(src.fetch('MSFT', {})).rejects.toThrow();
    expect(fetch.urls).toHaveLength(3);
  });

  it('names an unknown ticker clearly and does not retry it', async () => {
    const { src, fetch } = source([
      {
        status: 404,
        body: {
          chart: {
            result: null,
            error: { code: 'Not Found', description: 'No data found, symbol may be delisted' },
          },
        },
      },
    ]);
    const err = await src.fetch('NOPE', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownTickerError);
    expect((err as Error).message).toMatch(/^NOPE: unknown ticker for source yahoo/);
    expect(fetch.urls).toHaveLength(1);
  });

  it('the NVDA 4:1 split (2021-07-20) is not a price jump after adjustment', async () => {
    const { src } = source([{ status: 200, body: fixtureBody(NVDA) }]);
    const bars = adjustBars(await src.fetch('NVDA', { from: '2021-02-01', to: '2022-01-31' }));
    const jumps = bars
      .slice(1)
      .map((b, i) => Math.abs(Math.log(b.close / (bars[i]?.close ?? b.close))));
    expect(bars.some((b) => b.date === '2021-07-20')).toBe(true);
    expect(Math.max(...jumps)).toBeLessThan(Math.log(1.15));
  });

  it('MSFT dividends: adjusted closes are below raw closes before the ex-dates and equal at the end', async () => {
    const { src } = source([{ status: 200, body: fixtureBody(MSFT) }]);
    const raw = await src.fetch('MSFT', { from: '2021-02-01', to: '2022-01-31' });
    const adj = adjustBars(raw);
    expect(adj[0]!.close).toBeLessThan(raw[0]!.close);
    expect(adj.at(-1)!.close).toBeCloseTo(raw.at(-1)!.adjClose!, 6);
    // Each bar is scaled by its own factor, so the bar's shape (high ≥ close ≥ low) is kept.
    expect(adj.every((b) => b.high >= b.close && b.low <= b.close)).toBe(true);
  });

  it('drops bars after the requested last date (period2 is the next day)', async () => {
    const { src, fetch } = source([{ status: 200, body: fixtureBody(MSFT) }]);
    const bars = await src.fetch('MSFT', { from: '2021-02-01', to: '2021-06-30' });
    expect(bars.at(-1)?.date).toBe('2021-06-30');
    expect(new URL(fetch.urls[0]!).searchParams.get('period2')).toBe(
      String(Date.UTC(2021, 6, 1) / 1000),
    );
  });
});
