/** Plain data shared by the pipeline stages. Dates are ISO `YYYY-MM-DD` strings (exchange-local session dates). */

/** One daily bar as the source reported it (before split/dividend adjustment). */
export interface RawBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Yahoo's split- and dividend-adjusted close; absent when the source has none. */
  adjClose?: number;
  volume: number;
  /** Set by a parser for a row it could not read: the contract quarantines it with this rule and reason. */
  unreadable?: { rule: string; reason: string; raw: string };
}

/** A bar whose OHLC has been adjusted consistently so splits and dividends are not price jumps. */
export interface Bar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A row that broke the data contract, kept with its reason and never trained on. */
export interface QuarantinedRow {
  ticker: string;
  date: string;
  reason: string;
  raw: string;
}

/** Feature columns for one date, after warm-up rows are dropped. */
export interface FeatureRow {
  date: string;
  values: Record<string, number>;
}

export type Stage = 'ingest' | 'features' | 'model' | 'forecast' | 'drift' | 'record';
export type RunStatus = 'ok' | 'failed' | 'skipped';

/** An error that names what was wrong; the batch records it against one ticker and goes on. */
export class PipelineError extends Error {
  constructor(
    message: string,
    readonly ticker?: string,
    readonly rule?: string,
  ) {
    super(ticker ? `${ticker}: ${message}` : message);
    this.name = 'PipelineError';
  }
}
