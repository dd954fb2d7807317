/**
 * Seeded circular-block bootstrap (Politis & Romano 1992, the wrap-around variant of Künsch's 1989
 * moving-block bootstrap) of a ratio of sums, for a MASE confidence interval: MASE = Σ|model error|
 * / Σ|naive error| over the same resolved predictions, and h-step errors overlap, so pairs are
 * resampled in contiguous blocks to keep their serial dependence. Circular rather than moving
 * blocks because wrapping gives every observation the same chance of being drawn; moving blocks
 * under-weight the first and last block − 1 observations, which are the newest ones here.
 */
import { createRng } from './random.js';

export interface BlockBootstrapOptions {
  /** Block length in observations; 1 is the iid bootstrap. Use about the forecast horizon. */
  block: number;
  /** Default 2000. */
  replicates?: number;
  /** Two-sided confidence level, default 0.95. */
  level?: number;
  seed: number;
}

export interface RatioCi {
  /** Σnum / Σden on the data as given. */
  estimate: number;
  lower: number;
  upper: number;
}

/** Quantile with linear interpolation between order statistics (R's type 7), of sorted values. */
function quantileSorted(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return lo === hi ? a : a + (b - a) * (pos - lo);
}

function validate(num: readonly number[], den: readonly number[], opts: BlockBootstrapOptions) {
  const n = num.length;
  if (den.length !== n) {
    throw new RangeError(
      `blockBootstrapRatioCi: num and den must have the same length, got ${n} and ${den.length}`,
    );
  }
  if (n < 2) throw new RangeError(`blockBootstrapRatioCi: need at least 2 pairs, got ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(num[i]) || !Number.isFinite(den[i])) {
      throw new RangeError(`blockBootstrapRatioCi: pair ${i} is not finite`);
    }
  }
  const { block } = opts;
  if (!Number.isInteger(block) || block < 1 || block > n) {
    throw new RangeError(
      `blockBootstrapRatioCi: block must be an integer in [1, n=${n}], got ${block}`,
    );
  }
  const replicates = opts.replicates ?? 2000;
  if (!Number.isInteger(replicates) || replicates < 2) {
    throw new RangeError(
      `blockBootstrapRatioCi: replicates must be an integer ≥ 2, got ${replicates}`,
    );
  }
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`blockBootstrapRatioCi: level must be in (0, 1), got ${level}`);
  }
  if (!Number.isInteger(opts.seed)) {
    throw new RangeError(`blockBootstrapRatioCi: seed must be an integer, got ${opts.seed}`);
  }
  return { n, block, replicates, level };
}

export function blockBootstrapRatioCi(
  num: number[],
  den: number[],
  opts: BlockBootstrapOptions,
): RatioCi {
  const { n, block, replicates, level } = validate(num, den, opts);
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
  const denSum = sum(den);
  if (denSum === 0) {
    throw new RangeError(
      'blockBootstrapRatioCi: the denominator sums to 0, the ratio is undefined',
    );
  }
  const estimate = sum(num) / denSum;

  const rng = createRng(opts.seed);
  const ratios: number[] = [];
  for (let r = 0; r < replicates; r++) {
    let sNum = 0;
    let sDen = 0;
    // ⌈n/block⌉ blocks at uniform start points, wrapping past the end, truncated to n draws so
    // every replicate has the original length.
    for (let drawn = 0; drawn < n;) {
      const start = Math.floor(rng() * n);
      for (let j = 0; j < block && drawn < n; j++, drawn++) {
        const i = (start + j) % n;
        sNum += num[i] as number;
        sDen += den[i] as number;
      }
    }
    const ratio = sNum / sDen;
    // A zero resampled denominator with a zero numerator has no ratio at all; ±Infinity still
    // sorts to an end of the percentile interval, which is the honest answer.
    if (Number.isNaN(ratio)) {
      throw new RangeError(
        'blockBootstrapRatioCi: a replicate drew only zero numerators and denominators (0/0)',
      );
    }
    ratios.push(ratio);
  }
  ratios.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { estimate, lower: quantileSorted(ratios, tail), upper: quantileSorted(ratios, 1 - tail) };
}
