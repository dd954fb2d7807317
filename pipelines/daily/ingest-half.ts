/**
 * The daily path's first half for one ticker: ingest → features. Small and TensorFlow-free: the
 * ingest function runs it alone (nothing here may import the model code, even indirectly).
 */
import { featuresStep } from '../features/step.js';
import { ingestStep } from '../ingest/step.js';
import { markStarted, stage, StageFailed, type StageContext } from '../record/runs.js';
import { PipelineError, type Bar, type FeatureRow } from '../types.js';
import type { TickerResult } from './result.js';

export interface IngestHalf {
  /** Adjusted bars up to and including the as-of date. */
  bars: Bar[];
  features: FeatureRow[];
  asOf: string;
  /** The result fields this half knows. */
  summary: Pick<TickerResult, 'bars' | 'lastBar' | 'quarantined' | 'featureRows' | 'interrupted'>;
}

function ingestMessage(r: Awaited<ReturnType<typeof ingestStep>>): string | undefined {
  return (
    [
      r.quarantined ? `${r.quarantined} rows quarantined` : '',
      r.missingSessions.length
        ? `${r.missingSessions.length} missing sessions (first ${r.missingSessions.slice(0, 3).join(', ')})`
        : '',
      r.revised ? 'adjustment revised: history re-fetched' : '',
    ]
      .filter(Boolean)
      .join('; ') || undefined
  );
}

/** Writes: the started mark, bars + quarantine (one batch), features + the stage rows (one batch). */
export async function runIngestHalf(ctx: StageContext): Promise<IngestHalf> {
  const { cat } = ctx;
  const interrupted = await markStarted(ctx, 'ingest', true);
  const ingested = await stage(
    ctx,
    'ingest',
    () => ingestStep(ctx),
    (r) => ({ rows: r.written, message: ingestMessage(r) }),
  );
  const features = await stage(
    ctx,
    'features',
    () => featuresStep(ctx, { bars: ingested.bars, rewriteAll: ingested.revised }),
    (r) => ({ rows: r.fresh.length }),
    (r, runs) =>
      cat.warehouse.upsertBatch({ features: r.fresh, pipeline_runs: runs }).then(() => undefined),
  );
  const asOf = ingested.bars.at(-1)?.date;
  if (!asOf)
    throw new StageFailed(
      'ingest',
      new PipelineError('no bars on or before the run date', ctx.ticker),
    );
  return {
    bars: ingested.bars,
    features: features.rows,
    asOf,
    summary: {
      bars: ingested.bars.length,
      lastBar: asOf,
      quarantined: ingested.quarantined,
      featureRows: features.rows.length,
      ...(interrupted.length ? { interrupted } : {}),
    },
  };
}
