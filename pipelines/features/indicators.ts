import type { IndicatorSpec } from '../config.js';
import type { Bar, FeatureRow } from '../types.js';
import { PipelineError } from '../types.js';
import { computeColumns, type PriceColumns } from './columns.js';
import { featureNames } from './names.js';
import { withFullPrecision } from './precision.js';
import { assertEnoughBars, assertValidSpec, warmupBars } from './warmup.js';

export { columnsOf, featureNames } from './names.js';
export { indicatorLookback, warmupBars } from './warmup.js';

function fail(message: string, rule: string): never {
  throw new PipelineError(`features: ${message}`, undefined, rule);
}

/**
 * Indicators are order-dependent, and the library's truthiness checks misbehave on zero prices,
 * so bars must be strictly date-ascending with positive prices; anything else is an upstream bug.
 */
function toColumns(bars: Bar[]): PriceColumns {
  const cols: PriceColumns = { close: [], high: [], low: [], volume: [] };
  let prev = '';
  for (const b of bars) {
    if (!(b.date > prev)) {
      fail(
        `bars must be in strictly ascending date order: ${b.date} follows ${prev}`,
        'features.order',
      );
    }
    prev = b.date;
    for (const key of ['open', 'high', 'low', 'close'] as const) {
      if (!Number.isFinite(b[key]) || b[key] <= 0) {
        fail(`bar ${b.date} has ${key}=${b[key]}; prices must be finite and > 0`, 'features.input');
      }
    }
    if (!Number.isFinite(b.volume) || b.volume < 0) {
      fail(`bar ${b.date} has volume=${b.volume}; it must be finite and >= 0`, 'features.input');
    }
    cols.close.push(b.close);
    cols.high.push(b.high);
    cols.low.push(b.low);
    cols.volume.push(b.volume);
  }
  return cols;
}

/**
 * Technical indicators per date, matching TA-Lib's definitions (see README.md here). Pure: no IO.
 * A row exists only for dates on which every configured indicator has a value (warm-up rows are
 * dropped, never zero-filled); each row's `values` has exactly `featureNames(specs)`. Causal: the
 * row for date d depends only on bars up to d. Throws PipelineError for invalid specs, unordered
 * or non-positive bars, or too few bars for the longest indicator.
 */
export function computeIndicators(bars: Bar[], specs: IndicatorSpec[]): FeatureRow[] {
  specs.forEach(assertValidSpec);
  const names = featureNames(specs);
  const prices = toColumns(bars);
  if (bars.length === 0 && specs.length === 0) return [];
  assertEnoughBars(specs, bars.length);

  const columns = withFullPrecision(() => {
    const all = new Map<string, Float64Array>();
    for (const spec of specs) {
      for (const [name, col] of computeColumns(spec, prices)) all.set(name, col);
    }
    return all;
  });

  const start = warmupBars(specs);
  return bars.slice(start).map((bar, k) => {
    const values: Record<string, number> = {};
    for (const name of names) {
      const v = columns.get(name)?.[start + k] ?? NaN;
      // A NaN here would be a library surprise; failing beats handing the model a hole.
      if (!Number.isFinite(v)) {
        fail(`${name} is ${v} on ${bar.date} after its warm-up`, 'features.non_finite');
      }
      values[name] = v;
    }
    return { date: bar.date, values };
  });
}
