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

/** What #12 adds to a prediction: the LSTM's own forecast, the policy served and its intervals. */
interface Served {
  lstm: number;
  shrinkage: number;
  drift: number;
  policy: 'shrunk' | 'naive' | 'drift';
  volatility: number;
  /** Half-widths of the 80 and 95 % intervals as a fraction of base; null = unbounded. */
  half80: number | null;
  half95: number | null;
}

/** Bounds as the pipeline writes them: served ± half·base, lower clipped at 0; unbounded = [0, null). */
function bounds(predicted: number, base: number, half: number | null) {
  return half === null
    ? { lower: 0, upper: null }
    : { lower: Math.max(0, predicted - half * base), upper: predicted + half * base };
}

/** A prediction; without `served` it is a pre-#12 row (every new column null). */
function prediction(
  ticker: string,
  i: number,
  h: number,
  base: number,
  predicted: number,
  v: string,
  served?: Served,
): RowOf<'predictions'> {
  const b80 = served ? bounds(predicted, base, served.half80) : null;
  const b95 = served ? bounds(predicted, base, served.half95) : null;
  return {
    ticker,
    as_of_date: s(i),
    horizon: h,
    target_date: s(i + h),
    base_close: base,
    predicted_close: predicted,
    model_version: v,
    run_id: `run-${s(i)}`,
    lstm_close: served?.lstm ?? null,
    ensemble_size: served ? 5 : null,
    shrinkage: served?.shrinkage ?? null,
    drift_close: served?.drift ?? null,
    serving_policy: served?.policy ?? null,
    volatility: served?.volatility ?? null,
    lower_80: b80?.lower ?? null,
    upper_80: b80?.upper ?? null,
    lower_95: b95?.lower ?? null,
    upper_95: b95?.upper ?? null,
  };
}

const times = (x: number | null, k: number): number | null => (x === null ? null : x * k);

/** Covered as the pipeline scores it: null without an interval, an unbounded side always holds. */
function covered(lower: number | null, upper: number | null, actual: number): boolean | null {
  if (lower === null && upper === null) return null;
  return (lower === null || actual >= lower) && (upper === null || actual <= upper);
}

function outcome(p: RowOf<'predictions'>, actual: number, scale = 1): RowOf<'outcomes'> {
  const base = p.base_close * scale;
  const predicted = p.predicted_close * scale;
  const [lower80, upper80, lower95, upper95] = [p.lower_80, p.upper_80, p.lower_95, p.upper_95].map(
    (b) => times(b, scale),
  ) as [number | null, number | null, number | null, number | null];
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
    lstm_close: times(p.lstm_close, scale),
    ensemble_size: p.ensemble_size,
    shrinkage: p.shrinkage,
    drift_close: times(p.drift_close, scale),
    serving_policy: p.serving_policy,
    volatility: p.volatility,
    lower_80: lower80,
    upper_80: upper80,
    lower_95: lower95,
    upper_95: upper95,
    covered_80: covered(lower80, upper80, actual),
    covered_95: covered(lower95, upper95, actual),
  };
}

const predictions: RowOf<'predictions'>[] = [];
const outcomes: RowOf<'outcomes'>[] = [];
// AAA, horizon 10: 30 days of predictions; the first 25 have reached their target date. Days 0-2
// are pre-#12 history (no LSTM column, no interval). From day 3 the LSTM ensemble's return is
// served shrunk by a = 0.5; the 95 % interval is unbounded (too few scores) on days 3 and 4; from
// day 27 the naive challenger serves (policy_decisions promotes it that day).
for (let i = 0; i < 30; i++) {
  const base = 100 + i;
  const lstm = base * (1 + 0.02 * Math.sin(i));
  const policy = i >= 27 ? 'naive' : 'shrunk';
  const predicted = policy === 'naive' ? base : base + 0.5 * (lstm - base);
  const half80 = 0.012 + 0.004 * (i % 3);
  const p = prediction(
    'AAA',
    i,
    10,
    base,
    predicted,
    VERSION_A,
    i < 3
      ? undefined
      : {
          lstm,
          shrinkage: 0.5,
          drift: base * 1.004,
          policy,
          volatility: 0.004 + 0.0005 * (i % 4),
          half80,
          half95: i < 5 ? null : 1.6 * half80,
        },
  );
  predictions.push(p);
  // Day 3's prediction was rebased after a split revision: the ledger's closes differ from it.
  if (i < 25) outcomes.push(outcome(p, base * (1 + 0.012 * Math.cos(1.3 * i)), i === 3 ? 0.5 : 1));
}
// BBB, horizons 5 and 10, 5 days each, all resolved; at horizon 5 the close never moved, so the
// no-change forecast is exact (MASE undefined) and the always-up rate is 0. Day 0 is pre-#12; at
// horizon 10 the drift challenger serves from day 3.
for (let i = 0; i < 5; i++) {
  const base = 50 + 2 * i;
  const up = i % 2 === 0 ? 1 : -1;
  const served = (lstm: number, policy: Served['policy'], half80: number): Served | undefined =>
    i === 0
      ? undefined
      : {
          lstm,
          shrinkage: 0.5,
          drift: base - 1,
          policy,
          volatility: 0.01,
          half80,
          half95: 1.5 * half80,
        };
  const p5 = prediction(
    'BBB',
    i,
    5,
    base,
    base + up,
    VERSION_B,
    served(base + 2 * up, 'shrunk', 0.012 + 0.01 * (i % 2)),
  );
  const p10 = prediction(
    'BBB',
    i,
    10,
    base,
    base - 1,
    VERSION_B,
    served(base - 2, i >= 3 ? 'drift' : 'shrunk', 0.02),
  );
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
    // Pre-#12 decisions have no serving-policy reason.
    policy_reason: i === 29 ? `h${ticker === 'AAA' ? 10 : 5}: keep the served policy` : null,
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

type Policy = 'shrunk' | 'naive' | 'drift';

/** The serving policy's decision of one day, as policy_decisions keeps it. */
function policy(
  ticker: string,
  i: number,
  h: number,
  champion: Policy,
  served: Policy,
  test: {
    challenger: Policy;
    championMae: number;
    challengerMae: number;
    dm: number;
    p: number;
  } | null,
  ledgerRows: number,
): RowOf<'policy_decisions'> {
  const promoted = served !== champion;
  return {
    ticker,
    as_of_date: s(i),
    horizon: h,
    champion,
    served,
    promoted,
    challenger: test?.challenger ?? null,
    champion_mae: test?.championMae ?? null,
    challenger_mae: test?.challengerMae ?? null,
    dm_statistic: test?.dm ?? null,
    dm_p_value: test?.p ?? null,
    ledger_rows: ledgerRows,
    shrinkage: 0.5,
    drift_return: ticker === 'AAA' ? 0.004 : null,
    alpha_80: 0.2 + 0.01 * (i % 3),
    alpha_95: 0.05,
    q_80: ledgerRows < 3 ? null : 1.2 + 0.05 * (i % 4),
    q_95: ledgerRows < 5 ? null : 1.9,
    calibration: ledgerRows < 5 ? 'history' : 'ledger',
    reason: promoted
      ? `${served} beats ${champion} on ${ledgerRows} ledger rows (DM p = ${test?.p})`
      : test
        ? `keep ${champion}: ${test.challenger} not significantly better (DM p = ${test.p})`
        : `keep ${champion}: too few ledger rows to compare`,
    run_id: `run-${s(i)}`,
  };
}

const policy_decisions: RowOf<'policy_decisions'>[] = [];
// AAA, horizon 10: the ledger starts filling at day 10 (day 0's target); naive is promoted on day 27.
for (let i = 3; i < 30; i++) {
  const ledger = Math.max(0, i - 9);
  const champion = i > 27 ? 'naive' : 'shrunk';
  const served = i >= 27 ? 'naive' : 'shrunk';
  const test =
    ledger < 5
      ? null
      : i === 27
        ? { challenger: 'naive' as const, championMae: 1.4, challengerMae: 1.1, dm: 2.4, p: 0.02 }
        : i > 27
          ? {
              challenger: 'drift' as const,
              championMae: 1.1,
              challengerMae: 1.05,
              dm: 0.4,
              p: 0.69,
            }
          : {
              challenger: 'naive' as const,
              championMae: 1.4,
              challengerMae: 1.1,
              dm: 1.2,
              p: 0.23,
            };
  policy_decisions.push(policy('AAA', i, 10, champion, served, test, ledger));
}
// BBB: horizon 5 keeps the shrunk LSTM; at horizon 10 drift is promoted on day 3.
for (let i = 1; i < 5; i++) {
  policy_decisions.push(policy('BBB', i, 5, 'shrunk', 'shrunk', null, i));
  // Once drift serves, the shrunk LSTM is the challenger it is tested against.
  const test =
    i > 3
      ? { challenger: 'shrunk' as const, championMae: 0.8, challengerMae: 2, dm: -2.1, p: 0.08 }
      : {
          challenger: 'drift' as const,
          championMae: 2,
          challengerMae: 0.8,
          dm: 2.9,
          p: i === 3 ? 0.004 : 0.3,
        };
  policy_decisions.push(
    policy(
      'BBB',
      i,
      10,
      i > 3 ? 'drift' : 'shrunk',
      i >= 3 ? 'drift' : 'shrunk',
      i >= 2 ? test : null,
      i,
    ),
  );
}

/** One walk-forward scorecard row (stockops evaluate). */
function evaluation(
  ticker: string,
  h: number,
  forecaster: string,
  mase: number | null,
  dmP: number | null,
  dir: number,
  coverage: [number, number] | null,
): RowOf<'evaluations'> {
  return {
    ticker,
    from_date: '2023-01-03',
    to_date: s(29),
    horizon: h,
    forecaster,
    n: ticker === 'AAA' ? 240 : 120,
    mase,
    mase_lower: mase === null ? null : mase - 0.08,
    mase_upper: mase === null ? null : mase + 0.1,
    dm_statistic: dmP === null ? null : dmP < 0.05 ? -2.3 : -0.6,
    dm_p_value: dmP,
    directional_accuracy: dir,
    always_up_rate: 0.55,
    coverage_80: coverage?.[0] ?? null,
    coverage_95: coverage?.[1] ?? null,
    kupiec_p_80: coverage ? (coverage[0] < 0.74 ? 0.01 : 0.4) : null,
    kupiec_p_95: coverage ? 0.6 : null,
    width_80_pct: coverage ? 4.1 : null,
    width_95_pct: coverage ? 6.3 : null,
    worst_coverage_80: coverage ? coverage[0] - 0.05 : null,
    worst_coverage_95: coverage ? coverage[1] - 0.04 : null,
    retrains: 3,
    train_cpu_seconds: null,
    warm_start_retrains: null,
    retrain_every: 20,
    ensemble_size: 5,
    config_hash: 'abcdef12',
    run_id: 'run-evaluate',
  };
}

const evaluations: RowOf<'evaluations'>[] = [
  evaluation('AAA', 10, 'lstm', 1.18, 0.04, 0.51, null),
  evaluation('AAA', 10, 'ensemble', 1.07, 0.2, 0.53, null),
  evaluation('AAA', 10, 'served', 0.99, 0.7, 0.55, [0.78, 0.94]),
  evaluation('AAA', 10, 'naive', 1, null, 0.55, null),
  evaluation('AAA', 10, 'drift', 0.98, 0.5, 0.55, null),
  evaluation('BBB', 5, 'lstm', null, null, 0.4, null),
  evaluation('BBB', 5, 'served', null, null, 0.5, [0.7, 0.9]),
  evaluation('BBB', 5, 'naive', null, null, 0.5, null),
  // An older window of AAA: the view marks the latest per ticker, horizon and forecaster.
  { ...evaluation('AAA', 10, 'served', 1.02, 0.8, 0.52, [0.83, 0.96]), to_date: s(9) },
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
  policy_decisions,
  evaluations,
};

export const versions = { VERSION_A, VERSION_B_OLD, VERSION_B };
