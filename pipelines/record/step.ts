/** Record step: the model decision, the accuracy ledger, and the prediction run in the tracker. */
import type { ModelContext } from '../context.js';
import type { DriftStepResult } from '../drift/step.js';
import { summarizeOutcomes, type LedgerSummary, type Outcome } from '../forecast/ledger.js';
import type { ModelStepResult } from '../model/step.js';
import { experimentOf } from '../model/io/tracking.js';
import type { NewRow } from '../ports/warehouse/schema.js';

export interface RecordResult {
  /** Realised accuracy per horizon over the configured window. */
  ledger: LedgerSummary[];
}

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
  model: ModelStepResult;
  /** The day's predictions, not yet written. */
  predictions: NewRow<'predictions'>[];
  /** The serving policy's decisions of the day, not yet written. */
  policies: NewRow<'policy_decisions'>[];
  /** The outcomes the day resolved (forecast/outcomes.ts), not yet written. */
  outcomes: NewRow<'outcomes'>[];
  drift: DriftStepResult;
}

/** Realised coverage of the published intervals over the accuracy window, per horizon. */
function coverageMetrics(recent: readonly NewRow<'outcomes'>[], timestamp: number) {
  const out: { key: string; value: number; step: number; timestamp: number }[] = [];
  for (const h of new Set(recent.map((o) => o.horizon))) {
    for (const level of ['80', '95'] as const) {
      const flags = recent
        .filter((o) => o.horizon === h)
        .map((o) => o[`covered_${level}`])
        .filter((c): c is boolean => typeof c === 'boolean');
      if (flags.length) {
        const value = flags.filter(Boolean).length / flags.length;
        out.push({ key: `realised_coverage_${level}_h${h}`, value, step: 0, timestamp });
      }
    }
  }
  return out;
}

export async function recordStep(
  ctx: ModelContext,
  { model, predictions, policies, outcomes, drift }: RecordInputs,
): Promise<RecordResult> {
  const { cat, ticker, asOf } = ctx;
  const { warehouse } = cat;
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
    ...predictions.flatMap((p) =>
      Object.entries({
        predicted_close: p.predicted_close,
        lstm_close: p.lstm_close,
        drift_close: p.drift_close,
        shrinkage: p.shrinkage,
        lower_80: p.lower_80,
        upper_80: p.upper_80,
        lower_95: p.lower_95,
        upper_95: p.upper_95,
      }).flatMap(([k, v]) =>
        v === null || v === undefined
          ? []
          : [{ key: `${k}_h${p.horizon}`, value: v, step: 0, timestamp: now }],
      ),
    ),
    ...policies.flatMap((d) =>
      d.dm_p_value === null || d.dm_p_value === undefined
        ? []
        : [{ key: `policy_dm_p_h${d.horizon}`, value: d.dm_p_value, step: 0, timestamp: now }],
    ),
    ...coverageMetrics(recent, now),
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
      ...Object.fromEntries(
        policies.flatMap((d) => [
          [`serving_policy_h${d.horizon}`, d.served],
          [`policy_reason_h${d.horizon}`, d.reason],
        ]),
      ),
    },
    metrics,
    artifacts: [],
  });
  return { ledger };
}
