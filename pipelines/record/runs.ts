/** Records every stage of every ticker in `pipeline_runs`: status, timing, and the reason of a failure. */
import type { Catalog } from '../catalog.js';
import type { Stage } from '../types.js';

export class StageFailed extends Error {
  constructor(
    readonly stage: Stage,
    override readonly cause: unknown,
  ) {
    super(`${stage}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StageFailed';
  }
}

export interface StageContext {
  cat: Catalog;
  runId: string;
  runDate: string;
  ticker: string;
}

/** Runs one stage; a failure is recorded with its message and re-thrown as StageFailed. */
export async function stage<T>(
  ctx: StageContext,
  name: Stage,
  fn: () => Promise<T>,
  describe: (r: T) => { rows?: number; message?: string } = () => ({}),
): Promise<T> {
  const started = new Date();
  const record = (status: 'ok' | 'failed', rows: number | null, message: string | null) =>
    ctx.cat.warehouse.upsert('pipeline_runs', [
      {
        run_id: ctx.runId,
        run_date: ctx.runDate,
        ticker: ctx.ticker,
        stage: name,
        status,
        started_at: started.toISOString(),
        finished_at: new Date().toISOString(),
        duration_ms: Date.now() - started.getTime(),
        rows,
        message,
      },
    ]);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    try {
      await record('failed', null, message.slice(0, 2000));
    } catch (recordError) {
      // The stage's own error is the one that matters; losing the row must not replace it.
      ctx.cat.log.error('could not record a failed stage in pipeline_runs', {
        ticker: ctx.ticker,
        stage: name,
        error: recordError instanceof Error ? recordError.message : String(recordError),
      });
    }
    throw new StageFailed(name, e);
  }
  const d = describe(result);
  await record('ok', d.rows ?? null, d.message ?? null);
  return result;
}
