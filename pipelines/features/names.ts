import type { IndicatorSpec } from '../config.js';
import { PipelineError } from '../types.js';

/** Column-name form of a parameter: `2` → `2`, `2.5` → `2p5`, so names stay valid SQL identifiers. */
function param(n: number): string {
  return String(n).replace('.', 'p');
}

/** The feature columns one indicator spec produces, in output order. */
export function columnsOf(spec: IndicatorSpec): string[] {
  switch (spec.kind) {
    case 'sma':
    case 'ema':
    case 'rsi':
    case 'atr':
      return [`${spec.kind}_${param(spec.period)}`];
    case 'macd': {
      const p = `${param(spec.fast)}_${param(spec.slow)}_${param(spec.signal)}`;
      return [`macd_${p}`, `macd_signal_${p}`, `macd_hist_${p}`];
    }
    case 'bbands': {
      const p = `${param(spec.period)}_${param(spec.stdDev)}`;
      return [`bb_upper_${p}`, `bb_middle_${p}`, `bb_lower_${p}`];
    }
    case 'obv':
      return ['obv'];
    case 'stoch': {
      const p = `${param(spec.period)}_${param(spec.signal)}`;
      return [`stoch_k_${p}`, `stoch_d_${p}`];
    }
  }
}

/** All feature columns for `specs`, in spec order; a name produced twice is a config mistake. */
export function featureNames(specs: IndicatorSpec[]): string[] {
  const names = specs.flatMap(columnsOf);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new PipelineError(
        `features: indicator column "${name}" is configured more than once`,
        undefined,
        'features.duplicate_column',
      );
    }
    seen.add(name);
  }
  return names;
}
