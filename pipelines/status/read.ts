/**
 * `stockops status`: what the warehouse says about one run date, per ticker. Which stages ended
 * how (pipeline_runs, latest attempt per stage of the ticker's latest run that day), why one
 * failed, the model version and serving policy the run served with (model_decisions,
 * policy_decisions), the drift verdict (the dataset row of drift_scores) and how long it took.
 * Reads through the warehouse port only, so it is the same on DuckDB and BigQuery.
 */
import type { Warehouse } from '../ports/warehouse/port.js';
import { DATASET_ROW, type RowOf } from '../ports/warehouse/schema.js';
import type { Stage } from '../types.js';
import { addDays, dayBefore } from '../calendar/dates.js';

/** How far back a ticker missing from the day is looked for: a month covers any market holiday. */
const ABSENT_WINDOW_DAYS = 31;

type RunRow = RowOf<'pipeline_runs'>;

/** ok: every stage that ran ended ok; failed: one failed; interrupted/running: one never ended. */
export type Outcome = 'ok' | 'failed' | 'interrupted' | 'running';

export interface TickerStatus {
  ticker: string;
  runId: string;
  outcome: Outcome;
  /** Each stage's latest status, in pipeline order. */
  stages: { stage: string; status: string }[];
  failedStage?: string;
  /** The failed (or interrupted) stage's message. */
  reason?: string;
  asOf?: string;
  /** train or load, and the model version that produced the served forecasts. */
  decision?: string;
  modelVersion?: string;
  promoted?: boolean;
  /** The served policy per horizon, e.g. `h10 shrunk`. */
  policy?: string;
  /** drift, no drift, or the check's status when it could not decide (e.g. too few rows). */
  drift?: string;
  durationMs: number;
}

export interface DayStatus {
  date: string;
  tickers: TickerStatus[];
  /** First stage start to last stage end over every ticker shown. */
  durationMs: number;
  /** Tickers with earlier runs but none on this date. */
  absent: { ticker: string; lastRunDate: string }[];
}

const ORDER: readonly Stage[] = ['ingest', 'features', 'model', 'forecast', 'drift', 'record'];

/** The latest run date in pipeline_runs, or undefined when nothing ran yet. */
export async function latestRunDate(w: Pick<Warehouse, 'select'>): Promise<string | undefined> {
  const [r] = await w.select('pipeline_runs', { orderBy: 'run_date', desc: true, limit: 1 });
  return r?.run_date;
}

const maxBy = <T>(rows: T[], key: (r: T) => string): T | undefined =>
  rows.reduce<T | undefined>((m, r) => (m === undefined || key(r) > key(m) ? r : m), undefined);

/** The ticker's latest run that day (by its first start), each stage at its latest attempt. */
export function latestStages(rows: RunRow[]): { runId: string; stages: RunRow[] } {
  const starts = new Map<string, string>();
  for (const r of rows) {
    const s = starts.get(r.run_id);
    if (s === undefined || r.started_at < s) starts.set(r.run_id, r.started_at);
  }
  const runId = maxBy([...starts], ([, s]) => s)?.[0] ?? '';
  const byStage = new Map<string, RunRow[]>();
  for (const r of rows.filter((x) => x.run_id === runId))
    byStage.set(r.stage, [...(byStage.get(r.stage) ?? []), r]);
  // A stage's row is rewritten from started to its end within one attempt; the latest attempt wins.
  const stages = [...byStage.values()].map((rs) =>
    maxBy(rs, (r) => `${r.started_at}|${r.attempt}`)!,
  );
  const rank = (s: string): number => (ORDER as readonly string[]).indexOf(s);
  stages.sort((a, b) => rank(a.stage) - rank(b.stage));
  return { runId, stages };
}

export function outcomeOf(
  stages: RunRow[],
): Pick<TickerStatus, 'outcome' | 'failedStage' | 'reason'> {
  const failed = stages.find((s) => s.status === 'failed');
  if (failed)
    return { outcome: 'failed', failedStage: failed.stage, reason: failed.message ?? undefined };
  const interrupted = stages.find((s) => s.status === 'interrupted');
  if (interrupted)
    return {
      outcome: 'interrupted',
      failedStage: interrupted.stage,
      reason: interrupted.message ?? undefined,
    };
  const started = stages.find((s) => s.status === 'started');
  if (started)
    return { outcome: 'running', failedStage: started.stage, reason: 'started, not finished' };
  return { outcome: 'ok' };
}

function span(rows: RunRow[]): { from: number; to: number } | undefined {
  if (!rows.length) return undefined;
  const from = Math.min(...rows.map((r) => Date.parse(r.started_at)));
  const to = Math.max(...rows.map((r) => Date.parse(r.finished_at)));
  return { from, to };
}

function driftVerdict(row: RowOf<'drift_scores'> | undefined): string | undefined {
  if (!row) return undefined;
  if (row.drifted === true) return `drift (${row.method} ${row.score?.toFixed(2) ?? '–'})`;
  if (row.drifted === false) return 'no drift';
  return row.status;
}

/** Every ticker's status on `date` (YYYY-MM-DD), from the tables only. */
export async function dayStatus(w: Pick<Warehouse, 'select'>, date: string): Promise<DayStatus> {
  const rows = await w.select('pipeline_runs', { where: { run_date: date } });
  const byTicker = new Map<string, RunRow[]>();
  for (const r of rows) byTicker.set(r.ticker, [...(byTicker.get(r.ticker) ?? []), r]);
  const latest = [...byTicker].map(([ticker, rs]) => ({ ticker, ...latestStages(rs) }));

  // One read per run id and table: a daily run has one id for all its tickers.
  const runIds = [...new Set(latest.map((l) => l.runId))];
  const decisions = (
    await Promise.all(runIds.map((run_id) => w.select('model_decisions', { where: { run_id } })))
  ).flat();
  const policies = (
    await Promise.all(runIds.map((run_id) => w.select('policy_decisions', { where: { run_id } })))
  ).flat();
  const asOfs = [...new Set(decisions.map((d) => d.as_of_date))];
  const drifts = (
    await Promise.all(
      asOfs.map((as_of_date) =>
        w.select('drift_scores', { where: { as_of_date, feature: DATASET_ROW } }),
      ),
    )
  ).flat();

  const tickers = latest
    .map(({ ticker, runId, stages }): TickerStatus => {
      const d = decisions.find((x) => x.ticker === ticker && x.run_id === runId);
      const served = policies
        .filter((p) => p.ticker === ticker && p.run_id === runId)
        .sort((a, b) => a.horizon - b.horizon);
      const drift = d && drifts.find((x) => x.ticker === ticker && x.as_of_date === d.as_of_date);
      const t = span(stages);
      return {
        ticker,
        runId,
        stages: stages.map((s) => ({ stage: s.stage, status: s.status })),
        ...outcomeOf(stages),
        ...(d
          ? {
              asOf: d.as_of_date,
              decision: d.decision,
              modelVersion: d.model_version ?? undefined,
              promoted: d.promoted,
            }
          : {}),
        ...(served.length
          ? {
              policy: served
                .map((p) => `h${p.horizon} ${p.served}${p.promoted ? ' (promoted)' : ''}`)
                .join(', '),
            }
          : {}),
        ...(drift ? { drift: driftVerdict(drift) } : {}),
        durationMs: t ? t.to - t.from : 0,
      };
    })
    .sort((a, b) => a.ticker.localeCompare(b.ticker));

  const all = span(latest.flatMap((l) => l.stages));
  return {
    date,
    tickers,
    durationMs: all ? all.to - all.from : 0,
    absent: await absentTickers(w, date, byTicker),
  };
}

/** Tickers that ran in the month before `date` but not on it: ones the day's run left out. */
async function absentTickers(
  w: Pick<Warehouse, 'select'>,
  date: string,
  present: Map<string, unknown>,
): Promise<DayStatus['absent']> {
  const earlier = await w.select('pipeline_runs', {
    between: { column: 'run_date', from: addDays(date, -ABSENT_WINDOW_DAYS), to: dayBefore(date) },
  });
  const last = new Map<string, string>();
  for (const r of earlier) {
    if (present.has(r.ticker)) continue;
    if ((last.get(r.ticker) ?? '') < r.run_date) last.set(r.ticker, r.run_date);
  }
  return [...last]
    .map(([ticker, lastRunDate]) => ({ ticker, lastRunDate }))
    .sort((a, b) => a.ticker.localeCompare(b.ticker));
}
