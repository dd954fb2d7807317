/**
 * Records every stage of every ticker in `pipeline_runs`: status, timing, and the reason of a
 * failure. Rows are buffered and written with the half's outputs (one write), or at once when a
 * stage fails. Each execution is its own attempt: the table only grows.
 */
import { randomUUID } from 'node:crypto';
import type { TickerContext } from '../context.js';
import { classifyError } from '../ports/errors.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import type { Stage } from '../types.js';

type RunRow = RowOf<'pipeline_runs'>;

export class StageFailed extends Error {
  constructor(
    readonly stage: Stage,
    override readonly cause: unknown,
  ) {
    super(`${stage}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StageFailed';
  }
}

/** A ticker's run as the stage records see it: the context, and this half's attempt. */
export interface StageContext extends TickerContext {
  /** This execution's attempt id (a fresh one per call by default). */
  attempt?: string;
  /** Stage rows not written yet. */
  pending?: RunRow[];
}

/** An earlier run of the ticker that started a stage and never recorded its end. */
export interface Interrupted {
  runId: string;
  runDate: string;
  stage: string;
  startedAt: string;
}

export const newAttempt = (): string => `${new Date().toISOString()}-${randomUUID().slice(0, 6)}`;

const attemptOf = (ctx: StageContext): string => (ctx.attempt ??= newAttempt());
const pendingOf = (ctx: StageContext): RunRow[] => (ctx.pending ??= []);

function row(ctx: StageContext, name: Stage, started: Date, r: Partial<RunRow>): RunRow {
  return {
    run_id: ctx.runId,
    run_date: ctx.runDate,
    ticker: ctx.ticker,
    stage: name,
    attempt: attemptOf(ctx),
    status: 'ok',
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    duration_ms: Date.now() - started.getTime(),
    rows: null,
    message: null,
    ...r,
  };
}

/** Writes the buffered rows; losing them must not replace the stage's own error, so it only logs. */
async function flushAfterFailure(ctx: StageContext, name: Stage): Promise<void> {
  const rows = pendingOf(ctx).splice(0);
  try {
    await ctx.cat.warehouse.upsert('pipeline_runs', rows);
  } catch (recordError) {
    ctx.cat.log.error('could not record a failed stage in pipeline_runs', {
      ticker: ctx.ticker,
      stage: name,
      error: recordError instanceof Error ? recordError.message : String(recordError),
    });
  }
}

/**
 * Marks the start of a half (its first stage) in one write. When `detect` is set, earlier runs of
 * the ticker left `started` (killed, timed out, out of memory) are marked `interrupted` in the same
 * write and returned.
 */
export async function markStarted(
  ctx: StageContext,
  name: Stage,
  detect = false,
): Promise<Interrupted[]> {
  const started = new Date();
  const me = attemptOf(ctx);
  const left = detect
    ? (
        await ctx.cat.warehouse.select('pipeline_runs', {
          where: { ticker: ctx.ticker, status: 'started' },
        })
      ).filter((r) => r.attempt !== me)
    : [];
  const interrupted = left.map((r) => ({
    ...r,
    status: 'interrupted',
    message: `interrupted: started ${r.started_at} and never finished (found by run ${ctx.runId})`,
  }));
  await ctx.cat.warehouse.upsert('pipeline_runs', [
    ...interrupted,
    row(ctx, name, started, { status: 'started', duration_ms: 0 }),
  ]);
  for (const r of left) {
    ctx.cat.log.warn('an earlier run never finished: marked interrupted', {
      ticker: r.ticker,
      runId: r.run_id,
      runDate: r.run_date,
      stage: r.stage,
      startedAt: r.started_at,
    });
  }
  return left.map((r) => ({
    runId: r.run_id,
    runDate: r.run_date,
    stage: r.stage,
    startedAt: r.started_at,
  }));
}

/**
 * Runs one stage and buffers its row. A failure writes the buffered rows with the failed one and is
 * re-thrown as StageFailed. `commit` makes the stage the half's last: it receives the result and
 * every buffered row (this one's included) to write in one go; its failure is the stage's.
 */
export async function stage<T>(
  ctx: StageContext,
  name: Stage,
  fn: () => Promise<T>,
  describe: (r: T) => { rows?: number; message?: string } = () => ({}),
  commit?: (result: T, runs: RunRow[]) => Promise<void>,
): Promise<T> {
  const started = new Date();
  try {
    const result = await fn();
    const d = describe(result);
    const ok = row(ctx, name, started, { rows: d.rows ?? null, message: d.message ?? null });
    if (commit) {
      await commit(result, [...pendingOf(ctx), ok]);
      pendingOf(ctx).splice(0);
    } else {
      pendingOf(ctx).push(ok);
    }
    return result;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const c = classifyError(e);
    const note = c.kind === 'transient' ? ` [transient: ${c.reason}]` : '';
    pendingOf(ctx).push(
      row(ctx, name, started, { status: 'failed', message: `${message.slice(0, 1900)}${note}` }),
    );
    await flushAfterFailure(ctx, name);
    throw new StageFailed(name, e);
  }
}
