/** Synthetic inputs for the model-stage tests: seeded, causal, small. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../../pipelines/stats/random.js';
import type { Bar, FeatureRow } from '../../pipelines/types.js';

export async function useWasmBackend(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Weekday dates from 2020-01-01, as a trading calendar. */
export function tradingDates(n: number): string[] {
  const out: string[] = [];
  const d = new Date(Date.UTC(2020, 0, 1));
  while (out.length < n) {
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** A random walk with drift and a weekly cycle, so there is something for a model to learn. */
export function syntheticBars(n: number, seed = 1, start = 100): Bar[] {
  const rng = createRng(seed);
  let close = start;
  return tradingDates(n).map((date, i) => {
    const open = close * (1 + (rng() - 0.5) * 0.01);
    close = close * (1 + 0.0005 + 0.01 * Math.sin(i / 2.5) + (rng() - 0.5) * 0.02);
    const high = Math.max(open, close) * (1 + rng() * 0.01);
    const low = Math.min(open, close) * (1 - rng() * 0.01);
    return { date, open, high, low, close, volume: Math.round(1e6 * (0.5 + rng())) };
  });
}

/**
 * Causal features of four kinds (price level, oscillator in price units, cumulative volume, and an
 * unknown name), dropping the first `warmup` rows as the real indicator stage does.
 */
export function simpleFeatures(bars: readonly Bar[], warmup = 3): FeatureRow[] {
  let obv = 0;
  const rows: FeatureRow[] = [];
  bars.forEach((b, i) => {
    const prev = bars[i - 1];
    if (prev) obv += Math.sign(b.close - prev.close) * b.volume;
    if (i < warmup) return;
    const win = bars.slice(i - warmup + 1, i + 1);
    const sma = win.reduce((a, x) => a + x.close, 0) / win.length;
    const range = win.reduce((a, x) => a + (x.high - x.low), 0) / win.length;
    const past = bars[i - warmup] as Bar;
    rows.push({
      date: b.date,
      values: { sma_3: sma, atr_3: range, obv, mom_3: b.close / past.close - 1 },
    });
  });
  return rows;
}
