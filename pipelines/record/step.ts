/** Record step: the model decision, the accuracy ledger, and the prediction run in the tracker. */
import type { ModelContext } from '../context.js';
import type { DriftStepResult } from '../drift/step.js';
import {
  resolveOutcomes,
  summarizeOutcomes,
  type LedgerSummary,
  type Outcome,
  type StoredPrediction,
} from '../forecast/ledger.js';
import type { ModelStepResult } from '../model/step.js';
import { experimentOf } from '../model/io/tracking.js';
import { latestOnOrBefore } from '../ports/warehouse/port.js';
import type { NewRow } from '../ports/warehouse/schema.js';
import type { Bar } from '../types.js';

export interface RecordResult {
  /** The ledger rows this day resolved, to be written with the day's other outputs. */
  outcomes: NewRow<'outcomes'>[];
  /** Realised accuracy per horizon over the configured window. */
  ledger: LedgerSummary[];
}

const toStored = (p: NewRow<'predictions'>): StoredPrediction => ({
  ticker: p.ticker,
  asOfDate: p.as_of_date,
  horizon: p.horizon,
  targetDate: p.target_date,
  predictedClose: p.predicted_close,
  baseClose: p.base_close,
  modelVersion: p.model_version,
});

/**
 * The day's model decision as a row, written with the day's other outputs. A re-run keeps the
 * first run's id, so the row is the same.
 */
export async function decisionRow(
  ctx: ModelContext,
  { model }: { model: ModelStepResult },
): Promise<NewRow<'model_decisions'>> {
  const { cat, ticker, asOf } = ctx;
  const [earlier] = await cat.warehouse.select('model_decisions', {
    where: { ticker, as_of_date: asOf },
  });
  return {
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
  };
}

/**
 * A prediction on the current adjustment basis: after a split or dividend revision the stored
 * closes are re-scaled by the as-of bar's new/old ratio, so predicted and actual share one basis.
 */
const rebase =
  (bars: Bar[]) =>
  (p: NewRow<'predictions'>): StoredPrediction => {
    const now = bars.find((b) => b.date === p.as_of_date)?.close;
    const f = now === undefined || now === p.base_close ? 1 : now / p.base_close;
    return { ...toStored(p), baseClose: p.base_close * f, predictedClose: p.predicted_close * f };
  };

const toRow = (o: Outcome): NewRow<'outcomes'> => ({
  ticker: o.ticker,
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
});

const fromRow = (r: NewRow<'outcomes'>): Outcome => ({
  ticker: r.ticker,
  asOfDate: r.as_of_date,
  horizon: r.horizon,
  targetDate: r.target_date,
  predictedClose: r.predicted_close,
  baseClose: r.base_close,
  modelVersion: r.model_version,
  actualClose: r.actual_close,
  error: r.actual_close - r.predicted_close,
  absError: r.abs_error,
  pctError: r.pct_error,
  directionCorrect: r.direction_correct,
});

export interface RecordInputs {
  bars: Bar[];
  model: ModelStepResult;
  /** The day's predictions, not yet written. */
  predictions: NewRow<'predictions'>[];
  drift: DriftStepResult;
}

export async function recordStep(
  ctx: ModelContext,
  { bars, model, predictions, drift }: RecordInputs,
): Promise<RecordResult> {
  const { cat, ticker, asOf } = ctx;
  const { warehouse } = cat;
  // Ledger: predictions whose target date now has a close (bars ≤ D only), from the latest target
  // already resolved on or before D onwards, so a day reads only what it can newly resolve.
  const resolved = await latestOnOrBefore(warehouse, 'outcomes', {
    where: { ticker },
    column: 'target_date',
    date: asOf,
  });
  const due = await warehouse.select('predictions', {
    where: { ticker },
    between: { column: 'target_date', from: resolved?.target_date, to: asOf },
  });
  const outcomes = resolveOutcomes(due.map(rebase(bars)), { [ticker]: bars }).outcomes.map(toRow);
  // Realised accuracy over the window: the latest outcomes of each horizon, the stored ones with
  // the day's new ones (not written yet) in their place.
  const horizons = new Set(predictions.map((p) => p.horizon)).size || 1;
  const window = cat.config.model.accuracyWindow * horizons;
  const stored = await warehouse.select('outcomes', {
    where: { ticker },
    between: { column: 'target_date', to: asOf },
    orderBy: 'target_date',
    desc: true,
    limit: window + outcomes.length,
  });
  const key = (o: NewRow<'outcomes'>) => `${o.as_of_date}|${o.horizon}`;
  const fresh = new Set(outcomes.map(key));
  const recent = [...stored.filter((o) => !fresh.has(key(o))), ...outcomes]
    .sort((a, b) => b.target_date.localeCompare(a.target_date))
    .slice(0, window);
  const ledger = summarizeOutcomes(recent.map(fromRow), {
    window: cat.config.model.accuracyWindow,
  });

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
      git_commit: cat.config.build.gitCommit,
      decision: model.decision,
      decision_reason: model.reason,
      model_version: model.serving.label,
      dataset_drift: String(drift.report.datasetDrift),
      pipeline_run_id: ctx.runId,
    },
    metrics,
    artifacts: [],
  });
  return { outcomes, ledger };
}
