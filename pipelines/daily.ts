/**
 * The daily batch, top-down: ingest → features → model → forecast → drift → record, per ticker.
 * Stages are functions of data; every IO goes through the catalog's ports. One ticker's failure is
 * recorded with its reason and never stops the others.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Catalog } from './catalog.js';
import { effectiveConcurrency } from './config.js';
import { driftStep } from './drift/step.js';
import { featuresStep } from './features/step.js';
import { isCalendarDate } from './forecast/calendar.js';
import { forecastStep } from './forecast/step.js';
import { ingestStep } from './ingest/step.js';
import { selectBackend, type BackendSelection } from './model/backend.js';
import { modelStep } from './model/step.js';
import { recordDecision, recordStep } from './record/step.js';
import { stage, StageFailed, type StageContext } from './record/runs.js';
import { PipelineError, type Stage } from './types.js';

export interface DailyRequest {
  /** The run date D: only bars up to and including D are used. */
  date: string;
  tickers?: string[];
  runId?: string;
}

export interface TickerResult {
  ticker: string;
  status: 'ok' | 'failed';
  failedStage?: Stage;
  error?: string;
  bars?: number;
  lastBar?: string;
  quarantined?: number;
  featureRows?: number;
  /** The as-of date D actually used: the last bar on or before the run date. */
  asOf?: string;
  decision?: 'train' | 'load';
  reason?: string;
  modelVersion?: string;
  promoted?: boolean;
  forecasts?: { horizon: number; targetDate: string; predictedClose: number; baseClose: number }[];
  /** MASE of the serving version on its own test split, per horizon (naive = 1). */
  testMase?: (number | null)[];
  /** Realised MASE in the ledger over the accuracy window, per horizon. */
  realisedMase?: { horizon: number; n: number; mase: number | null }[];
  driftShare?: number | null;
  datasetDrift?: boolean | null;
  backend?: string;
}

const backends = new Map<string, Promise<BackendSelection>>();
/** The TensorFlow.js backend is chosen once per process: the fastest that loads. */
export function ensureBackend(
  pref: Parameters<typeof selectBackend>[0],
  threads?: Parameters<typeof selectBackend>[1],
): Promise<BackendSelection> {
  let b = backends.get(pref);
  if (!b) {
    // A failure is not remembered: the next ticker tries again.
    b = selectBackend(pref, threads).catch((e: unknown) => {
      backends.delete(pref);
      throw e;
    });
    backends.set(pref, b);
  }
  return b;
}

export interface RunSummary {
  runId: string;
  date: string;
  results: TickerResult[];
}

export async function runTicker(ctx: StageContext): Promise<TickerResult> {
  const { cat, ticker, runDate, runId } = ctx;
  const ingested = await stage(
    ctx,
    'ingest',
    () => ingestStep(cat, ticker, runDate, runId),
    (r) => ({
      rows: r.written,
      message:
        [
          r.quarantined ? `${r.quarantined} rows quarantined` : '',
          r.missingSessions.length
            ? `${r.missingSessions.length} missing sessions (first ${r.missingSessions.slice(0, 3).join(', ')})`
            : '',
          r.revised ? 'adjustment revised: history re-fetched' : '',
        ]
          .filter(Boolean)
          .join('; ') || undefined,
    }),
  );
  const features = await stage(
    ctx,
    'features',
    () => featuresStep(cat, ticker, ingested.bars, ingested.revised),
    (r) => ({ rows: r.written }),
  );
  const asOf = ingested.bars.at(-1)?.date;
  if (!asOf)
    throw new StageFailed('ingest', new PipelineError('no bars on or before the run date', ticker));
  let backendName = '';
  // The backend loads inside the model stage, so a backend that cannot load is that stage's failure.
  const model = await stage(
    ctx,
    'model',
    async () => {
      backendName = (await ensureBackend(cat.config.model.backend, cat.config.model.threads)).name;
      const m = await modelStep(cat, ticker, asOf, ingested.bars, features.rows, {
        runId,
        backend: backendName,
      });
      try {
        await recordDecision(cat, ticker, asOf, m, { runId, backend: backendName });
      } catch (e) {
        m.serving.artifacts.model.dispose();
        throw e;
      }
      return m;
    },
    (m) => ({ message: `${m.decision}: ${m.reason}` }),
  );
  const sctx = { runId, backend: backendName };
  try {
    const predictions = await stage(
      ctx,
      'forecast',
      () => forecastStep(cat, ticker, asOf, ingested.bars, features.rows, model.serving, runId),
      (p) => ({ rows: p.length }),
    );
    const drift = await stage(
      ctx,
      'drift',
      () => driftStep(cat, ticker, asOf, ingested.bars, features.rows, model.serving),
      (d) => ({
        rows: d.rows.length,
        message: `drift share ${d.report.driftShare ?? 'n/a'} (${d.report.status})`,
      }),
    );
    const recorded = await stage(
      ctx,
      'record',
      () => recordStep(cat, ticker, asOf, ingested.bars, model, predictions, drift, sctx),
      (r) => ({ rows: r.outcomes }),
    );
    return {
      ticker,
      status: 'ok',
      bars: ingested.bars.length,
      lastBar: asOf,
      quarantined: ingested.quarantined,
      featureRows: features.rows.length,
      asOf,
      decision: model.decision,
      reason: model.reason,
      modelVersion: model.serving.label,
      promoted: model.promoted,
      forecasts: predictions.map((p) => ({
        horizon: p.horizon,
        targetDate: p.target_date,
        predictedClose: p.predicted_close,
        baseClose: p.base_close,
      })),
      testMase: model.serving.artifacts.meta.metrics.map((m) => m.model.mase),
      realisedMase: recorded.ledger.map((l) => ({ horizon: l.horizon, n: l.n, mase: l.mase })),
      driftShare: drift.report.driftShare,
      datasetDrift: drift.report.datasetDrift,
      backend: backendName,
    };
  } finally {
    model.serving.artifacts.model.dispose();
  }
}

/** One ticker's path whose failure is a result (stage and reason), never a throw. */
export async function runTickerSafe(ctx: StageContext): Promise<TickerResult> {
  try {
    return await runTicker(ctx);
  } catch (e) {
    // Only code outside any stage (none today) can fail without naming its stage.
    const f = e instanceof StageFailed ? e : new StageFailed('record', e);
    return { ticker: ctx.ticker, status: 'failed', failedStage: f.stage, error: f.message };
  }
}

export async function runDaily(
  cat: Catalog,
  req: DailyRequest,
  onTicker?: (r: TickerResult, done: number, total: number) => void,
): Promise<RunSummary> {
  // An impossible date would fail every ticker, and could not even be recorded in pipeline_runs.
  if (!isCalendarDate(req.date)) {
    throw new RangeError(`invalid run date "${req.date}": expected a real date as YYYY-MM-DD`);
  }
  const runId = req.runId ?? `${req.date}-${randomUUID().slice(0, 8)}`;
  const tickers = req.tickers ?? cat.config.watchlist;
  const limit = pLimit(effectiveConcurrency(cat.config));
  let done = 0;
  const log = cat.log.child({ runId, date: req.date });
  const results = await Promise.all(
    tickers.map((ticker) =>
      limit(async (): Promise<TickerResult> => {
        const result = await runTickerSafe({ cat, ticker, runDate: req.date, runId });
        if (result.status === 'failed') {
          log.error('ticker failed', { ticker, stage: result.failedStage, error: result.error });
        }
        done += 1;
        onTicker?.(result, done, tickers.length);
        return result;
      }),
    ),
  );
  return { runId, date: req.date, results };
}
