/**
 * Split and dividend adjustment. Rule: every bar is scaled by its own factor f = Adj Close / Close:
 * open, high, low and close are multiplied by f and volume divided by f, so the adjusted series has no
 * jump at a split or ex-dividend date and dollar volume (price × volume) is unchanged. Bars without an
 * adjusted close (sources that report none) keep f = 1.
 */
import type { Bar, RawBar } from '../types.js';

export function adjustmentFactor(bar: RawBar): number {
  return bar.adjClose !== undefined && bar.close > 0 ? bar.adjClose / bar.close : 1;
}

export function adjustBars(raw: RawBar[]): Bar[] {
  return raw.map((b) => {
    const f = adjustmentFactor(b);
    return {
      date: b.date,
      open: b.open * f,
      high: b.high * f,
      low: b.low * f,
      close: b.close * f,
      volume: b.volume / f,
    };
  });
}

/**
 * True when the source revised its adjustment for dates already stored (a new split or dividend):
 * the stored history must then be replaced, not extended.
 */
export function adjustmentRevised(stored: RawBar[], fetched: RawBar[], tolerance = 1e-6): boolean {
  const byDate = new Map(stored.map((b) => [b.date, adjustmentFactor(b)]));
  return fetched.some((b) => {
    const old = byDate.get(b.date);
    return old !== undefined && Math.abs(adjustmentFactor(b) / old - 1) > tolerance;
  });
}
