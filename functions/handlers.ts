/**
 * The Cloud Functions' bodies, as plain typed functions of (message, catalog) so the CLI, tests and
 * the functions framework all call the same code. Each: validate → call the pipeline → publish next.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../pipelines/catalog.js';
import { runTickerSafe, type TickerResult } from '../pipelines/daily.js';
import type { ScheduleMessage, TickerMessage } from './events.js';

export const TOPICS = {
  schedule: 'stockops-schedule',
  ticker: 'stockops-ticker',
  done: 'stockops-ticker-done',
} as const;

/** The session date in New York, where the watched exchanges close. */
export function todayInNewYork(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(now);
}

/** Scheduler → fan out: one message per ticker, so each ticker runs (and fails) on its own. */
export async function onSchedule(msg: ScheduleMessage, cat: Catalog): Promise<TickerMessage[]> {
  const date = msg.date ?? todayInNewYork();
  const runId = `${date}-${randomUUID().slice(0, 8)}`;
  const out = (msg.tickers ?? cat.config.watchlist).map((ticker) => ({ runId, date, ticker }));
  for (const m of out) await cat.bus.publish(TOPICS.ticker, m);
  return out;
}

/** One ticker's daily path; the result (ok or the failed stage with its reason) goes to the done topic. */
export async function onTicker(msg: TickerMessage, cat: Catalog): Promise<TickerResult> {
  const result = await runTickerSafe({
    cat,
    ticker: msg.ticker,
    runDate: msg.date,
    runId: msg.runId,
  });
  await cat.bus.publish(TOPICS.done, { ...msg, ...result });
  return result;
}
