/**
 * Forecast accuracy in price terms, the model beside the naive no-change forecast. Shared with the
 * ledger, which scores realised forecasts the same way.
 */
import { PipelineError } from '../types.js';

export interface ForecastRow {
  /** close(t): the price the forecast was made from. */
  base: number;
  predicted: number;
  actual: number;
}

export interface ForecastMetrics {
  n: number;
  mae: number;
  /** Mean absolute percentage error, in percent. */
  mape: number;
  rmse: number;
  /** Share of rows where sign(predicted − base) equals sign(actual − base), in [0, 1]. */
  directionalAccuracy: number;
  /** MAE of the naive forecast (predicted = base) on the same rows. */
  naiveMae: number;
  /** mae / naiveMae: below 1 beats the naive forecast. null when naiveMae is 0 (no price moved). */
  mase: number | null;
}

/** The mean of per-horizon scores, or null when there are none or any is null. */
export const meanOrNull = (xs: readonly (number | null)[]): number | null =>
  xs.length && xs.every((x): x is number => x !== null)
    ? xs.reduce((a, b) => a + b, 0) / xs.length
    : null;

export function forecastMetrics(rows: readonly ForecastRow[]): ForecastMetrics {
  if (rows.length === 0) {
    throw new PipelineError('cannot score an empty set of forecasts', undefined, 'metrics');
  }
  let abs = 0;
  let pct = 0;
  let sq = 0;
  let hits = 0;
  let naiveAbs = 0;
  for (const r of rows) {
    if (![r.base, r.predicted, r.actual].every(Number.isFinite) || r.actual === 0) {
      throw new PipelineError(
        `forecast row needs finite prices and a non-zero actual: ${JSON.stringify(r)}`,
        undefined,
        'metrics',
      );
    }
    const err = r.predicted - r.actual;
    abs += Math.abs(err);
    pct += Math.abs(err / r.actual);
    sq += err * err;
    if (Math.sign(r.predicted - r.base) === Math.sign(r.actual - r.base)) hits += 1;
    naiveAbs += Math.abs(r.base - r.actual);
  }
  const n = rows.length;
  const mae = abs / n;
  const naiveMae = naiveAbs / n;
  return {
    n,
    mae,
    mape: (100 * pct) / n,
    rmse: Math.sqrt(sq / n),
    directionalAccuracy: hits / n,
    naiveMae,
    mase: naiveMae > 0 ? mae / naiveMae : null,
  };
}

export interface HorizonEvaluation {
  horizon: number;
  model: ForecastMetrics;
  naive: ForecastMetrics;
}

/**
 * Scores ratio forecasts per horizon: predicted close = base × ŷ, actual close = base × y.
 * `predicted[i][k]` and `actual[i][k]` belong to sample i and horizons[k].
 */
export function evaluateHorizons(
  horizons: readonly number[],
  bases: readonly number[],
  predicted: readonly (readonly number[])[],
  actual: readonly (readonly number[])[],
): HorizonEvaluation[] {
  if (predicted.length !== bases.length || actual.length !== bases.length) {
    throw new PipelineError(
      `evaluation needs one row per base: ${bases.length} bases, ${predicted.length} predictions, ${actual.length} actuals`,
      undefined,
      'metrics',
    );
  }
  return horizons.map((horizon, k) => {
    const rows = bases.map((base, i) => {
      const p = predicted[i]?.[k];
      const a = actual[i]?.[k];
      if (p === undefined || a === undefined) {
        throw new PipelineError(`row ${i} lacks horizon ${horizon}`, undefined, 'metrics');
      }
      return { base, predicted: base * p, actual: base * a };
    });
    return {
      horizon,
      model: forecastMetrics(rows),
      naive: forecastMetrics(rows.map((r) => ({ ...r, predicted: r.base }))),
    };
  });
}
