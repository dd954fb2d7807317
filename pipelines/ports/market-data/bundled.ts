import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readCsvResponse } from './csv-folder.js';
import { barsOf, UnknownTickerError, type MarketDataSource } from './port.js';

/** The ticker name under which the bundled S&P 500 index series is served. */
export const BUNDLED_TICKER = 'SP500';

/**
 * Real data with no network: the S&P 500 index, daily OHLCV 2000-01-03 … 2020-04-17, from the npm
 * package `vega-datasets` (resolved from node_modules, never copied into this repo).
 */
export function createBundledSource(): MarketDataSource {
  // The package exports only its JS entry (build/index.js); the data folder sits beside build/.
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  const path = join(dirname(entry), '..', 'data', 'sp500-2000.csv');
  const fetchResponse: MarketDataSource['fetchResponse'] = async (ticker, range) => {
    if (ticker !== BUNDLED_TICKER) {
      throw new UnknownTickerError(
        ticker,
        'bundled',
        `the bundled source serves only ${BUNDLED_TICKER}`,
      );
    }
    return readCsvResponse(path, range);
  };
  return {
    kind: 'bundled',
    tickers: () => Promise.resolve([BUNDLED_TICKER]),
    fetchResponse,
    fetch: barsOf(fetchResponse),
  };
}
