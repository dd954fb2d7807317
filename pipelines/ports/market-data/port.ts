/** Market data port: raw daily bars for one ticker, as the source reports them. */
import type { RawBar } from '../../types.js';

export interface FetchRange {
  /** First date wanted, inclusive; undefined = the source's earliest. */
  from?: string;
  /** Last date wanted, inclusive; undefined = the latest available. */
  to?: string;
}

export interface MarketDataSource {
  readonly kind: string;
  /** Bars sorted by date. Throws UnknownTickerError when the source has no such ticker. */
  fetch(ticker: string, range: FetchRange): Promise<RawBar[]>;
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
