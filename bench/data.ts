/**
 * The benchmark's training data: one real ticker's CSV through the pipeline's own code (adjust →
 * computeIndicators → buildSamples → splitChronological → fitScaler → applyScaler), so the arrays
 * have exactly the shapes and value ranges the daily batch trains on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, type Config } from '../pipelines/config.js';
import { computeIndicators } from '../pipelines/features/indicators.js';
import { adjustBars } from '../pipelines/ingest/adjust.js';
import { buildSamples, splitChronological, type Sample } from '../pipelines/model/dataset.js';
import { applyScaler, fitScaler } from '../pipelines/model/normalise.js';
import { readCsvBars } from '../pipelines/ports/market-data/csv-folder.js';
import type { Bar } from '../pipelines/types.js';

/**
 * The shared, read-only market data (never copied into the repository), beside the checkout; in a
 * linked git worktree, beside the main checkout (git's common dir is <main>/.git).
 */
export const OHLC_DIR = ((): string => {
  const beside = resolve(import.meta.dirname, '../../shared/data/ohlc');
  if (existsSync(beside)) return beside;
  try {
    const common = execFileSync(
      'git',
      ['rev-parse', '--path-format=absolute', '--git-common-dir'],
      {
        cwd: import.meta.dirname,
        encoding: 'utf8',
      },
    ).trim();
    return resolve(dirname(common), '../shared/data/ohlc');
  } catch {
    return beside;
  }
})();

/** The ten years of one real ticker the training figures use. */
export const BENCH_TICKER = { symbol: 'SPY', from: '2008-01-01', to: '2017-12-31' } as const;

/** The CSV file of `symbol` in OHLC_DIR (`SPY-20080101-20180101.csv` names SPY). */
export function csvFor(symbol: string): string {
  if (!existsSync(OHLC_DIR)) throw new Error(`market data folder ${OHLC_DIR} is missing`);
  const name = readdirSync(OHLC_DIR).find((f) => f.toUpperCase().startsWith(`${symbol}-`));
  if (!name) throw new Error(`no ${symbol}-*.csv in ${OHLC_DIR}`);
  return join(OHLC_DIR, name);
}

export interface BenchArrays {
  /** Scaled training windows [n × lookback × columns] and their targets [n × horizons]. */
  x: number[][][];
  y: number[][];
  validation: { x: number[][][]; y: number[][] };
  columns: string[];
  bars: number;
  firstDate: string;
  lastDate: string;
  sizes: { train: number; validation: number; test: number };
}

/** The pipeline's default config (nothing from the environment): the model the bench measures. */
export function defaultConfig(): Config {
  return loadConfig({ env: {} });
}

export async function loadBars(symbol: string, from: string, to: string): Promise<Bar[]> {
  const raw = await readCsvBars(csvFor(symbol), { from, to });
  // The shared CSVs are clean; a NaN row would be quarantined by ingest, so drop it the same way.
  const clean = raw.filter((b) =>
    [b.open, b.high, b.low, b.close, b.volume].every(Number.isFinite),
  );
  return adjustBars(clean.sort((a, b) => (a.date < b.date ? -1 : 1)));
}

/**
 * All of the ticker's history becomes samples (not the pipeline's most recent `trainDays`), split
 * and scaled as fitModel does it, so the training split is ten years' worth.
 */
export async function benchArrays(cfg: Config = defaultConfig()): Promise<BenchArrays> {
  const bars = await loadBars(BENCH_TICKER.symbol, BENCH_TICKER.from, BENCH_TICKER.to);
  const features = computeIndicators(bars, cfg.indicators);
  const ds = buildSamples(bars, features, { lookback: cfg.lookback, horizons: cfg.horizons });
  const split = splitChronological(ds.samples, {
    validationFraction: cfg.model.validationFraction,
    testFraction: cfg.model.testFraction,
    gap: Math.max(...cfg.horizons),
  });
  const scaler = fitScaler(split.train.map((s) => s.x));
  const xs = (s: readonly Sample[]) => s.map((v) => applyScaler(scaler, v.x));
  const ys = (s: readonly Sample[]) => s.map((v) => v.y.map((t) => t ?? Number.NaN));
  return {
    x: xs(split.train),
    y: ys(split.train),
    validation: { x: xs(split.validation), y: ys(split.validation) },
    columns: ds.columns,
    bars: bars.length,
    firstDate: bars[0]?.date ?? '',
    lastDate: bars.at(-1)?.date ?? '',
    sizes: {
      train: split.train.length,
      validation: split.validation.length,
      test: split.test.length,
    },
  };
}
