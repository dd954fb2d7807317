/**
 * How each input column is made scale-free before it reaches the network.
 *
 * Two steps. (1) A per-window transform chosen from the column's name, so the inputs mean the same
 * thing at $5 and at $500 and a price outside the training range is still an ordinary input.
 * (2) A standardiser (mean/std per column) fitted on the training samples only.
 */
import { PipelineError } from '../types.js';

/**
 * - `price`: value / close_t − 1, where close_t is the last close of the window (the as-of close).
 * - `logVolume`: log1p(volume) minus its window mean; zero volume (indices) stays finite.
 * - `perRowClose`: value / that row's close; oscillators quoted in price units (MACD, ATR).
 * - `obvFlow`: (obv_i − obv at window start) / window volume; OBV's level depends on where the
 *   series began, only its change inside the window means anything.
 * - `standard`: value as is, left to the standardiser (bounded oscillators, unknown columns).
 */
export type ColumnRule = 'price' | 'logVolume' | 'perRowClose' | 'obvFlow' | 'standard';

/**
 * Column name → rule. A key matches the name itself or the name followed by `_<params>`
 * (`sma` matches `sma_20`). The longest matching key wins; a name matching none is `standard`.
 */
export const COLUMN_RULES: Readonly<Record<string, ColumnRule>> = {
  open: 'price',
  high: 'price',
  low: 'price',
  close: 'price',
  sma: 'price',
  ema: 'price',
  bb_upper: 'price',
  bb_middle: 'price',
  bb_lower: 'price',
  volume: 'logVolume',
  macd: 'perRowClose',
  macd_signal: 'perRowClose',
  macd_hist: 'perRowClose',
  atr: 'perRowClose',
  obv: 'obvFlow',
  rsi: 'standard',
  stoch_k: 'standard',
  stoch_d: 'standard',
};

export function ruleFor(column: string): ColumnRule {
  let best: { key: string; rule: ColumnRule } | undefined;
  for (const [key, rule] of Object.entries(COLUMN_RULES)) {
    if (column !== key && !column.startsWith(`${key}_`)) continue;
    if (!best || key.length > best.key.length) best = { key, rule };
  }
  return best?.rule ?? 'standard';
}

/** Raw values of one window: `values[i][c]` for row i (oldest first) and column c, plus closes. */
export interface RawWindow {
  values: readonly (readonly number[])[];
  closes: readonly number[];
  volumes: readonly number[];
}

/** Step 1: the per-window transform. Uses only the rows of the window, so it is causal. */
export function transformWindow(rules: readonly ColumnRule[], w: RawWindow): number[][] {
  const n = w.values.length;
  const closeT = w.closes[n - 1];
  if (closeT === undefined || !(closeT > 0)) {
    throw new PipelineError('window needs a positive last close', undefined, 'model-input');
  }
  const out = w.values.map((row) => new Array<number>(row.length).fill(0));
  rules.forEach((rule, c) => {
    const col = w.values.map((row) => row[c] as number);
    switch (rule) {
      case 'price':
        col.forEach((v, i) => ((out[i] as number[])[c] = v / closeT - 1));
        break;
      case 'logVolume': {
        const logs = col.map((v) => Math.log1p(v));
        const mean = logs.reduce((a, b) => a + b, 0) / n;
        logs.forEach((v, i) => ((out[i] as number[])[c] = v - mean));
        break;
      }
      case 'perRowClose':
        col.forEach((v, i) => ((out[i] as number[])[c] = v / (w.closes[i] as number)));
        break;
      case 'obvFlow': {
        const total = w.volumes.reduce((a, b) => a + b, 0);
        const start = col[0] as number;
        col.forEach((v, i) => ((out[i] as number[])[c] = total > 0 ? (v - start) / total : 0));
        break;
      }
      case 'standard':
        col.forEach((v, i) => ((out[i] as number[])[c] = v));
        break;
    }
  });
  return out;
}

/** Step 2 parameters: per-column mean and standard deviation of the transformed training values. */
export interface Scaler {
  mean: number[];
  std: number[];
}

/**
 * Fits on every cell of the given (training) windows. A column with no spread gets std 1 so it maps
 * to a constant 0 instead of dividing by zero.
 */
export function fitScaler(windows: readonly (readonly (readonly number[])[])[]): Scaler {
  const first = windows[0]?.[0];
  if (!first)
    throw new PipelineError('cannot fit a scaler on no samples', undefined, 'model-input');
  const k = first.length;
  const sum = new Array<number>(k).fill(0);
  let count = 0;
  for (const w of windows) {
    for (const row of w) {
      for (let c = 0; c < k; c++) sum[c] = (sum[c] as number) + (row[c] as number);
      count++;
    }
  }
  const mean = sum.map((s) => s / count);
  const sq = new Array<number>(k).fill(0);
  for (const w of windows) {
    for (const row of w) {
      for (let c = 0; c < k; c++)
        sq[c] = (sq[c] as number) + ((row[c] as number) - (mean[c] as number)) ** 2;
    }
  }
  const std = sq.map((s) => {
    const sd = Math.sqrt(s / count);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, std };
}

export function applyScaler(scaler: Scaler, window: readonly (readonly number[])[]): number[][] {
  return window.map((row) =>
    row.map((v, c) => (v - (scaler.mean[c] as number)) / (scaler.std[c] as number)),
  );
}

/** Inverse of both steps for `price` columns: the prices the scaled window was built from. */
export function denormalisePrices(
  rules: readonly ColumnRule[],
  scaler: Scaler,
  scaled: readonly (readonly number[])[],
  closeT: number,
): (number | null)[][] {
  return scaled.map((row) =>
    row.map((z, c) =>
      rules[c] === 'price'
        ? (z * (scaler.std[c] as number) + (scaler.mean[c] as number) + 1) * closeT
        : null,
    ),
  );
}
