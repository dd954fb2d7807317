import type { IndicatorSpec } from '../config.js';
import { PipelineError } from '../types.js';
import { columnsOf } from './names.js';

/**
 * Leading bars for which `spec` has no value yet (TA-Lib's "lookback"): the index of its first
 * value. MACD and Stochastic count until their signal line exists, since a row needs every column.
 */
export function indicatorLookback(spec: IndicatorSpec): number {
  switch (spec.kind) {
    case 'sma':
    case 'ema':
    case 'bbands':
      return spec.period - 1;
    // Both need the previous close, so their first value sits one bar later.
    case 'rsi':
    case 'atr':
      return spec.period;
    case 'macd':
      return spec.slow - 1 + (spec.signal - 1);
    case 'obv':
      return 0;
    case 'stoch':
      return spec.period - 1 + (spec.signal - 1);
  }
}

/** Index of the first bar on which every spec has a value (0 when there are no specs). */
export function warmupBars(specs: IndicatorSpec[]): number {
  return specs.reduce((m, s) => Math.max(m, indicatorLookback(s)), 0);
}

function isInt(n: number, min: number): boolean {
  return Number.isInteger(n) && n >= min;
}

/** Why `spec` cannot be computed, or undefined. Mirrors config.ts's schema for callers that skip it. */
function specProblem(spec: IndicatorSpec): string | undefined {
  switch (spec.kind) {
    case 'sma':
    case 'ema':
    case 'rsi':
    case 'atr':
      return isInt(spec.period, 2) ? undefined : 'period must be an integer >= 2';
    case 'bbands':
      if (!isInt(spec.period, 2)) return 'period must be an integer >= 2';
      return Number.isFinite(spec.stdDev) && spec.stdDev > 0 ? undefined : 'stdDev must be > 0';
    case 'macd':
      if (!isInt(spec.fast, 2) || !isInt(spec.slow, 3) || !isInt(spec.signal, 2)) {
        return 'fast, slow and signal must be integers (fast >= 2, slow >= 3, signal >= 2)';
      }
      return spec.fast < spec.slow ? undefined : 'fast must be shorter than slow';
    case 'obv':
      return undefined;
    case 'stoch':
      if (!isInt(spec.period, 2)) return 'period must be an integer >= 2';
      return isInt(spec.signal, 1) ? undefined : 'signal must be an integer >= 1';
  }
}

export function assertValidSpec(spec: IndicatorSpec): void {
  const problem = specProblem(spec);
  if (problem) {
    throw new PipelineError(
      `features: invalid indicator spec ${JSON.stringify(spec)}: ${problem}`,
      undefined,
      'features.spec',
    );
  }
}

/**
 * Throws when `bars` is too short for any row to have every indicator. An empty result would only
 * surface later as a vaguer "no training rows"; naming the indicator and the count here is clearer.
 */
export function assertEnoughBars(specs: IndicatorSpec[], bars: number): void {
  let longest: IndicatorSpec | undefined;
  for (const s of specs) {
    if (!longest || indicatorLookback(s) > indicatorLookback(longest)) longest = s;
  }
  if (!longest) return;
  const need = indicatorLookback(longest) + 1;
  if (bars < need) {
    throw new PipelineError(
      `features: ${columnsOf(longest).join('/')} needs at least ${need} bars, got ${bars}`,
      undefined,
      'features.insufficient_history',
    );
  }
}
