/** What one ticker's daily path reports (CLI summary, done messages, tests). Types only. */
import type { Interrupted } from '../record/runs.js';
import type { Stage } from '../types.js';

export interface DailyRequest {
  /** The run date D: only bars up to and including D are used. */
  date: string;
  tickers?: string[];
  runId?: string;
}

export interface TickerResult {
  ticker: string;
  status: 'ok' | 'failed';
  failedStage?: Stage;
  error?: string;
  bars?: number;
  lastBar?: string;
  quarantined?: number;
  featureRows?: number;
  /** The as-of date D actually used: the last bar on or before the run date. */
  asOf?: string;
  decision?: 'train' | 'load';
  reason?: string;
  modelVersion?: string;
  promoted?: boolean;
  forecasts?: {
    horizon: number;
    targetDate: string;
    /** The served close. */
    predictedClose: number;
    baseClose: number;
    /** The LSTM ensemble's own close, and the policy that served. */
    lstmClose: number | null;
    servingPolicy: string | null;
    shrinkage: number | null;
    lower80: number | null;
    upper80: number | null;
    lower95: number | null;
    upper95: number | null;
  }[];
  /** MASE of the serving version on its own test split, per horizon (naive = 1). */
  testMase?: (number | null)[];
  /** Realised MASE in the ledger over the accuracy window, per horizon. */
  realisedMase?: { horizon: number; n: number; mase: number | null }[];
  driftShare?: number | null;
  datasetDrift?: boolean | null;
  backend?: string;
  /** Earlier runs of this ticker found started and never finished (killed): now marked interrupted. */
  interrupted?: Interrupted[];
}

export interface RunSummary {
  runId: string;
  date: string;
  results: TickerResult[];
}
