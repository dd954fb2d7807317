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
    };
  });
}

function accuracy(): ViewRow[] {
  const rows: ViewRow[] = [];
  const groups = new Map<string, typeof fixtures.outcomes>();
  for (const o of fixtures.outcomes) {
    const k = `${o.ticker}|${o.horizon}`;
    groups.set(k, [...(groups.get(k) ?? []), o]);
  }
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) =>
      (a.target_date + a.as_of_date).localeCompare(b.target_date + b.as_of_date),
    );
    sorted.forEach((o, i) => {
      const stats = (w: typeof sorted) => ({
        n: w.length,
        mae: mean(w.map((x) => x.abs_error)),
        mape: mean(w.map((x) => Math.abs(x.pct_error))),
        mase: ratio(sum(w.map((x) => x.abs_error)), sum(w.map((x) => x.naive_abs_error))),
        dir: mean(w.map((x) => (x.direction_correct ? 1 : 0))),
        up: mean(w.map((x) => (x.actual_close > x.base_close ? 1 : 0))),
      });
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
      });
    });
  }
  return rows;
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
    model_serving: modelServing(),
    pipeline_health: pipelineHealth(appendOnly),
    predicted_vs_actual: predictedVsActual(),
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
