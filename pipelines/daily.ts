/**
 * The daily batch, top-down: ingest → features → model → forecast → drift → record, per ticker.
 * Stages are functions of data; every IO goes through the catalog's ports. One ticker's failure is
 * recorded with its reason and never stops the others.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Catalog } from './catalog.js';
import { featuresStep } from './features/step.js';
import { ingestStep } from './ingest/step.js';
import { stage, StageFailed, type StageContext } from './record/runs.js';
import type { Stage } from './types.js';

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
}

export interface RunSummary {
  runId: string;
  date: string;
  results: TickerResult[];
}

export async function runTicker(ctx: StageContext): Promise<TickerResult> {
  const { cat, ticker, runDate, runId } = ctx;
  const ingested = await stage(
    ctx,
    'ingest',
    () => ingestStep(cat, ticker, runDate, runId),
    (r) => ({
      rows: r.written,
      message: [
        r.quarantined ? `${r.quarantined} rows quarantined` : '',
        r.missingSessions.length
          ? `${r.missingSessions.length} missing sessions (first ${r.missingSessions.slice(0, 3).join(', ')})`
          : '',
        r.revised ? 'adjustment revised: history re-fetched' : '',
      ]
        .filter(Boolean)
        .join('; ') || undefined,
    }),
  );
  const features = await stage(
    ctx,
    'features',
    () => featuresStep(cat, ticker, ingested.bars, ingested.revised),
    (r) => ({ rows: r.written }),
  );
  return {
    ticker,
    status: 'ok',
    bars: ingested.bars.length,
    lastBar: ingested.bars.at(-1)?.date,
    quarantined: ingested.quarantined,
    featureRows: features.rows.length,
  };
}

export async function runDaily(
  cat: Catalog,
  req: DailyRequest,
  onTicker?: (r: TickerResult, done: number, total: number) => void,
): Promise<RunSummary> {
  const runId = req.runId ?? `${req.date}-${randomUUID().slice(0, 8)}`;
  const tickers = req.tickers ?? cat.config.watchlist;
  const limit = pLimit(cat.config.concurrency);
  let done = 0;
  const log = cat.log.child({ runId, date: req.date });
  const results = await Promise.all(
    tickers.map((ticker) =>
      limit(async (): Promise<TickerResult> => {
        let result: TickerResult;
        try {
          result = await runTicker({ cat, ticker, runDate: req.date, runId });
        } catch (e) {
          const failed = e instanceof StageFailed ? e : new StageFailed('record', e);
          result = { ticker, status: 'failed', failedStage: failed.stage, error: failed.message };
          log.error('ticker failed', { ticker, stage: failed.stage, error: failed.message });
        }
        done += 1;
        onTicker?.(result, done, tickers.length);
        return result;
      }),
    ),
  );
  return { runId, date: req.date, results };
}
