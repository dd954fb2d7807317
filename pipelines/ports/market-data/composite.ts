import { UnknownTickerError, type MarketDataSource } from './port.js';

/** Serves each ticker from the first source that knows it (e.g. a CSV folder, then the bundled series). */
export function createCompositeSource(sources: MarketDataSource[]): MarketDataSource {
  return {
    kind: sources.map((s) => s.kind).join('+'),
    async tickers() {
      const all = await Promise.all(sources.map((s) => s.tickers?.() ?? Promise.resolve([])));
      return [...new Set(all.flat())];
    },
    async fetch(ticker, range) {
      const misses: string[] = [];
      for (const s of sources) {
        try {
          return await s.fetch(ticker, range);
        } catch (e) {
          if (!(e instanceof UnknownTickerError)) throw e;
          misses.push(s.kind);
        }
      }
      throw new UnknownTickerError(ticker, misses.join(', '));
    },
  };
}
