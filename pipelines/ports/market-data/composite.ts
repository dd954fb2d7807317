import { barsOf, UnknownTickerError, type MarketDataSource } from './port.js';

/** Serves each ticker from the first source that knows it (e.g. a CSV folder, then the bundled series). */
export function createCompositeSource(sources: MarketDataSource[]): MarketDataSource {
  const fetchResponse: MarketDataSource['fetchResponse'] = async (ticker, range) => {
    const misses: string[] = [];
    for (const s of sources) {
      try {
        return await s.fetchResponse(ticker, range);
      } catch (e) {
        if (!(e instanceof UnknownTickerError)) throw e;
        misses.push(s.kind);
      }
    }
    throw new UnknownTickerError(ticker, misses.join(', '));
  };
  return {
    kind: sources.map((s) => s.kind).join('+'),
    fetchResponse,
    fetch: barsOf(fetchResponse),
    async tickers() {
      const all = await Promise.all(sources.map((s) => s.tickers?.() ?? Promise.resolve([])));
      return [...new Set(all.flat())];
    },
  };
}
