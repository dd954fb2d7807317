/**
 * Supervised samples from bars and feature rows: for each as-of date t, the window of the
 * `lookback` rows ending at t (data ≤ t only) and the targets close(t+h) / close(t).
 */
import type { Bar, FeatureRow } from '../types.js';
import { PipelineError } from '../types.js';
import { ruleFor, transformWindow, type ColumnRule } from './normalise.js';
import { DEFAULT_VOLATILITY_DAYS, trailingVolatility } from './target.js';

/** Inputs taken from the bar itself, ahead of the feature columns. */
export const BAR_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;

export interface DatasetOptions {
  lookback: number;
  horizons: readonly number[];
  /** Feature columns to use, in this order. Default: every column of the first row, sorted. */
  featureColumns?: readonly string[];
  /** Daily returns in each sample's σ_t (target.ts). Default DEFAULT_VOLATILITY_DAYS. */
  volatilityDays?: number;
}

export interface Sample {
  asOf: string;
  /** close(t): the price ratios and targets are relative to it. */
  base: number;
  /** [lookback × columns], transformed per window but not yet standardised. */
  x: number[][];
  /** close(t+h) / close(t) per horizon; null where t+h is past the last bar. */
  y: (number | null)[];
  /** σ_t: trailing daily log-return volatility from closes ≤ t (target.ts scales targets by it). */
  sigma: number;
}

export interface Dataset {
  /** Bar columns then feature columns: the network's input order. */
  columns: string[];
  rules: ColumnRule[];
  lookback: number;
  horizons: number[];
  samples: Sample[];
}

function fail(message: string): never {
  throw new PipelineError(message, undefined, 'model-input');
}

function checkBars(bars: readonly Bar[]): void {
  bars.forEach((b, i) => {
    const prev = bars[i - 1];
    if (prev && !(prev.date < b.date)) {
      fail(`bars must be in strictly increasing date order: ${prev.date} then ${b.date}`);
    }
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      if (!Number.isFinite(b[k]) || b[k] <= 0) fail(`bar ${b.date} has ${k}=${b[k]}, need > 0`);
    }
    if (!Number.isFinite(b.volume) || b.volume < 0) {
      fail(`bar ${b.date} has volume=${b.volume}, need ≥ 0`);
    }
  });
}

/** One joined row per feature row: its bar position and raw input values in column order. */
interface Table {
  columns: string[];
  barIndex: number[];
  values: number[][];
}

function buildTable(
  bars: readonly Bar[],
  features: readonly FeatureRow[],
  featureColumns: readonly string[] | undefined,
): Table {
  checkBars(bars);
  const first = features[0];
  if (!first) fail('no feature rows');
  const featCols = featureColumns ? [...featureColumns] : Object.keys(first.values).sort();
  const clash = featCols.find((c) => (BAR_COLUMNS as readonly string[]).includes(c));
  if (clash) fail(`feature column "${clash}" collides with a bar column`);
  const columns = [...BAR_COLUMNS, ...featCols];

  const position = new Map(bars.map((b, i) => [b.date, i]));
  const barIndex: number[] = [];
  const values: number[][] = [];
  features.forEach((row, j) => {
    const i = position.get(row.date);
    if (i === undefined) fail(`feature row ${row.date} has no bar`);
    const prevIndex = barIndex[j - 1];
    if (prevIndex !== undefined && i !== prevIndex + 1) {
      fail(`feature rows must cover consecutive bars; gap before ${row.date}`);
    }
    const bar = bars[i] as Bar;
    const feats = featCols.map((c) => {
      const v = row.values[c];
      if (v === undefined) fail(`feature row ${row.date} lacks column "${c}"`);
      if (!Number.isFinite(v)) fail(`feature row ${row.date} has ${c}=${v}`);
      return v;
    });
    barIndex.push(i);
    values.push([bar.open, bar.high, bar.low, bar.close, bar.volume, ...feats]);
  });
  return { columns, barIndex, values };
}

function checkOptions({ lookback, horizons }: DatasetOptions): void {
  if (!Number.isInteger(lookback) || lookback < 1) fail(`lookback must be a positive integer`);
  if (horizons.length === 0 || horizons.some((h) => !Number.isInteger(h) || h < 1)) {
    fail(`horizons must be positive integers, got [${horizons.join(', ')}]`);
  }
}

/** The transformed window of `lookback` table rows ending at row `end`. */
function windowAt(
  bars: readonly Bar[],
  table: Table,
  rules: ColumnRule[],
  end: number,
  lookback: number,
) {
  const rows = table.values.slice(end - lookback + 1, end + 1);
  const idx = table.barIndex.slice(end - lookback + 1, end + 1);
  return transformWindow(rules, {
    values: rows,
    closes: idx.map((i) => (bars[i] as Bar).close),
    volumes: idx.map((i) => (bars[i] as Bar).volume),
  });
}

export function buildSamples(
  bars: readonly Bar[],
  features: readonly FeatureRow[],
  opts: DatasetOptions,
): Dataset {
  checkOptions(opts);
  const { lookback } = opts;
  const horizons = [...opts.horizons];
  const table = buildTable(bars, features, opts.featureColumns);
  const rules = table.columns.map(ruleFor);
  const closes = bars.map((b) => b.close);
  const volDays = opts.volatilityDays ?? DEFAULT_VOLATILITY_DAYS;
  const samples: Sample[] = [];
  for (let end = lookback - 1; end < table.values.length; end++) {
    const t = table.barIndex[end] as number;
    const bar = bars[t] as Bar;
    samples.push({
      asOf: bar.date,
      base: bar.close,
      x: windowAt(bars, table, rules, end, lookback),
      y: horizons.map((h) => {
        const future = bars[t + h];
        return future ? future.close / bar.close : null;
      }),
      sigma: trailingVolatility(closes, t, volDays),
    });
  }
  return { columns: table.columns, rules, lookback, horizons, samples };
}

/**
 * The single window ending at `asOf`, from data ≤ asOf only (later rows are dropped before the
 * window is built, so nothing after asOf can reach it).
 */
export function buildWindow(
  bars: readonly Bar[],
  features: readonly FeatureRow[],
  asOf: string,
  opts: { lookback: number; featureColumns: readonly string[]; volatilityDays?: number },
): { base: number; x: number[][]; sigma: number } {
  const pastBars = bars.filter((b) => b.date <= asOf);
  const pastFeatures = features.filter((f) => f.date <= asOf);
  const last = pastBars[pastBars.length - 1];
  if (!last || last.date !== asOf) fail(`no bar on ${asOf}`);
  if (pastFeatures[pastFeatures.length - 1]?.date !== asOf) fail(`no feature row on ${asOf}`);
  if (pastFeatures.length < opts.lookback) {
    fail(`need ${opts.lookback} feature rows up to ${asOf}, have ${pastFeatures.length}`);
  }
  const recent = pastFeatures.slice(-opts.lookback);
  const table = buildTable(pastBars, recent, opts.featureColumns);
  const rules = table.columns.map(ruleFor);
  return {
    base: last.close,
    x: windowAt(pastBars, table, rules, recent.length - 1, opts.lookback),
    sigma: trailingVolatility(
      pastBars.map((b) => b.close),
      pastBars.length - 1,
      opts.volatilityDays ?? DEFAULT_VOLATILITY_DAYS,
    ),
  };
}

export interface SplitOptions {
  validationFraction: number;
  testFraction: number;
  /**
   * Samples dropped between train/validation and validation/test. With gap = max horizon, no
   * training target lies inside the validation period, nor any validation target in the test one.
   */
  gap: number;
}

export interface Split {
  train: Sample[];
  validation: Sample[];
  test: Sample[];
}

/** Chronological split of the fully labelled samples: oldest → train, newest → test. No shuffling. */
export function splitChronological(samples: readonly Sample[], opts: SplitOptions): Split {
  samples.forEach((s, i) => {
    const prev = samples[i - 1];
    if (prev && !(prev.asOf < s.asOf))
      fail(`samples out of date order: ${prev.asOf} then ${s.asOf}`);
  });
  const labelled = samples.filter((s) => s.y.every((v) => v !== null));
  const n = labelled.length;
  const nTest = Math.max(1, Math.round(n * opts.testFraction));
  const nVal = Math.max(1, Math.round(n * opts.validationFraction));
  const nTrain = n - nTest - nVal - 2 * opts.gap;
  if (nTrain < 1) {
    fail(
      `${n} labelled samples are too few for validation ${nVal}, test ${nTest} and gaps of ${opts.gap}`,
    );
  }
  const valStart = nTrain + opts.gap;
  const testStart = valStart + nVal + opts.gap;
  return {
    train: labelled.slice(0, nTrain),
    validation: labelled.slice(valStart, valStart + nVal),
    test: labelled.slice(testStart),
  };
}
