/**
 * Shrinkage of the model's predicted return toward the naive (no-change) forecast: serve
 * a·predictedReturn with a ∈ [0, 1] fitted on realised history. a = 0 is exactly naive, so a model
 * that has not shown it beats the random walk serves the random walk.
 */

export interface ShrinkageRow {
  /** predictedClose/base − 1. */
  predictedReturn: number;
  /** actualClose/base − 1. */
  actualReturn: number;
}

export type ShrinkageReason =
  'too-few-rows' | 'all-predictions-zero' | 'fitted' | 'clipped-to-0' | 'clipped-to-1';

export interface ShrinkageFit {
  a: number;
  /** Rows given (realised predictions), the count minRows is compared with. */
  n: number;
  reason: ShrinkageReason;
}

/**
 * The a ∈ [0, 1] minimising Σ|actual − a·predicted| (absolute error, as MASE scores it). Each row
 * contributes |predicted|·|actual/predicted − a|, so the unconstrained minimiser is a median of the
 * ratios weighted by |predicted|; the loss is convex in a, so clipping it to [0, 1] gives the
 * constrained minimiser. Rows with predicted = 0 cost |actual| whatever a is and are skipped.
 */
export function fitShrinkage(rows: ShrinkageRow[], opts: { minRows: number }): ShrinkageFit {
  if (!Number.isInteger(opts.minRows) || opts.minRows < 0) {
    throw new RangeError(`fitShrinkage: minRows must be an integer ≥ 0, got ${opts.minRows}`);
  }
  rows.forEach((r, i) => {
    if (!Number.isFinite(r.predictedReturn) || !Number.isFinite(r.actualReturn)) {
      throw new RangeError(`fitShrinkage: row ${i} has a non-finite return`);
    }
  });
  const n = rows.length;
  if (n < opts.minRows) return { a: 0, n, reason: 'too-few-rows' };
  const points = rows
    .filter((r) => r.predictedReturn !== 0)
    .map((r) => ({
      ratio: r.actualReturn / r.predictedReturn,
      weight: Math.abs(r.predictedReturn),
    }))
    // Sorting by (ratio, weight) makes the result independent of the rows' order.
    .sort((p, q) => p.ratio - q.ratio || p.weight - q.weight);
  if (points.length === 0) return { a: 0, n, reason: 'all-predictions-zero' };

  const total = points.reduce((s, p) => s + p.weight, 0);
  // The smallest ratio whose cumulative weight reaches half the total: a weighted median. When the
  // half is reached exactly, every a up to the next ratio ties; the lower end leans toward naive.
  let cumulative = 0;
  let median = (points[points.length - 1] as { ratio: number }).ratio;
  for (const p of points) {
    cumulative += p.weight;
    if (cumulative >= total / 2) {
      median = p.ratio;
      break;
    }
  }
  if (median <= 0) return { a: 0, n, reason: 'clipped-to-0' };
  if (median >= 1) return { a: 1, n, reason: 'clipped-to-1' };
  return { a: median, n, reason: 'fitted' };
}

export function servedReturn(a: number, predictedReturn: number): number {
  return a * predictedReturn;
}

/**
 * base·(1 + a·(predictedClose/base − 1)). At a = 0 this is base·1, which is base bit for bit: the
 * naive close, not a rounding of it.
 */
export function servedClose(base: number, a: number, predictedClose: number): number {
  return base * (1 + a * (predictedClose / base - 1));
}
