/** Market data port: raw daily bars for one ticker, as the source reports them. */
import type { RawBar } from '../../types.js';

export interface FetchRange {
  /** First date wanted, inclusive; undefined = the source's earliest. */
  from?: string;
  /** Last date wanted, inclusive; undefined = the latest available. */
  to?: string;
}

/** What the source itself answered, verbatim: the raw archive keeps it beside the parsed bars. */
export interface RawResponse {
  /** `application/json` (Yahoo's chart API) or `text/csv` (a file's header and rows in the range). */
  mediaType: 'application/json' | 'text/csv';
  body: string;
}

export interface SourceResponse {
  bars: RawBar[];
  raw: RawResponse;
}

export interface MarketDataSource {
  readonly kind: string;
  /** Bars sorted by date. Throws UnknownTickerError when the source has no such ticker. */
  fetch(ticker: string, range: FetchRange): Promise<RawBar[]>;
  /** The same bars with the response they were parsed from (one request: the two always agree). */
  fetchResponse(ticker: string, range: FetchRange): Promise<SourceResponse>;
  /** Tickers this source can serve without being told (for folders and the bundled set). */
  tickers?(): Promise<string[]>;
}

export class UnknownTickerError extends Error {
  constructor(
    readonly ticker: string,
    source: string,
    detail?: string,
  ) {
    super(`${ticker}: unknown ticker for source ${source}${detail ? ` (${detail})` : ''}`);
    this.name = 'UnknownTickerError';
  }
}

export function inRange(date: string, { from, to }: FetchRange): boolean {
  return (!from || date >= from) && (!to || date <= to);
}

/** `fetch` for an adapter that implements `fetchResponse`. */
export function barsOf(
  fetchResponse: MarketDataSource['fetchResponse'],
): MarketDataSource['fetch'] {
  return async (ticker, range) => (await fetchResponse(ticker, range)).bars;
}
