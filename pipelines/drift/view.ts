/**
 * The drift view of feature rows: each value as the model sees it, not as a price level. Raw levels
 * (an SMA in dollars, cumulative OBV) trend with the price and would "drift" every day; relative to
 * the same row's close they are comparable across years. Rules follow the model's normalisation.
 */
import { ruleFor } from '../model/normalise.js';

export function driftView(
  columns: readonly string[],
  dates: readonly string[],
  values: Readonly<Record<string, readonly number[]>>,
  closeOn: ReadonlyMap<string, number>,
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const c of columns) {
    const v = values[c] ?? [];
    const rule = ruleFor(c);
    out[c] = dates.map((d, i) => {
      const x = v[i] ?? Number.NaN;
      const close = closeOn.get(d) ?? Number.NaN;
      switch (rule) {
        case 'price':
          return x / close - 1;
        case 'perRowClose':
          return x / close;
        case 'obvFlow':
          // Day-over-day flow; the first row has none (NaN is dropped by the tests).
          return i === 0 ? Number.NaN : x - (v[i - 1] ?? Number.NaN);
        default:
          return x;
      }
    });
  }
  return out;
}
