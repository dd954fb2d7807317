/** Record step: the accuracy ledger, the model decision, and the prediction run in the tracker. */
import type { Catalog } from '../catalog.js';
import type { DriftStepResult } from '../drift/step.js';
import {
  resolveOutcomes,
  summarizeOutcomes,
  type LedgerSummary,
  type StoredPrediction,
} from '../forecast/ledger.js';
import type { ModelStepResult } from '../model/step.js';
import { experimentOf, gitCommit } from '../model/tracking.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import type { Bar } from '../types.js';

export interface RecordResult {
  outcomes: number;
  /** Realised accuracy per horizon over the configured window. */
  ledger: LedgerSummary[];
}

const toStored = (p: RowOf<'predictions'>): StoredPrediction => ({
  ticker: p.ticker,
  asOfDate: p.as_of_date,
  horizon: p.horizon,
  targetDate: p.target_date,
  predictedClose: p.predicted_close,
  baseClose: p.base_close,
  modelVersion: p.model_version,
});

export async function recordStep(
  cat: Catalog,
  ticker: string,
  asOf: string,
  bars: Bar[],
  model: ModelStepResult,
  predictions: RowOf<'predictions'>[],
  drift: DriftStepResult,
  ctx: { runId: string; backend: string },
): Promise<RecordResult> {
  const { warehouse } = cat;
  // A re-run of the day keeps the first run's id, like the forecast step, so the row stays the same.
  const [earlier] = await warehouse.select('model_decisions', {
    where: { ticker, as_of_date: asOf },
  });
  await warehouse.upsert('model_decisions', [
    {
      ticker,
      as_of_date: asOf,
      decision: model.decision,
      reason: model.reason,
      model_version: model.serving.label,
      // The serving version is the champion unless a promotion-less train left the old one serving.
      champion_version: model.promoted || model.decision === 'load' ? model.serving.label : null,
      promoted: model.promoted,
      challenger_mase: model.challengerMase,
      champion_mase: model.championMase,
      backend: ctx.backend,
      run_id: earlier?.run_id ?? ctx.runId,
    },
  ]);

  // Ledger: every stored prediction whose target date now has a close (bars ≤ D only).
  const due = await warehouse.select('predictions', {
    where: { ticker },
    between: { column: 'target_date', to: asOf },
  });
  const { outcomes } = resolveOutcomes(due.map(toStored), { [ticker]: bars });
  await warehouse.upsert(
    'outcomes',
    outcomes.map((o) => ({
      ticker,
      as_of_date: o.asOfDate,
      horizon: o.horizon,
      target_date: o.targetDate,
      base_close: o.baseClose,
      predicted_close: o.predictedClose,
      actual_close: o.actualClose,
      abs_error: o.absError,
      pct_error: o.pctError,
      naive_abs_error: Math.abs(o.actualClose - o.baseClose),
      direction_correct: o.directionCorrect,
      model_version: o.modelVersion,
    })),
  );
  const ledger = summarizeOutcomes(outcomes, { window: cat.config.model.accuracyWindow });

  const now = Date.now();
  const metrics = [
    ...predictions.map((p) => ({
      key: `predicted_close_h${p.horizon}`,
      value: p.predicted_close,
      step: 0,
      timestamp: now,
    })),
    ...(drift.report.driftShare === null
      ? []
      : [{ key: 'drift_share', value: drift.report.driftShare, step: 0, timestamp: now }]),
    ...ledger.flatMap((l) =>
      l.mase === null
        ? []
        : [{ key: `realised_mase_h${l.horizon}`, value: l.mase, step: 0, timestamp: now }],
    ),
  ];
  await cat.tracker.logRun({
    key: `predict:${ticker}:${asOf}`,
    experiment: experimentOf(cat),
    name: `predict ${ticker} ${asOf}`,
    status: 'FINISHED',
    startTime: now,
    endTime: now,
    params: {
      as_of: asOf,
      model_version: model.serving.label,
      horizons: predictions.map((p) => p.horizon).join(','),
    },
    tags: {
      ticker,
      stage: 'predict',
      backend: ctx.backend,
      git_commit: gitCommit(),
      decision: model.decision,
      decision_reason: model.reason,
      model_version: model.serving.label,
      dataset_drift: String(drift.report.datasetDrift),
      pipeline_run_id: ctx.runId,
    },
    metrics,
    artifacts: [],
  });
  return { outcomes: outcomes.length, ledger };
}
