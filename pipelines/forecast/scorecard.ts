/**
 * One forecaster's realised record for a ticker and horizon: MASE with a block-bootstrap interval,
 * a Diebold–Mariano test against naive, direction beside the always-up rate, and the coverage and
 * width of its intervals (Kupiec's test on non-overlapping rows). Pure; the ledger summary and
 * `stockops evaluate` both use it, so the two report the same numbers the same way.
 */
import { blockBootstrapRatioCi } from '../stats/block-bootstrap.js';
import { dieboldMariano } from '../stats/diebold-mariano.js';
import { kupiec } from '../stats/kupiec.js';
import type { Bounds } from './policy.js';

export interface ScoredRow {
  asOfDate: string;
  base: number;
  actual: number;
  forecast: number;
  /** The published intervals; absent where none was published. */
  intervals?: { '80': Bounds; '95': Bounds };
}

export interface Coverage {
  /** Rows with an interval. */
  n: number;
  coverage: number;
  /** Kupiec's proportion-of-failures p-value on every h-th row (overlapping targets are dependent). */
  kupiecP: number | null;
  /** Mean (upper − lower) / base, in percent, over bounded intervals. */
  widthPct: number | null;
  /** The `window` consecutive rows whose coverage is farthest from nominal (worstWindow). */
  worst: CoverageWindow | null;
}

export interface CoverageWindow {
  coverage: number;
  /** First and last as-of date of the window, and its rows. */
  from: string;
  to: string;
  n: number;
}

/** Rows per window of worstWindow in the scorecard: about a year of sessions. */
export const WORST_WINDOW = 250;

/**
 * The run of `window` consecutive rows (as-of order) whose coverage is farthest from `nominal`, in
 * either direction; the first such run on a tie, the whole series when it is shorter. An average
 * over years can hide a crash where the intervals missed for months: this is where they did.
 */
export function worstWindow(
  hits: readonly { asOfDate: string; c: boolean }[],
  window: number,
  nominal: number,
): CoverageWindow | null {
  if (!hits.length) return null;
  const w = Math.min(window, hits.length);
  let covered = 0;
  let worst: CoverageWindow | null = null;
  for (let i = 0; i < hits.length; i++) {
    covered += hits[i]?.c ? 1 : 0;
    if (i >= w) covered -= hits[i - w]?.c ? 1 : 0;
    if (i < w - 1) continue;
    const coverage = covered / w;
    if (!worst || Math.abs(coverage - nominal) > Math.abs(worst.coverage - nominal)) {
      const from = hits[i - w + 1]?.asOfDate ?? '';
      worst = { coverage, from, to: hits[i]?.asOfDate ?? '', n: w };
    }
  }
  return worst;
}

export interface Scorecard {
  n: number;
  mase: number | null;
  maseLower: number | null;
  maseUpper: number | null;
  /** Diebold–Mariano against naive, two-sided; negative statistic = more accurate than naive. */
  dmStatistic: number | null;
  dmPValue: number | null;
  directionalAccuracy: number;
  /** The directional accuracy of always forecasting a rise, on the same rows. */
  alwaysUpRate: number;
  coverage: Record<'80' | '95', Coverage | null>;
}

export const covers = (b: Bounds, actual: number): boolean | null =>
  b.lower === null && b.upper === null
    ? null
    : (b.lower === null || actual >= b.lower) && (b.upper === null || actual <= b.upper);

function coverageOf(
  rows: readonly ScoredRow[],
  level: '80' | '95',
  h: number,
  window: number,
): Coverage | null {
  const hits = rows.flatMap((r) => {
    const b = r.intervals?.[level];
    const c = b ? covers(b, r.actual) : null;
    return c === null || !b ? [] : [{ c, b, base: r.base, asOfDate: r.asOfDate }];
  });
  if (!hits.length) return null;
  const spaced = hits.filter((_, i) => i % h === 0);
  const widths = hits.flatMap(({ b, base }) =>
    b.lower === null || b.upper === null ? [] : [(100 * (b.upper - b.lower)) / base],
  );
  return {
    n: hits.length,
    coverage: hits.filter((x) => x.c).length / hits.length,
    kupiecP: kupiec({
      n: spaced.length,
      misses: spaced.filter((x) => !x.c).length,
      coverage: Number(level) / 100,
    }).pValue,
    widthPct: widths.length ? widths.reduce((s, w) => s + w, 0) / widths.length : null,
    worst: worstWindow(hits, window, Number(level) / 100),
  };
}

/** Scores rows in as-of order; `seed` makes the bootstrap interval repeatable. */
export function scorecard(
  rows: readonly ScoredRow[],
  opts: { h: number; seed: number; window?: number },
): Scorecard {
  const window = opts.window ?? WORST_WINDOW;
  const sorted = [...rows].sort((a, b) => (a.asOfDate < b.asOfDate ? -1 : 1));
  const err = sorted.map((r) => r.actual - r.forecast);
  const naiveErr = sorted.map((r) => r.actual - r.base);
  const num = err.map(Math.abs);
  const den = naiveErr.map(Math.abs);
  const denSum = den.reduce((s, x) => s + x, 0);
  const ci =
    sorted.length >= 2 && denSum > 0
      ? blockBootstrapRatioCi(num, den, { block: opts.h, seed: opts.seed })
      : null;
  // Naive against itself has no test; nor do rows where the two never differ.
  const differs = err.some((e, i) => Math.abs(e) !== Math.abs(naiveErr[i] ?? 0));
  let dm: { statistic: number; pValue: number } | null = null;
  if (differs && sorted.length > opts.h + 1) {
    try {
      dm = dieboldMariano(err, naiveErr, { h: opts.h, power: 1, alternative: 'two-sided' });
    } catch {
      // A degenerate loss differential (zero variance at every lag) has no test.
      dm = null;
    }
  }
  const sign = Math.sign;
  const n = sorted.length;
  return {
    n,
    mase: denSum > 0 ? num.reduce((s, x) => s + x, 0) / denSum : null,
    maseLower: ci?.lower ?? null,
    maseUpper: ci?.upper ?? null,
    dmStatistic: dm?.statistic ?? null,
    dmPValue: dm?.pValue ?? null,
    directionalAccuracy: n
      ? sorted.filter((r) => sign(r.forecast - r.base) === sign(r.actual - r.base)).length / n
      : 0,
    alwaysUpRate: n ? sorted.filter((r) => r.actual > r.base).length / n : 0,
    coverage: {
      '80': coverageOf(sorted, '80', opts.h, window),
      '95': coverageOf(sorted, '95', opts.h, window),
    },
  };
}
