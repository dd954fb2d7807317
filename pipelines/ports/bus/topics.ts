/** The daily path's topic names, all derived from config `bus.topicPrefix` (CLOUD-DESIGN.md). */
import type { Config } from '../../config.js';

export interface Topics {
  /** Cloud Scheduler → stockopsSchedule. */
  schedule: string;
  /** One message per ticker → stockopsIngest. */
  ingest: string;
  /** Ingest + features done → stockopsModel. */
  model: string;
  /** One ticker's result (ok or the failed stage with its reason). */
  done: string;
  /** Malformed messages, and what Pub/Sub gives up redelivering. */
  deadLetter: string;
}

export function topicsFor(bus: Config['bus']): Topics {
  const p = bus.topicPrefix;
  return {
    schedule: `${p}-schedule`,
    ingest: `${p}-ingest`,
    model: `${p}-model`,
    done: `${p}-done`,
    deadLetter: `${p}-dead-letter`,
  };
}

/** The attributes every ticker message carries, for filtering and tracing. */
export function tickerAttributes(m: {
  runId: string;
  ticker: string;
  date: string;
}): Record<string, string> {
  return { run_id: m.runId, ticker: m.ticker, date: m.date };
}
