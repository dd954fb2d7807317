/**
 * The fan-in of a day whose writes are staged (config `warehouseWrites: staged`): the schedule
 * records which tickers a run fans out to, every ticker's done message marks it reported, and the
 * report that completes the run commits the staged batches in one warehouse batch. Redelivered or
 * late reports commit again, which is safe: a commit takes only what is staged at that moment.
 */
import type { Catalog } from '../catalog.js';
import type { CommitSummary } from '../ports/warehouse/port.js';

const RUNS = 'warehouse-staging/runs';

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

async function expectedOf(cat: Catalog, runId: string): Promise<number | undefined> {
  const bytes = await cat.store.get(`${RUNS}/${runId}/manifest.json`);
  if (!bytes) return undefined;
  const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as { tickers: string[] };
  return new Set(m.tickers).size;
}

/** One ticker's done message: mark it, and commit when every ticker of the run has reported. */
export async function tickerReported(
  cat: Catalog,
  report: { runId: string; ticker: string; status?: string },
): Promise<FanInResult> {
  if (!staged(cat)) return { reported: 0 };
  const dir = `${RUNS}/${report.runId}/reported/`;
  await cat.store.put(`${dir}${report.ticker}`, report.status ?? '');
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
