/**
 * The walk-forward's rows scored per forecaster (raw LSTM, ensemble, served, naive, drift): the
 * warehouse's `evaluations` rows and the table `stockops evaluate` prints. Pure.
 */
import { formatTable } from '../cli/table.js';
import { scorecard, type Scorecard, type ScoredRow } from '../forecast/scorecard.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import type { DatedForecast, RetrainInfo, WalkForwardRow } from './walk-forward.js';

export const FORECASTERS = ['lstm', 'ensemble', 'served', 'naive', 'drift'] as const;
export type Forecaster = (typeof FORECASTERS)[number];

const forecastOf: Record<Forecaster, (r: WalkForwardRow) => number | null> = {
  lstm: (r) => r.member,
  ensemble: (r) => r.ensemble,
  served: (r) => r.served,
  naive: (r) => r.naive,
  drift: (r) => r.drift,
};

export interface Evaluation {
  ticker: string;
  horizon: number;
  forecaster: Forecaster;
  card: Scorecard;
}

/** A ticker's retrains in the walk: how many, their training CPU-seconds, how many were warm starts. */
export interface TrainingSummary {
  retrains: number;
  /** Summed over the retrains; null when a fitter did not report it for any one of them. */
  cpuSeconds: number | null;
  warmStarts: number | null;
}

/** One entry per retrain (forecasts share their retrain's figures), in retrain order. */
export function trainingSummary(forecasts: Iterable<DatedForecast>): TrainingSummary {
  // A retrain's figures ride on one of its forecasts (the first of its segment).
  const byRetrain = new Map<string, RetrainInfo | undefined>();
  for (const f of forecasts)
    if (!byRetrain.get(f.trainedThrough)) byRetrain.set(f.trainedThrough, f.training);
  const all = [...byRetrain.values()];
  const cpu = all.map((t) => t?.cpuSeconds);
  const warm = all.map((t) => t?.warmStart);
  return {
    retrains: all.length,
    cpuSeconds: cpu.every((c) => c !== undefined) ? cpu.reduce((s, c) => s + (c ?? 0), 0) : null,
    warmStarts: warm.every((w) => w !== undefined) ? warm.filter(Boolean).length : null,
  };
}

/** Scores each forecaster on the rows whose target is known and every forecaster had a forecast. */
export function evaluateRows(
  ticker: string,
  rows: readonly WalkForwardRow[],
  seed: number,
): Evaluation[] {
  const out: Evaluation[] = [];
  const horizons = [...new Set(rows.map((r) => r.horizon))].sort((a, b) => a - b);
  for (const h of horizons) {
    const known = rows.filter(
      (r) =>
        r.horizon === h &&
        r.actual !== null &&
        FORECASTERS.every((f) => Number.isFinite(forecastOf[f](r) ?? NaN)),
    );
    for (const forecaster of FORECASTERS) {
      const scored: ScoredRow[] = known.map((r) => ({
        asOfDate: r.asOfDate,
        base: r.base,
        actual: r.actual ?? NaN,
        forecast: forecastOf[forecaster](r) ?? NaN,
        // Intervals are published around the served forecast only.
        ...(forecaster === 'served' ? { intervals: r.intervals } : {}),
      }));
      out.push({ ticker, horizon: h, forecaster, card: scorecard(scored, { h, seed }) });
    }
  }
  return out;
}

export function evaluationRows(
  evals: readonly Evaluation[],
  meta: {
    from: string;
    to: string;
    retrainEvery: number;
    ensembleSize: number;
    configHash: string;
    runId: string;
    training?: TrainingSummary;
  },
): RowOf<'evaluations'>[] {
  return evals.map(({ ticker, horizon, forecaster, card: c }) => ({
    ticker,
    from_date: meta.from,
    to_date: meta.to,
    horizon,
    forecaster,
    n: c.n,
    mase: c.mase,
    mase_lower: c.maseLower,
    mase_upper: c.maseUpper,
    dm_statistic: c.dmStatistic,
    dm_p_value: c.dmPValue,
    directional_accuracy: c.directionalAccuracy,
    always_up_rate: c.alwaysUpRate,
    coverage_80: c.coverage['80']?.coverage ?? null,
    coverage_95: c.coverage['95']?.coverage ?? null,
    kupiec_p_80: c.coverage['80']?.kupiecP ?? null,
    kupiec_p_95: c.coverage['95']?.kupiecP ?? null,
    width_80_pct: c.coverage['80']?.widthPct ?? null,
    width_95_pct: c.coverage['95']?.widthPct ?? null,
    worst_coverage_80: c.coverage['80']?.worst?.coverage ?? null,
    worst_coverage_95: c.coverage['95']?.worst?.coverage ?? null,
    retrains: meta.training?.retrains ?? null,
    train_cpu_seconds: meta.training?.cpuSeconds ?? null,
    warm_start_retrains: meta.training?.warmStarts ?? null,
    retrain_every: meta.retrainEvery,
    ensemble_size: meta.ensembleSize,
    config_hash: meta.configHash,
    run_id: meta.runId,
  }));
}

const f3 = (x: number | null | undefined): string | null =>
  x === null || x === undefined ? null : x.toFixed(3);
const pct = (x: number | null | undefined): string | null =>
  x === null || x === undefined ? null : `${(100 * x).toFixed(1)}%`;

/** "n/a" where the fitter reported nothing, as the issue asks: absent is not zero. */
export function trainingLine(t: TrainingSummary | undefined): string {
  if (!t) return 'training: n/a';
  const cpu =
    t.cpuSeconds === null
      ? 'training CPU-s n/a'
      : `training ${t.cpuSeconds.toFixed(1)} CPU-s (${(t.cpuSeconds / Math.max(1, t.retrains)).toFixed(1)} per retrain)`;
  const warm =
    t.warmStarts === null ? 'warm starts n/a' : `warm starts ${t.warmStarts} of ${t.retrains}`;
  return `${t.retrains} retrains, ${cpu}, ${warm}`;
}

function worstLine(es: readonly Evaluation[]): string | null {
  const card = es.find((e) => e.forecaster === 'served')?.card;
  const worst = (['80', '95'] as const).flatMap((k) => {
    const w = card?.coverage[k]?.worst;
    return w ? [{ k, w }] : [];
  });
  const parts = worst.map(({ k, w }) => `${k}% ${pct(w.coverage)} (${w.from} to ${w.to})`);
  // The window is WORST_WINDOW sessions, or the whole series when that is shorter.
  return parts.length ? `worst ${worst[0]?.w.n}-session window: ${parts.join('; ')}` : null;
}

/** One table per ticker and horizon, a row per forecaster, with its training and worst windows. */
export function evaluationTable(
  evals: readonly Evaluation[],
  training: ReadonlyMap<string, TrainingSummary> = new Map(),
): string {
  const groups = new Map<string, Evaluation[]>();
  for (const e of evals) {
    const k = `${e.ticker} h${e.horizon}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return [...groups]
    .map(([title, es]) => {
      const n = es[0]?.card.n ?? 0;
      const table = formatTable(
        [
          'forecaster',
          'MASE',
          '95% CI',
          'DM p vs naive',
          'direction',
          'always up',
          'cover 80',
          'cover 95',
          'worst 80',
          'worst 95',
          'width 80',
          'width 95',
        ],
        es.map(({ forecaster, card: c }) => [
          forecaster,
          f3(c.mase),
          c.maseLower === null ? null : `${f3(c.maseLower)}–${f3(c.maseUpper)}`,
          c.dmPValue === null
            ? null
            : `${f3(c.dmPValue)}${(c.dmStatistic ?? 0) > 0 ? ' (worse)' : ''}`,
          pct(c.directionalAccuracy),
          pct(c.alwaysUpRate),
          pct(c.coverage['80']?.coverage),
          pct(c.coverage['95']?.coverage),
          pct(c.coverage['80']?.worst?.coverage),
          pct(c.coverage['95']?.worst?.coverage),
          c.coverage['80']?.widthPct == null ? null : `${c.coverage['80'].widthPct.toFixed(1)}%`,
          c.coverage['95']?.widthPct == null ? null : `${c.coverage['95'].widthPct.toFixed(1)}%`,
        ]),
      );
      const ticker = es[0]?.ticker ?? '';
      const lines = [`${title} (${n} forecasts; ${trainingLine(training.get(ticker))})`, table];
      const worst = worstLine(es);
      return (worst ? [...lines, worst] : lines).join('\n');
    })
    .join('\n\n');
}
