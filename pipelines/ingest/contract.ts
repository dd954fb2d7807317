/**
 * The data contract checked on every ingest. Rows that break it are quarantined with their reason
 * (kept and queryable, never trained on); problems of the whole series are reported as findings.
 */
import type { RawBar } from '../types.js';

export interface QuarantineEntry {
  date: string;
  rule: string;
  reason: string;
  raw: string;
}

export interface ContractOptions {
  /** The run's date: the last bar must be close to it. */
  asOf?: string;
  /** The exchange calendar: sessions strictly between two dates, and whether a date is a session. */
  calendar?: {
    sessionsBetween(from: string, to: string): string[];
    isSession(date: string): boolean;
  };
  /** How many expected sessions may pass after the last bar before the series is stale. */
  maxStaleSessions: number;
  /** Share of quarantined rows above which the whole ticker fails. */
  maxBadShare: number;
}

export interface ContractResult {
  valid: RawBar[];
  quarantined: QuarantineEntry[];
  /** Expected trading sessions with no bar (weekday gaps that are not holidays). */
  missingSessions: string[];
  /** Set when the ticker as a whole breaks the contract; the batch records it and goes on. */
  failure?: { rule: string; message: string };
}

// An incremental fetch of a few days is judged row by row only: one bad row in five is no verdict on the ticker.
const MIN_ROWS_FOR_SHARE = 20;
const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

function rowRule(bar: RawBar): { rule: string; reason: string } | undefined {
  for (const f of [...PRICE_FIELDS, 'volume'] as const) {
    if (!Number.isFinite(bar[f])) return { rule: 'not_null', reason: `${f} is missing or NaN` };
  }
  if (bar.adjClose !== undefined && !(Number.isFinite(bar.adjClose) && bar.adjClose > 0)) {
    return {
      rule: 'not_null',
      reason: `adj close is missing, NaN or not positive (${bar.adjClose})`,
    };
  }
  for (const f of PRICE_FIELDS) {
    if (bar[f] <= 0) return { rule: 'positive_price', reason: `${f} must be > 0, got ${bar[f]}` };
  }
  if (bar.high < Math.max(bar.open, bar.close)) {
    return {
      rule: 'high_bounds',
      reason: `high ${bar.high} < max(open ${bar.open}, close ${bar.close})`,
    };
  }
  if (bar.low > Math.min(bar.open, bar.close)) {
    return {
      rule: 'low_bounds',
      reason: `low ${bar.low} > min(open ${bar.open}, close ${bar.close})`,
    };
  }
  if (bar.volume < 0) return { rule: 'volume_non_negative', reason: `volume ${bar.volume} < 0` };
  return undefined;
}

export function checkContract(
  ticker: string,
  bars: RawBar[],
  opts: ContractOptions,
): ContractResult {
  const valid: RawBar[] = [];
  const quarantined: QuarantineEntry[] = [];
  let lastDate = '';
  for (const bar of bars) {
    const raw = JSON.stringify(bar);
    if (bar.date <= lastDate) {
      const rule = bar.date === lastDate ? 'unique_date' : 'increasing_date';
      quarantined.push({ date: bar.date, rule, reason: `date ${bar.date} after ${lastDate}`, raw });
      continue;
    }
    lastDate = bar.date;
    const broken = rowRule(bar);
    if (broken) quarantined.push({ date: bar.date, ...broken, raw });
    else valid.push(bar);
  }

  const missingSessions: string[] = [];
  const cal = opts.calendar;
  if (cal) {
    for (let i = 1; i < valid.length; i++) {
      const prev = valid[i - 1];
      const cur = valid[i];
      if (prev && cur) missingSessions.push(...cal.sessionsBetween(prev.date, cur.date));
    }
  }

  const result: ContractResult = { valid, quarantined, missingSessions };
  const total = bars.length;
  const last = valid.at(-1);
  if (total === 0 || !last) {
    result.failure = {
      rule: 'non_empty',
      message: `${ticker}: no valid bars (${total} rows received)`,
    };
  } else if (total >= MIN_ROWS_FOR_SHARE && quarantined.length / total > opts.maxBadShare) {
    result.failure = {
      rule: 'bad_share',
      message: `${ticker}: ${quarantined.length} of ${total} rows broke the contract (more than ${
        opts.maxBadShare * 100
      }%); first: ${quarantined[0]?.date} ${quarantined[0]?.reason}`,
    };
  } else if (opts.asOf && cal && opts.asOf > last.date) {
    // Sessions after the last bar up to and including the run date, which expects its own bar.
    const stale =
      cal.sessionsBetween(last.date, opts.asOf).length + (cal.isSession(opts.asOf) ? 1 : 0);
    if (stale > opts.maxStaleSessions) {
      result.failure = {
        rule: 'stale',
        message: `${ticker}: last bar is ${last.date}, ${stale} trading sessions before ${opts.asOf} (stale)`,
      };
    }
  }
  return result;
}
