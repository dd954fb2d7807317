/**
 * Point-in-time backfill: replays the daily run for each trading day in a range, in date order, each
 * day seeing only bars up to that day (ingest reads ≤ D, models trained later are never served).
 */
import type { Catalog } from './catalog.js';
import { runDaily, type RunSummary, type TickerResult } from './daily.js';
import { eachDate } from './calendar/dates.js';
import { exchangeFor, isCalendarDate, isTradingDay } from './calendar/exchange.js';
import { sharedRunId } from './shard.js';

export interface BackfillRequest {
  from: string;
  to: string;
  tickers?: string[];
  /** Names the execution: every shard of it then gives a day the same run id (shard.ts). */
  runKey?: string;
}

export async function backfill(
  cat: Catalog,
  req: BackfillRequest,
  /** Awaited before the next day starts, so it sees the warehouse exactly as that day left it. */
  onDay?: (s: RunSummary) => void | Promise<void>,
  onTicker?: (r: TickerResult, done: number, total: number) => void,
  /** The run dates about to be replayed, in order, before the first starts (a progress display). */
  onPlan?: (dates: string[]) => void,
): Promise<RunSummary[]> {
  for (const d of [req.from, req.to]) {
    if (!isCalendarDate(d)) throw new RangeError(`backfill: invalid date "${d}"`);
  }
  if (req.from > req.to)
    throw new RangeError(`backfill: --from ${req.from} is after --to ${req.to}`);
  const tickers = req.tickers ?? cat.config.watchlist;
  const out: RunSummary[] = [];
  const opens = (date: string): boolean => tickers.some((t) => isTradingDay(date, exchangeFor(t)));
  onPlan?.([...eachDate(req.from, req.to)].filter(opens));
  for (const date of eachDate(req.from, req.to)) {
    const open = tickers.filter((t) => isTradingDay(date, exchangeFor(t)));
    if (!open.length) continue;
    const runId = req.runKey === undefined ? undefined : sharedRunId(date, req.runKey);
    const s = await runDaily(cat, { date, tickers: open, runId }, onTicker);
    out.push(s);
    await onDay?.(s);
  }
  return out;
}
