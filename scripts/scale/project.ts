/**
 * The scale test's counts extrapolated to 5,000 tickers, each held against the documented limit it
 * meets (docs/scale.md), for the staged design that ran and for the old one (9 table writes per
 * ticker-day, each a staging table, a load job and a MERGE: the README's measured write volume).
 */
import type { LimitRules, LimitStats, TableCounts } from '../emulators/bigquery-limits.js';

export interface ProjectedRule {
  rule: string;
  staged: number;
  old: number;
  limit: number;
  staged_within: boolean;
  old_within: boolean;
}

export interface Projection {
  tickers: number;
  per_table: Record<string, TableCounts>;
  rules: ProjectedRule[];
  /** The staged design within every rule at 5,000 tickers. */
  within_limits: boolean;
}

export const TARGET = 5000;
/** Concurrent model instances the old design would run at 5,000 tickers (functions.tf max). */
const OLD_CONCURRENT = 10;
const OLD_WRITES = 9;

export function projectLimits(
  tickers: number,
  run: LimitStats,
  rules: LimitRules,
  wallS: number,
): Projection {
  const scale = TARGET / Math.max(1, tickers);
  const perTable: Record<string, TableCounts> = {};
  for (const [t, c] of Object.entries(run.perTable)) {
    // Loads and MERGEs happen once per commit, whatever the ticker count; reads grow with it.
    perTable[t] = { ...c, other_jobs: Math.round(c.other_jobs * scale) };
  }
  const stagedLoads = Object.values(run.perTable).reduce((s, c) => s + c.load_jobs, 0);
  const stagedDmlPeak = Math.max(0, ...Object.values(run.perTable).map((c) => c.mutating_dml));
  // The old design starts a write's staging tables together: 3-6 per ticker at once, over 10
  // instances, each ticker-day's writes within its ~wallS/tickers seconds.
  const oldInsertsPerSecond = Math.round(
    OLD_CONCURRENT * (OLD_WRITES / Math.max(1, wallS / tickers)),
  );
  const list: ProjectedRule[] = [
    {
      rule: 'load jobs per project per day',
      staged: stagedLoads,
      old: OLD_WRITES * TARGET,
      limit: rules.loadJobsPerDay,
      staged_within: false,
      old_within: false,
    },
    {
      rule: 'mutating DML running at once per table (transactions conflicting beyond 1)',
      staged: stagedDmlPeak > 0 ? 1 : 0,
      old: OLD_CONCURRENT,
      limit: 1,
      staged_within: false,
      old_within: false,
    },
    {
      rule: 'mutating DML queued per table',
      staged: 0,
      old: Math.max(0, OLD_CONCURRENT * 2 - rules.mutatingDmlRunning),
      limit: rules.mutatingDmlQueued,
      staged_within: false,
      old_within: false,
    },
    {
      rule: 'tables.insert per second',
      staged: run.peakTablesInsertPerSecond,
      old: oldInsertsPerSecond,
      limit: rules.tablesInsertPerSecond,
      staged_within: false,
      old_within: false,
    },
  ].map((r) => ({ ...r, staged_within: r.staged <= r.limit, old_within: r.old <= r.limit }));
  return {
    tickers: TARGET,
    per_table: perTable,
    rules: list,
    within_limits: list.every((r) => r.staged_within) && Object.keys(run.refused).length === 0,
  };
}
