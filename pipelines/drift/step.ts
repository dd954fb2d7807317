/** Drift step: the model's training-window features (reference) against the last N trading days. */
import type { ModelContext } from '../context.js';
import type { ServingVersion } from '../model/step.js';
import { DATASET_ROW, type NewRow, type RowOf } from '../ports/warehouse/schema.js';
import type { Bar, FeatureRow } from '../types.js';
import {
  detectDrift,
  detectPredictionDrift,
  type DriftReport,
  type FeatureDrift,
} from './detect.js';
import { readPredictionReference } from './reference.js';
import { driftView } from './view.js';

export interface DriftStepResult {
  report: DriftReport;
  prediction?: FeatureDrift;
  rows: RowOf<'drift_scores'>[];
}

export interface DriftInputs {
  bars: Bar[];
  features: FeatureRow[];
  /** The version that served: its training-window reference is the baseline. */
  serving: ServingVersion;
  /** The day's predictions, not yet written: they belong to the current window. */
  predictions: NewRow<'predictions'>[];
}

export async function driftStep(
  ctx: ModelContext,
  { bars, features, serving, predictions: today }: DriftInputs,
): Promise<DriftStepResult> {
  const { cat, ticker, asOf } = ctx;
  const { drift } = cat.config;
  const ref = serving.artifacts.reference;
  const columns = Object.keys(ref.columns);
  const closeOn = new Map(bars.map((b) => [b.date, b.close]));
  const current = features.filter((f) => f.date <= asOf).slice(-drift.currentDays);
  const curDates = current.map((f) => f.date);
  const reference = driftView(columns, ref.dates, ref.columns, closeOn);
  const cur = driftView(
    columns,
    curDates,
    Object.fromEntries(columns.map((c) => [c, current.map((f) => f.values[c] ?? Number.NaN)])),
    closeOn,
  );
  const report = detectDrift(reference, cur, drift);

  // Prediction drift: predicted 10-day returns over the current window against the version's holdout.
  const refPreds = await readPredictionReference(cat, ticker, serving.key);
  const h0 = serving.artifacts.meta.horizons[0] ?? 10;
  const stored = await cat.warehouse.select('predictions', {
    where: { ticker, model_version: serving.label, horizon: h0 },
    between: { column: 'as_of_date', from: curDates[0], to: asOf },
  });
  const recent = [
    ...stored.filter((p) => p.as_of_date !== asOf),
    ...today.filter((p) => p.horizon === h0 && p.model_version === serving.label),
  ];
  const prediction = refPreds
    ? detectPredictionDrift(
        refPreds,
        // The LSTM's own forecasts (what the reference holds), not the served ones, which the
        // policy may have shrunk to naive.
        recent.map((p) => (p.lstm_close ?? p.predicted_close) / p.base_close - 1),
        drift,
      )
    : undefined;

  const common = {
    ticker,
    as_of_date: asOf,
    reference_from: ref.dates[0] ?? null,
    reference_to: ref.dates.at(-1) ?? null,
    current_from: curDates[0] ?? null,
    current_to: curDates.at(-1) ?? null,
    model_version: serving.label,
  };
  const featureRow = (f: FeatureDrift) => ({
    ...common,
    feature: f.feature,
    method: f.method,
    score: f.score,
    threshold: f.threshold,
    drifted: f.drifted,
    status: f.status,
    reference_size: f.referenceSize,
    current_size: f.currentSize,
  });
  const rows = [
    ...report.features.map(featureRow),
    ...(prediction ? [featureRow(prediction)] : []),
    {
      ...common,
      feature: DATASET_ROW,
      method: 'share_of_drifted_features',
      score: report.driftShare,
      threshold: drift.datasetShare,
      drifted: report.datasetDrift,
      status: report.status,
      reference_size: ref.dates.length,
      current_size: current.length,
    },
  ];
  return { report, ...(prediction ? { prediction } : {}), rows };
}
