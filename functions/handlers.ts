/**
 * The Cloud Functions' bodies, as plain typed functions of (message, catalog), so the functions
 * framework and the tests call the same code. Each: validate → call the pipeline → publish next.
 * Transient errors are rethrown (Pub/Sub redelivers); permanent ones are recorded and acknowledged.
 * The model half is imported dynamically: the schedule and ingest functions never load TensorFlow.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Catalog } from '../pipelines/catalog.js';
import { runIngestHalf } from '../pipelines/daily/ingest-half.js';
import {
  commitStaged,
  markRedriven,
  recordRun,
  tickerReported,
  unreportedTickers,
  type FanInResult,
} from '../pipelines/daily/fan-in.js';
import type { TickerResult } from '../pipelines/daily/result.js';
import { isTransient } from '../pipelines/ports/errors.js';
import { tickerAttributes, topicsFor } from '../pipelines/ports/bus/topics.js';
import { StageFailed } from '../pipelines/record/runs.js';
import {
  BadEventError,
  decodePubSub,
  type ReportMessage,
  type ScheduleMessage,
  type TickerMessage,
} from './events.js';
import { RESULT_MESSAGE, resultLogFields } from './result-log.js';
import type { z } from 'zod';

const PUBLISH_SLICE = 500;

/** The session date in New York, where the watched exchanges close. */
export function todayInNewYork(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(now);
}

/**
 * Decodes and validates an event. A malformed one is logged once, published to the dead-letter
 * topic with the reason, and answered undefined (acknowledged): retrying it could never succeed.
 */
export async function decodeOrDeadLetter<T>(
  eventData: unknown,
  schema: z.ZodType<T>,
  fn: string,
  cat: Catalog,
): Promise<T | undefined> {
  try {
    return decodePubSub(eventData, schema, fn);
  } catch (e) {
    if (!(e instanceof BadEventError)) throw e;
    const message = (eventData as { message?: Record<string, unknown> } | null)?.message;
    cat.log.error('malformed message: sent to the dead-letter topic', { fn, reason: e.message });
    await cat.bus.publish(
      topicsFor(cat.config.bus).deadLetter,
      { function: fn, reason: e.message, message: message ?? null },
      { reason: e.message.slice(0, 1024), function: fn },
    );
    return undefined;
  }
}

/**
 * Scheduler → fan out: one message per ticker, so each ticker runs (and fails) on its own. The run
 * id comes from the Pub/Sub message id when there is one, so a redelivered scheduler message
 * replays the same run (same ticker messages) instead of starting a second one.
 */
export async function onSchedule(
  msg: ScheduleMessage,
  cat: Catalog,
  messageId?: string,
): Promise<TickerMessage[]> {
  const date = msg.date ?? todayInNewYork();
  const suffix = messageId
    ? createHash('sha256').update(messageId).digest('hex').slice(0, 8)
    : randomUUID().slice(0, 8);
  const runId = `${date}-${suffix}`;
  const out = (msg.tickers ?? cat.config.watchlist).map((ticker) => ({ runId, date, ticker }));
  await recordRun(
    cat,
    runId,
    out.map((m) => m.ticker),
  );
  await publishTickers(out, cat);
  return out;
}

/** Concurrently, in slices: the client batches them, so 5,000 fit well inside the 60 s timeout. */
async function publishTickers(messages: TickerMessage[], cat: Catalog): Promise<void> {
  const { ingest } = topicsFor(cat.config.bus);
  for (let i = 0; i < messages.length; i += PUBLISH_SLICE) {
    await Promise.all(
      messages
        .slice(i, i + PUBLISH_SLICE)
        .map((m) => cat.bus.publish(ingest, m, tickerAttributes(m))),
    );
  }
}

/**
 * The fan-in: a ticker's done message may complete and commit the day. The follow-up flush
 * commits whatever is staged, and first re-drives (once per run) the tickers of stalled runs that
 * never reported, so a ticker dead-lettered by busy instances still completes its run.
 */
export async function onReport(
  msg: ReportMessage,
  cat: Catalog,
  now = new Date(),
): Promise<FanInResult & { redriven?: number }> {
  if (!('flush' in msg)) return tickerReported(cat, msg);
  let redriven = 0;
  for (const run of await unreportedTickers(cat, now)) {
    if (run.tickers.length > 0) {
      cat.log.warn('fan-in: re-driving tickers that never reported', {
        runId: run.runId,
        count: run.tickers.length,
        tickers: run.tickers.slice(0, 50),
      });
      await publishTickers(
        run.tickers.map((ticker) => ({ runId: run.runId, date: run.date, ticker })),
        cat,
      );
    }
    await markRedriven(cat, run, now);
    redriven += run.tickers.length;
  }
  return { reported: 0, committed: await commitStaged(cat), redriven };
}

/** A permanent failure goes to the done topic; a transient one is rethrown for redelivery. */
async function finishFailed(msg: TickerMessage, e: unknown, cat: Catalog): Promise<TickerResult> {
  if (isTransient(e)) throw e;
  const f = e instanceof StageFailed ? e : new StageFailed('record', e);
  const result: TickerResult = {
    ticker: msg.ticker,
    status: 'failed',
    failedStage: f.stage,
    error: f.message,
  };
  cat.log.error('ticker failed', { ...msg, stage: f.stage, error: f.message });
  await cat.bus.publish(
    topicsFor(cat.config.bus).done,
    { ...msg, ...result },
    {
      ...tickerAttributes(msg),
      status: 'failed',
    },
  );
  return result;
}

/** Ingest + features for one ticker, then hand over to the model function. */
export async function onIngest(msg: TickerMessage, cat: Catalog): Promise<TickerResult> {
  try {
    const half = await runIngestHalf({
      cat,
      ticker: msg.ticker,
      runDate: msg.date,
      runId: msg.runId,
    });
    await cat.bus.publish(topicsFor(cat.config.bus).model, msg, tickerAttributes(msg));
    return { ticker: msg.ticker, status: 'ok', asOf: half.asOf, ...half.summary };
  } catch (e) {
    return finishFailed(msg, e, cat);
  }
}

/** Model → forecast → drift → record for one ticker, on the bars and features stored as of D. */
export async function onModel(msg: TickerMessage, cat: Catalog): Promise<TickerResult> {
  const [{ runModelHalf }, { readModelInputs }] = await Promise.all([
    import('../pipelines/daily/model-half.js'),
    import('../pipelines/daily/read-back.js'),
  ]);
  try {
    const ctx = { cat, ticker: msg.ticker, runDate: msg.date, runId: msg.runId };
    const result = await runModelHalf(ctx, () => readModelInputs(cat, msg.ticker, msg.date));
    await cat.bus.publish(
      topicsFor(cat.config.bus).done,
      { ...msg, ...result },
      {
        ...tickerAttributes(msg),
        status: 'ok',
      },
    );
    cat.log.info(RESULT_MESSAGE, resultLogFields(msg, result));
    return result;
  } catch (e) {
    return finishFailed(msg, e, cat);
  }
}
