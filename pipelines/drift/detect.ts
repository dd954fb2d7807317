/**
 * Feature and prediction drift, agreeing with Evidently 0.7's DataDriftPreset defaults for numeric
 * (float) columns. See pipelines/drift/README.md for the rules and where they come from.
 */
import { PREDICTION_ROW } from '../ports/warehouse/schema.js';
import {
  chiSquareTest,
  jensenShannonTest,
  ksTest,
  wassersteinTest,
  zTest,
  type StatTest,
} from './stattests.js';

export interface FeatureDrift {
  feature: string;
  /** Evidently's registered stattest name: 'ks' | 'wasserstein' | 'chisquare' | 'z' | 'jensenshannon'. */
  method: string;
  /** Distance (wasserstein, jensenshannon) or p-value (ks, chisquare, z); null when insufficient data. */
  score: number | null;
  threshold: number;
  /** null means the test was not run for lack of data, never "no drift". */
  drifted: boolean | null;
  referenceSize: number;
  currentSize: number;
  status: 'ok' | 'insufficient_data';
}

export interface DriftReport {
  features: FeatureDrift[];
  /** Features whose test ran and found drift. */
  driftedCount: number;
  /** driftedCount / number of features; null when any feature lacked data. */
  driftShare: number | null;
  /** null when any feature lacked data. */
  datasetDrift: boolean | null;
  status: 'ok' | 'insufficient_data';
}

export interface DriftOptions {
  /** Share of drifted features at or above which the dataset counts as drifted (Evidently: 0.5). */
  datasetShare: number;
  /** Fewer finite current values than this and a feature's test is not run. */
  minCurrentRows: number;
}

/** Evidently switches from small-sample tests to distances above this many reference values. */
const LARGE_REFERENCE = 1000;
/** At most this many distinct values (reference and current together) and a column is tested as categories. */
const FEW_VALUES = 5;

/** Evidently's `_get_default_stattest` for a numerical column, after NaN/±inf are dropped. */
export function selectStatTest(reference: readonly number[], current: readonly number[]): StatTest {
  const nValues = new Set([...reference, ...current]).size;
  if (reference.length <= LARGE_REFERENCE) {
    if (nValues <= FEW_VALUES) return nValues > 2 ? chiSquareTest : zTest;
    return ksTest;
  }
  return nValues <= FEW_VALUES ? jensenShannonTest : wassersteinTest;
}

function validateOptions(opts: { minCurrentRows: number }, datasetShare?: number): void {
  if (!Number.isInteger(opts.minCurrentRows) || opts.minCurrentRows < 1) {
    throw new RangeError(
      `drift: minCurrentRows must be a positive integer, got ${opts.minCurrentRows}`,
    );
  }
  if (datasetShare !== undefined && !(datasetShare > 0 && datasetShare <= 1)) {
    throw new RangeError(`drift: datasetShare must be in (0, 1], got ${datasetShare}`);
  }
}

function finite(xs: readonly number[]): number[] {
  return xs.filter((x) => Number.isFinite(x));
}

function featureDrift(
  feature: string,
  referenceRaw: readonly number[],
  currentRaw: readonly number[],
  minCurrentRows: number,
): FeatureDrift {
  const reference = finite(referenceRaw);
  const current = finite(currentRaw);
  const test = selectStatTest(reference, current);
  const base = {
    feature,
    method: test.name,
    threshold: test.defaultThreshold,
    referenceSize: reference.length,
    currentSize: current.length,
  };
  if (current.length < minCurrentRows || reference.length === 0) {
    return { ...base, score: null, drifted: null, status: 'insufficient_data' };
  }
  const { score, drifted } = test.run(reference, current, test.defaultThreshold);
  return { ...base, score, drifted, status: 'ok' };
}

/**
 * Per-feature drift plus the dataset verdict (share of drifted features ≥ datasetShare).
 * Reference and current must name the same features.
 */
export function detectDrift(
  reference: Record<string, number[]>,
  current: Record<string, number[]>,
  opts: DriftOptions,
): DriftReport {
  validateOptions(opts, opts.datasetShare);
  const names = Object.keys(reference);
  if (names.length === 0) throw new RangeError('detectDrift: reference has no features');
  const missing = names.filter((n) => !(n in current));
  const extra = Object.keys(current).filter((n) => !(n in reference));
  if (missing.length > 0 || extra.length > 0) {
    throw new RangeError(
      `detectDrift: reference and current must have the same features` +
        (missing.length ? `; missing from current: ${missing.join(', ')}` : '') +
        (extra.length ? `; missing from reference: ${extra.join(', ')}` : ''),
    );
  }
  const features = names.map((name) =>
    featureDrift(name, reference[name] ?? [], current[name] ?? [], opts.minCurrentRows),
  );
  const driftedCount = features.filter((f) => f.drifted === true).length;
  // With any feature untested the share is unknown, and an unknown share must not read as "no drift".
  if (features.some((f) => f.status === 'insufficient_data')) {
    return {
      features,
      driftedCount,
      driftShare: null,
      datasetDrift: null,
      status: 'insufficient_data',
    };
  }
  const driftShare = driftedCount / features.length;
  return {
    features,
    driftedCount,
    driftShare,
    datasetDrift: driftShare >= opts.datasetShare,
    status: 'ok',
  };
}

/** Drift of the model's predictions, tested as Evidently tests a numeric 'prediction' column. */
export function detectPredictionDrift(
  referencePreds: number[],
  currentPreds: number[],
  opts: { minCurrentRows: number },
): FeatureDrift {
  validateOptions(opts);
  return featureDrift(PREDICTION_ROW, referencePreds, currentPreds, opts.minCurrentRows);
}
