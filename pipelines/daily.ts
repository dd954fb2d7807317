/**
 * The daily batch, top-down: ingest → features (daily/ingest-half.ts), then model → forecast →
 * drift → record (daily/model-half.ts), per ticker. The CLI runs both halves in-process; in the
 * cloud each half is its own function, chained through Pub/Sub. One ticker's failure is recorded
 * with its reason and never stops the others.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Catalog } from './catalog.js';
import { effectiveConcurrency } from './config.js';
import { runIngestHalf } from './daily/ingest-half.js';
import { runModelHalf } from './daily/model-half.js';
import type { DailyRequest, RunSummary, TickerResult } from './daily/result.js';
import { isCalendarDate } from './calendar/exchange.js';
import { StageFailed, type StageContext } from './record/runs.js';

export type { DailyRequest, RunSummary, TickerResult } from './daily/result.js';

export async function runTicker(ctx: StageContext): Promise<TickerResult> {
  const ingested = await runIngestHalf(ctx);
  // In-process, the model half gets the inputs as computed (the model function reads them back).
  const result = await runModelHalf(ctx, ingested);
  return { ...result, ...ingested.summary };
}

/** A failure as a result (stage and reason), never a throw. */
export function failedResult(ticker: string, e: unknown): TickerResult {
  // Only code outside any stage (none today) can fail without naming its stage.
  const f = e instanceof StageFailed ? e : new StageFailed('record', e);
  return { ticker, status: 'failed', failedStage: f.stage, error: f.message };
}

/** One ticker's path whose failure is a result (stage and reason), never a throw. */
export async function runTickerSafe(ctx: StageContext): Promise<TickerResult> {
  try {
    return await runTicker(ctx);
  } catch (e) {
    return failedResult(ctx.ticker, e);
  }
}

export async function runDaily(
  cat: Catalog,
  req: DailyRequest,
  onTicker?: (r: TickerResult, done: number, total: number) => void,
): Promise<RunSummary> {
  // An impossible date would fail every ticker, and could not even be recorded in pipeline_runs.
  if (!isCalendarDate(req.date)) {
    throw new RangeError(`invalid run date "${req.date}": expected a real date as YYYY-MM-DD`);
  }
  const runId = req.runId ?? `${req.date}-${randomUUID().slice(0, 8)}`;
  const tickers = req.tickers ?? cat.config.watchlist;
  const limit = pLimit(effectiveConcurrency(cat.config));
  let done = 0;
  const log = cat.log.child({ runId, date: req.date });
  const results = await Promise.all(
    tickers.map((ticker) =>
      limit(async (): Promise<TickerResult> => {
        const result = await runTickerSafe({ cat, ticker, runDate: req.date, runId });
        if (result.status === 'failed') {
          log.error('ticker failed', { ticker, stage: result.failedStage, error: result.error });
        }
        done += 1;
        onTicker?.(result, done, tickers.length);
        return result;
      }),
    ),
  );
  // Staged writes (the Cloud Run backfill job runs with them): this process ran every ticker of
  // the day, so it is its own fan-in: one commit of the day's batches, before the next day reads.
  await cat.warehouse.commit?.();
  return { runId, date: req.date, results };
}
