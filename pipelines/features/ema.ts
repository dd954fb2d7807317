import { EMA } from 'technicalindicators';

/**
 * technicalindicators' EMA (seeded with the SMA of the first `period` values, as TA-Lib does),
 * guarded against one library bug: its generator tests the seed for truthiness, so a seed of
 * exactly 0 is skipped and the first output becomes `(x - 0) * k` instead of 0, corrupting every
 * later value. Prices never average to 0, but a MACD line can (e.g. around a flat stretch), so in
 * that case we run the EMA on `values + 1` and subtract 1 again: the EMA is linear, so this gives
 * the same numbers up to one rounding of the shift.
 */
export function ema(values: number[], period: number): number[] {
  let sum = 0;
  // Summed in the library's order so this is the exact seed it will see.
  for (let i = 0; i < period && i < values.length; i++) sum += values[i] ?? 0;
  if (values.length < period || sum / period !== 0) {
    return EMA.calculate({ period, values });
  }
  const shifted = EMA.calculate({ period, values: values.map((v) => v + 1) });
  return shifted.map((v) => v - 1);
}
