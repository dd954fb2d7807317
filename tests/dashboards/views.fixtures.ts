/**
 * A small warehouse for the dashboard views: two tickers, resolved and pending predictions, drift
 * of several methods, failed and retried stages, trained and loaded models. Built by hand so each
 * edge case is there on purpose (a window of zero naive error, a p-value of 0, an interrupted stage).
 */
import { DATASET_ROW, type RowOf, type TableName } from '../../pipelines/ports/warehouse/schema.js';

export type Fixtures = { [T in TableName]: RowOf<T>[] };

/** Weekdays from 2024-01-01 (a Monday): the sessions the fixtures use. */
export const S: string[] = (() => {
  const out: string[] = [];
  for (let d = new Date(Date.UTC(2024, 0, 1)); out.length < 40; d.setUTCDate(d.getUTCDate() + 1)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
})();
const s = (i: number): string => S[i] as string;

const VERSION_A = `${s(27)}-abcdef12`;
const VERSION_B_OLD = `${s(27)}-11112222`;
const VERSION_B = `${s(28)}-11112222`;

function prediction(
  ticker: string,
  i: number,
  h: number,
  base: number,
  predicted: number,
  v: string,
) {
  return {
    ticker,
    as_of_date: s(i),
    horizon: h,
    target_date: s(i + h),
    base_close: base,
    predicted_close: predicted,
    model_version: v,
    run_id: `run-${s(i)}`,
  };
}

function outcome(p: RowOf<'predictions'>, actual: number, scale = 1): RowOf<'outcomes'> {
  const base = p.base_close * scale;
  const predicted = p.predicted_close * scale;
  return {
    ticker: p.ticker,
    as_of_date: p.as_of_date,
    horizon: p.horizon,
    target_date: p.target_date,
    base_close: base,
    predicted_close: predicted,
    actual_close: actual,
    abs_error: Math.abs(actual - predicted),
    pct_error: (100 * (actual - predicted)) / actual,
    naive_abs_error: Math.abs(actual - base),
    direction_correct: Math.sign(predicted - base) === Math.sign(actual - base),
    model_version: p.model_version,
  };
}

const predictions: RowOf<'predictions'>[] = [];
const outcomes: RowOf<'outcomes'>[] = [];
// AAA, horizon 10: 30 days of predictions; the first 25 have reached their target date.
for (let i = 0; i < 30; i++) {
  const base = 100 + i;
  const p = prediction('AAA', i, 10, base, base * (1 + 0.01 * Math.sin(i)), VERSION_A);
  predictions.push(p);
  // Day 3's prediction was rebased after a split revision: the ledger's closes differ from it.
  if (i < 25) outcomes.push(outcome(p, base * (1 + 0.012 * Math.cos(1.3 * i)), i === 3 ? 0.5 : 1));
}
// BBB, horizons 5 and 10, 5 days each, all resolved; at horizon 5 the close never moved, so the
// no-change forecast is exact (MASE undefined) and the always-up rate is 0.
for (let i = 0; i < 5; i++) {
  const base = 50 + 2 * i;
  const p5 = prediction('BBB', i, 5, base, base + (i % 2 === 0 ? 1 : -1), VERSION_B);
  const p10 = prediction('BBB', i, 10, base, base - 1, VERSION_B);
  predictions.push(p5, p10);
  outcomes.push(outcome(p5, base), outcome(p10, base + 0.5 * i - 1));
}

function drift(
  ticker: string,
  i: number,
  feature: string,
  method: string,
  score: number | null,
  threshold: number,
  drifted: boolean | null,
  v: string,
): RowOf<'drift_scores'> {
  return {
    ticker,
    as_of_date: s(i),
    feature,
    method,
    score,
    threshold,
    drifted,
    status: score === null ? 'insufficient_data' : 'ok',
    reference_size: 500,
    current_size: score === null ? 3 : 30,
    reference_from: ticker === 'AAA' ? '2021-01-04' : '2022-03-01',
    reference_to: ticker === 'AAA' ? '2023-12-29' : '2023-12-28',
    current_from: s(i - 5),
    current_to: s(i),
    model_version: v,
  };
}

const drift_scores: RowOf<'drift_scores'>[] = [
  drift('AAA', 28, 'rsi_14', 'ks', 0.01, 0.05, true, VERSION_A),
  drift('AAA', 28, 'sma_20', 'wasserstein', 0.05, 0.1, false, VERSION_A),
  drift('AAA', 28, 'prediction', 'ks', 0, 0.05, true, VERSION_A),
  drift('AAA', 28, 'obv', 'ks', null, 0.05, null, VERSION_A),
  drift('AAA', 28, DATASET_ROW, 'share_of_drifted_features', 0.5, 0.5, true, VERSION_A),
  drift('AAA', 29, 'rsi_14', 'ks', 0.2, 0.05, false, VERSION_A),
  drift('AAA', 29, 'sma_20', 'wasserstein', 0.3, 0.1, true, VERSION_A),
  drift('AAA', 29, 'prediction', 'ks', 0.5, 0.05, false, VERSION_A),
  drift('AAA', 29, 'obv', 'jensenshannon', 0.02, 0.1, false, VERSION_A),
  drift('AAA', 29, DATASET_ROW, 'share_of_drifted_features', 1 / 3, 0.5, false, VERSION_A),
  drift('BBB', 29, 'rsi_14', 'z', 0.04, 0.05, true, VERSION_B),
  drift('BBB', 29, DATASET_ROW, 'share_of_drifted_features', 1, 0.5, true, VERSION_B),
];

const ts = (i: number, seconds: number): string =>
  `${s(i)}T22:00:${String(seconds).padStart(2, '0')}.000Z`;

function run(
  i: number,
  ticker: string,
  stage: string,
  status: string,
  from: number,
  to: number,
  message: string | null = null,
): RowOf<'pipeline_runs'> {
  return {
    run_id: `run-${s(i)}`,
    run_date: s(i),
    ticker,
    stage,
    attempt: `${s(i)}-${from}-${to}-${status}`,
    status,
    started_at: ts(i, from),
    finished_at: ts(i, to),
    duration_ms: (to - from) * 1000,
    rows: status === 'ok' ? 10 * (to - from) : null,
    message,
  };
}

/** One record per run x ticker x stage: what a warehouse keyed on them holds. */
const pipeline_runs: RowOf<'pipeline_runs'>[] = [
  run(28, 'AAA', 'ingest', 'ok', 0, 2),
  run(28, 'AAA', 'features', 'ok', 2, 3),
  run(28, 'AAA', 'model', 'ok', 3, 9),
  run(28, 'BBB', 'ingest', 'ok', 0, 1),
  run(28, 'BBB', 'features', 'failed', 1, 2, 'contract: 3 bars with close <= 0'),
  run(29, 'AAA', 'ingest', 'ok', 4, 6),
  run(29, 'AAA', 'model', 'started', 6, 6),
  run(29, 'BBB', 'ingest', 'ok', 5, 7),
  run(29, 'BBB', 'model', 'interrupted', 7, 8, 'instance recycled'),
];

/**
 * Earlier records of the same run x ticker x stage, as an append-only pipeline_runs keeps them
 * (a 'started' record before the outcome, a failed attempt before its retry). The view must read
 * the latest of each.
 */
export const earlierAttempts: RowOf<'pipeline_runs'>[] = [
  run(29, 'AAA', 'ingest', 'started', 1, 1),
  run(29, 'BBB', 'ingest', 'failed', 0, 3, 'yahoo: 503 Service Unavailable'),
  run(29, 'BBB', 'ingest', 'started', 0, 0),
];

function decision(
  ticker: string,
  i: number,
  d: 'train' | 'load',
  version: string,
  promoted: boolean,
  challenger: number | null,
): RowOf<'model_decisions'> {
  return {
    ticker,
    as_of_date: s(i),
    decision: d,
    reason: d === 'train' ? 'champion older than maxAgeDays' : 'champion is fresh',
    model_version: version,
    champion_version: version,
    promoted,
    challenger_mase: challenger,
    champion_mase: d === 'train' && ticker === 'BBB' && i === 28 ? 1.1 : null,
    backend: 'tensorflow',
    run_id: `run-${s(i)}`,
  };
}

const model_decisions: RowOf<'model_decisions'>[] = [
  decision('AAA', 27, 'train', VERSION_A, true, 0.9),
  decision('AAA', 28, 'load', VERSION_A, false, null),
  decision('AAA', 29, 'load', VERSION_A, false, null),
  decision('BBB', 27, 'train', VERSION_B_OLD, true, 1.2),
  decision('BBB', 28, 'train', VERSION_B, true, 0.95),
  decision('BBB', 29, 'load', VERSION_B, false, null),
];

export const fixtures: Fixtures = {
  daily_bars: [],
  quarantine: [],
  features: [],
  pipeline_runs,
  model_decisions,
  predictions,
  outcomes,
  drift_scores,
};

export const versions = { VERSION_A, VERSION_B_OLD, VERSION_B };
