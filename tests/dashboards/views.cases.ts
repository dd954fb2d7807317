/**
 * The expected rows of every dashboard view on `views.fixtures.ts`, computed here in plain
 * TypeScript (not SQL), so the DuckDB test and the BigQuery emulator test check one answer.
 */
import type { ViewRow } from '../../dashboards/duckdb-views.js';
import { DATASET_ROW } from '../../pipelines/ports/warehouse/schema.js';
import { earlierAttempts, fixtures, S } from './views.fixtures.js';

const ROLLING = 20;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const bit = (b: boolean | null | undefined): number | null =>
  b === null || b === undefined ? null : b ? 1 : 0;
const meanOrNull = (xs: number[]): number | null => (xs.length ? mean(xs) : null);
const present = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

type Outcome = (typeof fixtures.outcomes)[number];

/** Outcomes per ticker x horizon, each in target-date order (the views' window order). */
function byTickerHorizon(rows: Outcome[]): Outcome[][] {
  const groups = new Map<string, Outcome[]>();
  for (const o of rows) {
    const k = `${o.ticker}|${o.horizon}`;
    groups.set(k, [...(groups.get(k) ?? []), o]);
  }
  return [...groups.values()].map((list) =>
    [...list].sort((a, b) =>
      (a.target_date + a.as_of_date).localeCompare(b.target_date + b.as_of_date),
    ),
  );
}

function predictedVsActual(): ViewRow[] {
  return fixtures.predictions.map((p) => {
    const o = fixtures.outcomes.find(
      (x) => x.ticker === p.ticker && x.as_of_date === p.as_of_date && x.horizon === p.horizon,
    );
    const predicted = o?.predicted_close ?? p.predicted_close;
    return {
      ticker: p.ticker,
      target_date: p.target_date,
      horizon: p.horizon,
      as_of_date: p.as_of_date,
      predicted_close: predicted,
      actual_close: o?.actual_close ?? null,
      base_close: o?.base_close ?? p.base_close,
      error: o ? o.actual_close - predicted : null,
      status: o ? 'resolved' : 'pending',
      model_version: p.model_version,
      // The ledger's value once resolved (a NULL there is no bound), else the prediction's.
      lstm_close: (o ?? p).lstm_close,
      lstm_error: o && o.lstm_close !== null ? o.actual_close - o.lstm_close : null,
      ensemble_size: (o ?? p).ensemble_size,
      serving_policy: (o ?? p).serving_policy,
      shrinkage: (o ?? p).shrinkage,
      lower_80: (o ?? p).lower_80,
      upper_80: (o ?? p).upper_80,
      lower_95: (o ?? p).lower_95,
      upper_95: (o ?? p).upper_95,
      covered_80: bit(o?.covered_80),
      covered_95: bit(o?.covered_95),
    };
  });
}

function accuracy(): ViewRow[] {
  const rows: ViewRow[] = [];
  for (const sorted of byTickerHorizon(fixtures.outcomes)) {
    sorted.forEach((o, i) => {
      const stats = (w: typeof sorted) => {
        const lstm = w.filter((x) => x.lstm_close !== null);
        const lstmErrors = lstm.map((x) => Math.abs(x.actual_close - (x.lstm_close ?? NaN)));
        return {
          n: w.length,
          mae: mean(w.map((x) => x.abs_error)),
          mape: mean(w.map((x) => Math.abs(x.pct_error))),
          mase: ratio(sum(w.map((x) => x.abs_error)), sum(w.map((x) => x.naive_abs_error))),
          dir: mean(w.map((x) => (x.direction_correct ? 1 : 0))),
          up: mean(w.map((x) => (x.actual_close > x.base_close ? 1 : 0))),
          lstmN: lstm.length,
          lstmMae: meanOrNull(lstmErrors),
          lstmMase: lstm.length
            ? ratio(sum(lstmErrors), sum(lstm.map((x) => x.naive_abs_error)))
            : null,
        };
      };
      const r = stats(sorted.slice(Math.max(0, i - ROLLING + 1), i + 1));
      const c = stats(sorted.slice(0, i + 1));
      rows.push({
        ticker: o.ticker,
        horizon: o.horizon,
        target_date: o.target_date,
        as_of_date: o.as_of_date,
        model_version: o.model_version,
        abs_error: o.abs_error,
        rolling_n: r.n,
        rolling_mae: r.mae,
        rolling_mape: r.mape,
        rolling_mase: r.mase,
        rolling_directional_accuracy: r.dir,
        rolling_always_up_rate: r.up,
        cumulative_n: c.n,
        cumulative_mae: c.mae,
        cumulative_mape: c.mape,
        cumulative_mase: c.mase,
        cumulative_directional_accuracy: c.dir,
        cumulative_always_up_rate: c.up,
        rolling_lstm_n: r.lstmN,
        rolling_lstm_mae: r.lstmMae,
        rolling_lstm_mase: r.lstmMase,
        cumulative_lstm_n: c.lstmN,
        cumulative_lstm_mae: c.lstmMae,
        cumulative_lstm_mase: c.lstmMase,
      });
    });
  }
  return rows;
}

const width = (lower: number | null, upper: number | null, base: number): number | null =>
  lower === null || upper === null ? null : (100 * (upper - lower)) / base;

function intervalCoverage(): ViewRow[] {
  const rows: ViewRow[] = [];
  const withInterval = fixtures.outcomes.filter(
    (o) => o.covered_80 !== null || o.covered_95 !== null,
  );
  for (const sorted of byTickerHorizon(withInterval)) {
    sorted.forEach((o, i) => {
      const stats = (w: typeof sorted) => {
        const hits80 = present(w.map((x) => bit(x.covered_80)));
        const hits95 = present(w.map((x) => bit(x.covered_95)));
        return {
          n80: hits80.length,
          c80: meanOrNull(hits80),
          n95: hits95.length,
          c95: meanOrNull(hits95),
          w80: meanOrNull(present(w.map((x) => width(x.lower_80, x.upper_80, x.base_close)))),
          w95: meanOrNull(present(w.map((x) => width(x.lower_95, x.upper_95, x.base_close)))),
        };
      };
      const r = stats(sorted.slice(Math.max(0, i - ROLLING + 1), i + 1));
      const c = stats(sorted.slice(0, i + 1));
      rows.push({
        ticker: o.ticker,
        horizon: o.horizon,
        target_date: o.target_date,
        as_of_date: o.as_of_date,
        serving_policy: o.serving_policy,
        model_version: o.model_version,
        covered_80: bit(o.covered_80),
        covered_95: bit(o.covered_95),
        width_80_pct: width(o.lower_80, o.upper_80, o.base_close),
        width_95_pct: width(o.lower_95, o.upper_95, o.base_close),
        nominal_80: 0.8,
        nominal_95: 0.95,
        rolling_n_80: r.n80,
        rolling_coverage_80: r.c80,
        rolling_n_95: r.n95,
        rolling_coverage_95: r.c95,
        rolling_width_80_pct: r.w80,
        rolling_width_95_pct: r.w95,
        cumulative_n_80: c.n80,
        cumulative_coverage_80: c.c80,
        cumulative_n_95: c.n95,
        cumulative_coverage_95: c.c95,
        cumulative_width_80_pct: c.w80,
        cumulative_width_95_pct: c.w95,
      });
    });
  }
  return rows;
}

/** 1 on the row that sorts first under `order` among those sharing `key` (the views' ROW_NUMBER). */
function latestFlags<R>(rows: R[], key: (r: R) => string, order: (a: R, b: R) => number): number[] {
  return rows.map((r) => {
    const first = rows.filter((x) => key(x) === key(r)).sort(order)[0];
    return first === r ? 1 : 0;
  });
}

function servingPolicy(): ViewRow[] {
  const rows = fixtures.policy_decisions;
  const latest = latestFlags(
    rows,
    (r) => `${r.ticker}|${r.horizon}`,
    (a, b) => b.as_of_date.localeCompare(a.as_of_date),
  );
  return rows.map((d, i) => ({
    ticker: d.ticker,
    horizon: d.horizon,
    as_of_date: d.as_of_date,
    champion: d.champion,
    served: d.served,
    promoted: d.promoted ? 1 : 0,
    challenger: d.challenger,
    champion_mae: d.champion_mae,
    challenger_mae: d.challenger_mae,
    dm_statistic: d.dm_statistic,
    dm_p_value: d.dm_p_value,
    ledger_rows: d.ledger_rows,
    shrinkage: d.shrinkage,
    drift_return: d.drift_return,
    alpha_80: d.alpha_80,
    alpha_95: d.alpha_95,
    q_80: d.q_80,
    q_95: d.q_95,
    calibration: d.calibration,
    reason: d.reason,
    run_id: d.run_id,
    is_latest: latest[i] ?? 0,
  }));
}

function evaluations(): ViewRow[] {
  const rows = fixtures.evaluations;
  const latest = latestFlags(
    rows,
    (r) => `${r.ticker}|${r.horizon}|${r.forecaster}`,
    (a, b) => (b.to_date + b.from_date).localeCompare(a.to_date + a.from_date),
  );
  return rows.map((e, i) => ({ ...e, is_latest: latest[i] ?? 0 }));
}

const P_VALUE_TESTS = new Set(['ks', 'chisquare', 'z']);

function driftFeatures(): ViewRow[] {
  return fixtures.drift_scores
    .filter((d) => d.feature !== DATASET_ROW)
    .map((d) => ({
      ticker: d.ticker,
      as_of_date: d.as_of_date,
      feature: d.feature,
      method: d.method,
      score: d.score,
      threshold: d.threshold,
      score_ratio:
        d.score === null
          ? null
          : Math.min(
              P_VALUE_TESTS.has(d.method)
                ? d.threshold / Math.max(d.score, 1e-12)
                : d.score / d.threshold,
              10,
            ),
      drifted: d.drifted === null ? null : d.drifted ? 1 : 0,
      status: d.status,
      reference_size: d.reference_size,
      current_size: d.current_size,
      model_version: d.model_version,
    }));
}

function driftShare(): ViewRow[] {
  return fixtures.drift_scores
    .filter((d) => d.feature === DATASET_ROW)
    .map((d) => {
      const features = fixtures.drift_scores.filter(
        (f) =>
          f.ticker === d.ticker &&
          f.as_of_date === d.as_of_date &&
          f.feature !== DATASET_ROW &&
          f.feature !== 'prediction',
      );
      return {
        ticker: d.ticker,
        as_of_date: d.as_of_date,
        drift_share: d.score,
        share_threshold: d.threshold,
        dataset_drifted: d.drifted === null ? null : d.drifted ? 1 : 0,
        status: d.status,
        features_tested: features.filter((f) => f.score !== null).length,
        features_drifted: features.filter((f) => f.drifted === true).length,
        reference_from: d.reference_from,
        reference_to: d.reference_to,
        current_from: d.current_from,
        current_to: d.current_to,
        model_version: d.model_version,
      };
    });
}

/** Health rows; with `appendOnly`, pipeline_runs also holds `earlierAttempts`. */
export function pipelineHealth(appendOnly: boolean): ViewRow[] {
  const all = appendOnly ? [...fixtures.pipeline_runs, ...earlierAttempts] : fixtures.pipeline_runs;
  return fixtures.pipeline_runs.map((r) => {
    const same = all.filter(
      (x) => x.run_id === r.run_id && x.ticker === r.ticker && x.stage === r.stage,
    );
    const d =
      r.stage === 'model'
        ? fixtures.model_decisions.find((m) => m.ticker === r.ticker && m.as_of_date === r.run_date)
        : undefined;
    const interrupted = r.status === 'interrupted' || r.status === 'started';
    return {
      run_id: r.run_id,
      run_date: r.run_date,
      ticker: r.ticker,
      stage: r.stage,
      status: r.status,
      outcome: interrupted ? 'interrupted' : r.status,
      failed: r.status === 'failed' ? 1 : 0,
      interrupted: interrupted ? 1 : 0,
      attempts: same.length,
      started_at: r.started_at,
      finished_at: r.finished_at,
      duration_ms: r.duration_ms,
      row_count: r.rows,
      failure_reason: r.status === 'ok' ? null : r.message,
      decision: d?.decision ?? null,
      decision_reason: d?.reason ?? null,
    };
  });
}

function modelServing(): ViewRow[] {
  const tickers = [...new Set(fixtures.model_decisions.map((d) => d.ticker))];
  return tickers.map((ticker) => {
    const mine = fixtures.model_decisions.filter((d) => d.ticker === ticker);
    const latest = [...mine].sort((a, b) => b.as_of_date.localeCompare(a.as_of_date))[0];
    if (!latest?.model_version) throw new Error(`fixture ${ticker} has no served version`);
    const v = latest.model_version;
    const served = mine.filter((d) => d.model_version === v);
    const trained = served
      .filter((d) => d.decision === 'train')
      .sort((a, b) => a.as_of_date.localeCompare(b.as_of_date))[0];
    const baseline = fixtures.drift_scores.filter(
      (d) => d.ticker === ticker && d.model_version === v && d.feature === DATASET_ROW,
    );
    const froms = baseline.map((b) => b.reference_from).filter((x): x is string => !!x);
    const tos = baseline.map((b) => b.reference_to).filter((x): x is string => !!x);
    return {
      ticker,
      model_version: v,
      latest_run_date: latest.as_of_date,
      latest_decision: latest.decision,
      latest_reason: latest.reason,
      latest_backend: latest.backend,
      serving_since: served.map((d) => d.as_of_date).sort()[0] ?? null,
      days_served: served.length,
      data_through: trained?.as_of_date ?? null,
      trained_by_run_id: trained?.run_id ?? null,
      trained_on_backend: trained?.backend ?? null,
      holdout_mase: trained?.challenger_mase ?? null,
      previous_champion_mase: trained?.champion_mase ?? null,
      promoted: trained?.promoted ?? null,
      training_from: froms.sort()[0] ?? null,
      training_to: tos.sort().at(-1) ?? null,
      config_hash_prefix: v.slice(11),
      artifact_key: `models/${ticker}/${v}`,
    };
  });
}

/** Expected rows per view, in no particular order (compare with `sameRows`). */
export function expectedRows(appendOnly = false): Record<string, ViewRow[]> {
  return {
    accuracy: accuracy(),
    drift_features: driftFeatures(),
    drift_share: driftShare(),
    evaluations: evaluations(),
    interval_coverage: intervalCoverage(),
    model_serving: modelServing(),
    pipeline_health: pipelineHealth(appendOnly),
    predicted_vs_actual: predictedVsActual(),
    serving_policy: servingPolicy(),
  };
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const canonical = (r: ViewRow): string =>
  JSON.stringify(
    Object.keys(r)
      .sort()
      .map((k) => {
        const v = r[k];
        if (typeof v === 'number' && !Number.isInteger(v)) return [k, Number(v.toPrecision(10))];
        if (typeof v === 'string' && TIMESTAMP.test(v)) return [k, new Date(v).toISOString()];
        return [k, v];
      }),
  );

/**
 * The two row sets as sorted canonical strings (columns by name, floats to 10 significant
 * digits: the engines sum in their own order; timestamps as ISO UTC), for a readable diff.
 */
export function sameRows(actual: ViewRow[], expected: ViewRow[]): [string[], string[]] {
  return [actual.map(canonical).sort(), expected.map(canonical).sort()];
}

export { S };
