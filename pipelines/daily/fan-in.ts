/**
 * The fan-in of a day whose writes are staged (config `warehouseWrites: staged`): the schedule
 * records which tickers a run fans out to, every ticker's done message marks it reported, and the
 * report that completes the run commits the staged batches in one warehouse batch. Redelivered or
 * late reports commit again, which is safe: a commit takes only what is staged at that moment.
 * The follow-up flush also re-drives, once per run, the tickers that never reported.
 */
import { subDays } from 'date-fns';
import type { Catalog } from '../catalog.js';
import type { CommitSummary } from '../ports/warehouse/port.js';

const RUNS = 'warehouse-staging/runs';
/**
 * A run with no report for this long is stalled, not busy: its missing tickers were dead-lettered
 * (push deliveries answered 429 while every instance was busy use up their attempts) or lost.
 */
export const REDRIVE_QUIET_MS = 15 * 60_000;
/** Runs this many days back are still re-driven; older ones are left to an operator. */
export const REDRIVE_DAYS = 7;

export interface FanInResult {
  /** Tickers of the run reported so far, and how many it fanned out to (unknown: no manifest). */
  reported: number;
  expected?: number;
  committed?: CommitSummary;
  /** The run was committed before: this report waits for the follow-up flush. */
  deferred?: boolean;
}

const staged = (cat: Catalog): boolean => typeof cat.warehouse.commit === 'function';

/** Written by the schedule before it fans out; a no-op when writes go straight to the warehouse. */
export async function recordRun(cat: Catalog, runId: string, tickers: string[]): Promise<void> {
  if (!staged(cat)) return;
  await cat.store.put(`${RUNS}/${runId}/manifest.json`, JSON.stringify({ runId, tickers }));
}

interface Manifest {
  runId: string;
  tickers: string[];
}

async function readText(cat: Catalog, key: string): Promise<string | undefined> {
  const bytes = await cat.store.get(key);
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}

async function manifestOf(cat: Catalog, runId: string): Promise<Manifest | undefined> {
  const text = await readText(cat, `${RUNS}/${runId}/manifest.json`);
  return text ? (JSON.parse(text) as Manifest) : undefined;
}

async function expectedOf(cat: Catalog, runId: string): Promise<number | undefined> {
  const m = await manifestOf(cat, runId);
  return m ? new Set(m.tickers).size : undefined;
}

/** One ticker's done message: mark it, and commit when every ticker of the run has reported. */
export async function tickerReported(
  cat: Catalog,
  report: { runId: string; ticker: string; status?: string },
): Promise<FanInResult> {
  if (!staged(cat)) return { reported: 0 };
  const dir = `${RUNS}/${report.runId}/reported/`;
  await cat.store.put(`${dir}${report.ticker}`, report.status ?? '');
  // The store has no object times: the re-drive reads this to tell a busy run from a stalled one.
  await cat.store.put(`${RUNS}/${report.runId}/last-report`, new Date().toISOString());
  const [reported, expected] = await Promise.all([
    cat.store.list(dir).then((k) => k.length),
    expectedOf(cat, report.runId),
  ]);
  if (expected === undefined || reported < expected) return { reported, expected };
  // Once per run: a late or redelivered report after that is staged and read through the overlay,
  // and reaches the tables with the schedule's follow-up flush, so a redelivered day is not one
  // commit (one MERGE per table) per ticker again.
  const done = `${RUNS}/${report.runId}/committed`;
  if (await cat.store.get(done)) return { reported, expected, deferred: true };
  const started = Date.now();
  const committed = await commitStaged(cat);
  cat.log.info('fan-in: run complete, staged writes committed', {
    runId: report.runId,
    reported,
    seconds: (Date.now() - started) / 1000,
    ...committed,
  });
  await cat.store.put(done, new Date().toISOString());
  return { reported, expected, committed };
}

/**
 * Commits whatever is staged (the schedule's follow-up message): tickers that never report (dead-
 * lettered after their delivery attempts) must not hold the others' rows back forever.
 */
export async function commitStaged(cat: Catalog): Promise<CommitSummary | undefined> {
  return cat.warehouse.commit?.();
}

/** A run's tickers to run again, under the same run id and date, so their rows land under the same keys. */
export interface Redrive {
  runId: string;
  date: string;
  tickers: string[];
}

/**
 * The tickers of recent runs that never reported: runs not committed, not re-driven before, and
 * quiet for REDRIVE_QUIET_MS. The caller publishes them to the ingest topic, then `markRedriven`;
 * when they report, the run completes and commits as usual.
 */
export async function unreportedTickers(cat: Catalog, now = new Date()): Promise<Redrive[]> {
  if (!staged(cat)) return [];
  const out: Redrive[] = [];
  for (let d = 0; d <= REDRIVE_DAYS; d++) {
    const date = subDays(now, d).toISOString().slice(0, 10);
    const keys = new Set(await cat.store.list(`${RUNS}/${date}-`));
    const runIds = new Set([...keys].map((k) => k.slice(RUNS.length + 1).split('/')[0] as string));
    for (const runId of runIds) {
      const dir = `${RUNS}/${runId}/`;
      if (keys.has(`${dir}committed`) || keys.has(`${dir}redriven`)) continue;
      const manifest = await manifestOf(cat, runId);
      if (!manifest) continue;
      const last = await readText(cat, `${dir}last-report`);
      if (last && now.getTime() - Date.parse(last) < REDRIVE_QUIET_MS) continue;
      const tickers = [...new Set(manifest.tickers)].filter(
        (t) => !keys.has(`${dir}reported/${t}`),
      );
      out.push({ runId, date: runId.slice(0, 10), tickers });
    }
  }
  return out;
}

/** After the re-drive's publishes: a flush redelivered before this re-drives again (harmless). */
export async function markRedriven(cat: Catalog, r: Redrive, now = new Date()): Promise<void> {
  await cat.store.put(
    `${RUNS}/${r.runId}/redriven`,
    JSON.stringify({ at: now.toISOString(), tickers: r.tickers }),
  );
}
