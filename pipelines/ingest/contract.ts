/**
 * The data contract checked on every ingest. Rows that break it are quarantined with their reason
 * (kept and queryable, never trained on); problems of the whole series are reported as findings.
 */
import { DEFAULT_PLAUSIBILITY, type Plausibility } from '../config.js';
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
  /** Ranges and the day-over-day limit a value must respect to be believed (config `contract`). */
  plausibility?: Plausibility;
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

type Broken = { rule: string; reason: string } | undefined;

function rowRule(bar: RawBar, p: Plausibility): Broken {
  if (bar.unreadable) return { rule: bar.unreadable.rule, reason: bar.unreadable.reason };
  for (const f of [...PRICE_FIELDS, 'volume'] as const) {
    if (Number.isNaN(bar[f])) return { rule: 'not_null', reason: `${f} is missing or NaN` };
    if (!Number.isFinite(bar[f]))
      return { rule: 'finite', reason: `${f} is not finite (${bar[f]})` };
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
  for (const f of PRICE_FIELDS) {
    if (bar[f] < p.minPrice || bar[f] > p.maxPrice) {
      return {
        rule: 'price_range',
        reason: `${f} ${bar[f]} is outside the plausible range [${p.minPrice}, ${p.maxPrice}]`,
      };
    }
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
  if (bar.volume > p.maxVolume) {
    return {
      rule: 'volume_range',
      reason: `volume ${bar.volume} > plausible maximum ${p.maxVolume}`,
    };
  }
  return undefined;
}

/** The close as the adjusted series sees it: a split or dividend is not a day-over-day move. */
const adjusted = (b: RawBar): number => b.adjClose ?? b.close;

function changeRule(prev: RawBar | undefined, bar: RawBar, p: Plausibility): Broken {
  if (!prev) return undefined;
  const ratio = adjusted(bar) / adjusted(prev);
  if (ratio <= p.maxDailyFactor && ratio >= 1 / p.maxDailyFactor) return undefined;
  return {
    rule: 'daily_change',
    reason: `${bar.adjClose === undefined ? 'close' : 'adj close'} moved ×${ratio.toPrecision(4)} from ${prev.date} (${adjusted(prev)} → ${adjusted(bar)}); plausible within ×${p.maxDailyFactor} a session`,
  };
}

export function checkContract(
  ticker: string,
  bars: RawBar[],
  opts: ContractOptions,
): ContractResult {
  const p = opts.plausibility ?? DEFAULT_PLAUSIBILITY;
  const valid: RawBar[] = [];
  const quarantined: QuarantineEntry[] = [];
  let lastDate = '';
  for (const bar of bars) {
    if (bar.unreadable) {
      // Not placed in the series: an unreadable row neither moves the date order nor compares to neighbours.
      const { rule, reason, raw } = bar.unreadable;
      quarantined.push({ date: bar.date, rule, reason, raw });
      continue;
    }
    const raw = JSON.stringify(bar);
    if (bar.date <= lastDate) {
      const rule = bar.date === lastDate ? 'unique_date' : 'increasing_date';
      quarantined.push({ date: bar.date, rule, reason: `date ${bar.date} after ${lastDate}`, raw });
      continue;
    }
    lastDate = bar.date;
    const broken = rowRule(bar, p) ?? changeRule(valid.at(-1), bar, p);
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
