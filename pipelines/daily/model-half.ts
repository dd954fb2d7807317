/**
 * The daily path's second half for one ticker: model → forecast → drift → record. Every output of
 * the ticker-day (decision, predictions, drift scores, outcomes) is buffered and written at the end
 * with the stage records in ONE warehouse batch: a failure at any stage leaves only its record.
 * This module loads TensorFlow; the ingest function never reaches it.
 */
import type { ModelContext } from '../context.js';
import { driftStep } from '../drift/step.js';
import { forecastStep } from '../forecast/step.js';
import { ensureBackend } from '../model/runtime/backend.js';
import { modelStep } from '../model/step.js';
import { markStarted, stage, type StageContext } from '../record/runs.js';
import { decisionRow, recordStep } from '../record/step.js';
import type { Bar, FeatureRow } from '../types.js';
import type { TickerResult } from './result.js';
import { disposeMembers } from '../model/network/ensemble.js';

export interface ModelInput {
  bars: Bar[];
  features: FeatureRow[];
  asOf: string;
}

/**
 * `input` is the ingest half's output (in-process), or a loader that reads it back (the model
 * function): a loader's failure is the model stage's.
 */
export async function runModelHalf(
  ctx: StageContext,
  input: ModelInput | (() => Promise<ModelInput>),
): Promise<TickerResult> {
  const { cat, ticker, runId, runDate } = ctx;
  await markStarted(ctx, 'model');
  const started = Date.now();
  let backend = '';
  let bars: Bar[] = [];
  let features: FeatureRow[] = [];
  let asOf = '';
  // Known once the model stage has read its inputs and loaded the backend.
  const modelContext = (): ModelContext => ({ cat, ticker, runDate, runId, asOf, backend });
  // The backend loads inside the model stage, so a backend that cannot load is that stage's failure.
  const model = await stage(
    ctx,
    'model',
    async () => {
      ({ bars, features, asOf } = typeof input === 'function' ? await input() : input);
      backend = (await ensureBackend(cat.config.model.backend, cat.log, cat.config.model.threads))
        .name;
      const m = await modelStep(modelContext(), { bars, features });
      try {
        return { ...m, decisionRow: await decisionRow(modelContext(), { model: m }) };
      } catch (e) {
        disposeMembers(m.serving.artifacts.members);
        throw e;
      }
    },
    (m) => ({ message: `${m.decision}: ${m.reason}` }),
  );
  // Cloud Functions stop an event-driven call at 540 s: how long training takes, and the memory.
  cat.log.info('model stage done', {
    ticker,
    decision: model.decision,
    backend,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  });
  const at = modelContext();
  try {
    const { predictions, policies, outcomes } = await stage(
      ctx,
      'forecast',
      () => forecastStep(at, { bars, features, serving: model.serving }),
      (f) => ({
        rows: f.predictions.length,
        message: f.policies.map((d) => `h${d.horizon}: ${d.served} (${d.reason})`).join('; '),
      }),
    );
    const drift = await stage(
      ctx,
      'drift',
      () => driftStep(at, { bars, features, serving: model.serving, predictions }),
      (d) => ({
        rows: d.rows.length,
        message: `drift share ${d.report.driftShare ?? 'n/a'} (${d.report.status})`,
      }),
    );
    const recorded = await stage(
      ctx,
      'record',
      () => recordStep(at, { model, predictions, policies, outcomes, drift }),
      () => ({ rows: outcomes.length }),
      // The one write of the ticker-day: all of it, with the stage records, or nothing.
      async (_r, runs) => {
        await cat.warehouse.upsertBatch({
          model_decisions: [
            {
              ...model.decisionRow,
              policy_reason: policies.map((d) => `h${d.horizon}: ${d.reason}`).join('; '),
            },
          ],
          predictions,
          policy_decisions: policies,
          drift_scores: drift.rows,
          outcomes,
          pipeline_runs: runs,
        });
      },
    );
    return {
      ticker,
      status: 'ok',
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
        lstmClose: p.lstm_close ?? null,
        servingPolicy: p.serving_policy ?? null,
        shrinkage: p.shrinkage ?? null,
        lower80: p.lower_80 ?? null,
        upper80: p.upper_80 ?? null,
        lower95: p.lower_95 ?? null,
        upper95: p.upper_95 ?? null,
      })),
      testMase: model.serving.artifacts.meta.metrics.map((m) => m.model.mase),
      realisedMase: recorded.ledger.map((l) => ({ horizon: l.horizon, n: l.n, mase: l.mase })),
      driftShare: drift.report.driftShare,
      datasetDrift: drift.report.datasetDrift,
      backend,
    };
  } finally {
    disposeMembers(model.serving.artifacts.members);
  }
}
