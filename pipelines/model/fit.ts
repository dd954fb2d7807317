/**
 * Fit and forecast, pure of IO: `fitModel` trains a model from a ticker's bars and features and
 * returns its artifacts (not yet saved); `forecastWith` forecasts from loaded artifacts.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { Bar, FeatureRow } from '../types.js';
import { PipelineError } from '../types.js';
import type { ModelVersionArtifacts, ModelVersionMeta, ReferenceSample } from './io/artifacts.js';
import {
  BAR_COLUMNS,
  buildSamples,
  buildWindow,
  splitChronological,
  type Sample,
} from './dataset.js';
import { evaluateHorizons, type HorizonEvaluation } from './evaluate.js';
import { disposeMembers } from './network/ensemble.js';
import type { TrainResult } from './network/lstm.js';
import { lineageOf } from './lineage.js';
import { applyScaler, fitScaler, ruleFor, type Scaler } from './normalise.js';
import { ensembleRatios } from './ratios.js';
import { encodeTarget, volatilityDaysOf, type TargetSpec } from './target.js';
import { trainMembers, type WarmStartFrom } from './train-members.js';

export type ModelStageConfig = Pick<Config, 'lookback' | 'horizons' | 'indicators' | 'model'> & {
  /** Absent: one member. */
  serving?: Pick<Config['serving'], 'ensembleSize'>;
};

export const ensembleSize = (cfg: ModelStageConfig): number => cfg.serving?.ensembleSize ?? 1;

/** Most recent training-window rows kept per column as the drift baseline. */
export const REFERENCE_ROWS = 2000;

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Retraining policy, backend and thread choice: changing them must not make existing versions look
 * stale (threads default to the machine's cores, and the 1-vCPU function sets 1).
 */
const POLICY_KEYS = new Set([
  'maxAgeDays',
  'naiveMargin',
  'accuracyWindow',
  'retrainCooldownDays',
  'backend',
  'threads',
]);

/** sha256 of the settings that change what a training run produces. */
export function configHash(cfg: ModelStageConfig): string {
  const model = Object.fromEntries(Object.entries(cfg.model).filter(([k]) => !POLICY_KEYS.has(k)));
  const members = ensembleSize(cfg);
  const relevant = {
    lookback: cfg.lookback,
    horizons: cfg.horizons,
    indicators: cfg.indicators,
    model,
    // Absent for one member, so single-model versions keep the hash they always had.
    ...(members === 1 ? {} : { members }),
  };
  return createHash('sha256').update(canonicalJson(relevant)).digest('hex');
}

export interface TestForecast {
  asOf: string;
  horizon: number;
  base: number;
  predicted: number;
  actual: number;
}

export interface FitResult {
  /** The trained members with their meta and drift reference, ready for saveArtifacts. */
  artifacts: ModelVersionArtifacts;
  /** The first member's training (what a single network would have done). */
  training: TrainResult;
  /** Every member's training, member 0 first. */
  trainings: TrainResult[];
  /** The first member alone on the holdout, beside the ensemble's `evaluation`. */
  memberEvaluation: HorizonEvaluation[];
  evaluation: HorizonEvaluation[];
  /** Each test-split forecast in price terms, for inspection or logging as an artifact. */
  testForecasts: TestForecast[];
  sizes: { train: number; validation: number; test: number };
  /** The last holdout window as the network takes it (transformed and scaled): lookback × columns. */
  inputExample: number[][];
  /** Flat run parameters for tracking. */
  params: Record<string, string | number>;
  /** Flat final metrics for tracking, e.g. test_mae_h10, naive_mae_h10, test_mase_h10. */
  metrics: Record<string, number>;
}

const scaled = (scaler: Scaler, samples: readonly Sample[]): number[][][] =>
  samples.map((s) => applyScaler(scaler, s.x));
const targets = (samples: readonly Sample[]): number[][] =>
  samples.map((s) => s.y.map((v) => v ?? Number.NaN));
/** What the network is fitted to: each ratio encoded with its window's σ_t (target.ts). */
const encoded = (
  spec: TargetSpec,
  samples: readonly Sample[],
  horizons: readonly number[],
): number[][] =>
  samples.map((s) =>
    s.y.map((v, k) =>
      v === null ? Number.NaN : encodeTarget(spec, v, s.sigma, horizons[k] as number),
    ),
  );

function referenceSample(
  features: readonly FeatureRow[],
  columns: readonly string[],
  window: { first: string; last: string },
): ReferenceSample {
  const rows = features
    .filter((f) => f.date >= window.first && f.date <= window.last)
    .slice(-REFERENCE_ROWS);
  return {
    dates: rows.map((r) => r.date),
    columns: Object.fromEntries(columns.map((c) => [c, rows.map((r) => r.values[c] as number)])),
  };
}

function flatMetrics(evaluation: readonly HorizonEvaluation[], training: TrainResult) {
  const out: Record<string, number> = {
    epochs_run: training.epochsRun,
    best_epoch: training.bestEpoch,
  };
  const best = training.history[training.bestEpoch - 1];
  if (best) out.best_val_loss = best.valLoss;
  for (const e of evaluation) {
    for (const [who, m] of [
      ['test', e.model],
      ['naive', e.naive],
    ] as const) {
      out[`${who}_mae_h${e.horizon}`] = m.mae;
      out[`${who}_mape_h${e.horizon}`] = m.mape;
      out[`${who}_rmse_h${e.horizon}`] = m.rmse;
      out[`${who}_diracc_h${e.horizon}`] = m.directionalAccuracy;
      if (m.mase !== null) out[`${who}_mase_h${e.horizon}`] = m.mase;
    }
  }
  return out;
}

/** The first member alone, beside the ensemble: what one seed would have scored. */
function memberMetrics(evaluation: readonly HorizonEvaluation[]): Record<string, number> {
  return Object.fromEntries(
    evaluation.flatMap((e) =>
      e.model.mase === null ? [] : [[`member0_mase_h${e.horizon}`, e.model.mase]],
    ),
  );
}

/**
 * Builds samples from the most recent `trainDays` labelled as-of dates, splits them
 * chronologically (gap = longest horizon), fits the scaler on the training split, trains with
 * early stopping, and scores the test split beside the naive forecast.
 */
export async function fitModel(
  bars: readonly Bar[],
  features: readonly FeatureRow[],
  cfg: ModelStageConfig,
  opts: { backend: string; warmStart?: WarmStartFrom },
): Promise<FitResult> {
  const m = cfg.model;
  const maxH = Math.max(...cfg.horizons);
  // Enough rows for trainDays windows with labels, plus the unlabelled tail; older rows are unused.
  const recent = features.slice(-(m.trainDays + cfg.lookback - 1 + maxH));
  const ds = buildSamples(bars, recent, {
    lookback: cfg.lookback,
    horizons: cfg.horizons,
    volatilityDays: volatilityDaysOf(m),
  });
  const split = splitChronological(ds.samples, {
    validationFraction: m.validationFraction,
    testFraction: m.testFraction,
    gap: maxH,
  });
  const scaler = fitScaler(split.train.map((s) => s.x));
  const data = {
    train: { x: scaled(scaler, split.train), y: encoded(m.target, split.train, cfg.horizons) },
    validation: {
      x: scaled(scaler, split.validation),
      y: encoded(m.target, split.validation, cfg.horizons),
    },
  };
  const trained = await trainMembers(cfg, ensembleSize(cfg), ds.columns, data, opts.warmStart);
  const { members, trainings, warmStarted } = trained;
  try {
    const training = trainings[0] as TrainResult;
    const { perMember, mean: predicted } = ensembleRatios(
      members,
      { target: m.target, horizons: cfg.horizons },
      scaled(scaler, split.test),
      split.test.map((s) => s.sigma),
    );
    const actual = targets(split.test);
    const bases = split.test.map((s) => s.base);
    const evaluation = evaluateHorizons(cfg.horizons, bases, predicted, actual);
    const memberEvaluation = evaluateHorizons(cfg.horizons, bases, perMember[0] ?? [], actual);
    const testForecasts = split.test.flatMap((s, i) =>
      cfg.horizons.map((horizon, k) => ({
        asOf: s.asOf,
        horizon,
        base: s.base,
        predicted: s.base * (predicted[i]?.[k] as number),
        actual: s.base * (actual[i]?.[k] as number),
      })),
    );
    const trainWindow = {
      first: (split.train[0] as Sample).asOf,
      last: (split.train[split.train.length - 1] as Sample).asOf,
    };
    const hash = configHash(cfg);
    const meta: ModelVersionMeta = {
      lineage: lineageOf(bars, (recent[0] as FeatureRow).date, (recent.at(-1) as FeatureRow).date),
      formatVersion: 1,
      columns: ds.columns,
      rules: ds.rules,
      scaler,
      lookback: cfg.lookback,
      horizons: [...cfg.horizons],
      configHash: hash,
      trainWindow,
      backend: opts.backend,
      metrics: evaluation,
      members: members.length,
      target: m.target,
      training: {
        warmStart: warmStarted,
        ...(warmStarted && opts.warmStart?.label ? { from: opts.warmStart.label } : {}),
      },
    };
    const featureColumns = ds.columns.slice(BAR_COLUMNS.length);
    const sizes = {
      train: split.train.length,
      validation: split.validation.length,
      test: split.test.length,
    };
    return {
      artifacts: { members, meta, reference: referenceSample(recent, featureColumns, trainWindow) },
      training,
      trainings,
      memberEvaluation,
      evaluation,
      testForecasts,
      inputExample: applyScaler(scaler, (split.test[split.test.length - 1] as Sample).x),
      sizes,
      params: {
        lookback: cfg.lookback,
        horizons: cfg.horizons.join(','),
        units: m.units,
        dropout: m.dropout,
        epochs: m.epochs,
        batch_size: m.batchSize,
        patience: m.patience,
        learning_rate: m.learningRate,
        l2: m.l2,
        target: m.target.kind,
        warm_start: String(warmStarted),
        ...(warmStarted && opts.warmStart?.label ? { warm_start_from: opts.warmStart.label } : {}),
        seed: m.seed,
        ensemble_size: members.length,
        train_days: m.trainDays,
        validation_fraction: m.validationFraction,
        test_fraction: m.testFraction,
        features: ds.columns.join(','),
        n_features: ds.columns.length,
        backend: opts.backend,
        config_hash: hash,
        train_first: trainWindow.first,
        train_last: trainWindow.last,
        n_train: sizes.train,
        n_validation: sizes.validation,
        n_test: sizes.test,
      },
      metrics: { ...flatMetrics(evaluation, training), ...memberMetrics(memberEvaluation) },
    };
  } catch (e) {
    disposeMembers(members);
    throw e;
  }
}

export interface ModelForecast {
  asOf: string;
  /** close(asOf). */
  base: number;
  forecasts: { horizon: number; ratio: number; close: number }[];
}

/** Forecasts from the window ending at `asOf`; bars and feature rows after asOf are ignored. */
export function forecastWith(
  artifacts: Pick<ModelVersionArtifacts, 'members' | 'meta'>,
  bars: readonly Bar[],
  features: readonly FeatureRow[],
  asOf: string,
): ModelForecast {
  const { meta } = artifacts;
  const rules = meta.columns.map(ruleFor);
  if (BAR_COLUMNS.some((c, i) => meta.columns[i] !== c)) {
    throw new PipelineError(
      `version columns must start with ${BAR_COLUMNS.join(', ')}; got ${meta.columns.join(', ')}`,
      undefined,
      'model-version',
    );
  }
  if (rules.some((r, i) => r !== meta.rules[i])) {
    throw new PipelineError(
      'this version was trained with other normalisation rules than this code applies; retrain it',
      undefined,
      'model-version',
    );
  }
  const featureColumns = meta.columns.slice(BAR_COLUMNS.length);
  const { base, x, sigma } = buildWindow(bars, features, asOf, {
    lookback: meta.lookback,
    featureColumns,
    volatilityDays: volatilityDaysOf(meta),
  });
  const ratios =
    ensembleRatios(artifacts.members, meta, [applyScaler(meta.scaler, x)], [sigma]).mean[0] ?? [];
  return {
    asOf,
    base,
    forecasts: meta.horizons.map((horizon, k) => {
      const ratio = ratios[k] as number;
      return { horizon, ratio, close: base * ratio };
    }),
  };
}
