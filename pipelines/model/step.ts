/**
 * Model step: train or load, through the catalog's ports. The registry (local or MLflow) decides
 * which version is the champion; the object store holds each version's artifacts.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../catalog.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import { PipelineError, type Bar, type FeatureRow } from '../types.js';
import { saveModelVersion, type ModelVersionArtifacts } from './io/artifacts.js';
import { BAR_COLUMNS, buildSamples } from './dataset.js';
import { decidePromotion, decideTrainOrLoad, type Decision } from './decide.js';
import { forecastMetrics } from './evaluate.js';
import { decisionOn, lastDatasetDrift, latestDecisions, realisedAccuracy } from './io/history.js';
import {
  ARTIFACT_KEY_TAG,
  DATA_THROUGH_TAG,
  loadByAlias,
  loadServing,
  register,
  RegistryUnavailable,
  versionKey,
  type AliasedVersion,
  type ServingVersion,
} from './io/registry.js';
import { lineageMismatch } from './lineage.js';
import { logTraining } from './io/tracking.js';
import { predict } from './network/lstm.js';
import { applyScaler } from './normalise.js';
import { configHash, fitVersion, type FitResult } from './fit.js';

export {
  ARTIFACT_KEY_TAG,
  DATA_THROUGH_TAG,
  registeredModelName,
  type ServingVersion,
} from './io/registry.js';

export interface ModelStepResult {
  decision: 'train' | 'load';
  reason: string;
  serving: ServingVersion;
  promoted: boolean;
  challengerMase: number | null;
  championMase: number | null;
  /** The fit, when this run trained. */
  fit?: FitResult;
}

interface StepInput {
  cat: Catalog;
  ticker: string;
  asOf: string;
  bars: Bar[];
  features: FeatureRow[];
  runId: string;
  backend: string;
}

const meanOrNull = (xs: (number | null)[]): number | null =>
  xs.length && xs.every((x): x is number => x !== null)
    ? xs.reduce((a, b) => a + b, 0) / xs.length
    : null;

const loading = (reason: string, serving: ServingVersion): ModelStepResult => ({
  decision: 'load',
  reason,
  serving,
  promoted: false,
  challengerMase: null,
  championMase: null,
});

/**
 * The champion's MASE on the challenger's holdout: the same as-of dates, the same actual closes,
 * its windows built and predicted in one batch. A champion trained on other features or
 * normalisation rules (the config or the code changed) cannot be scored: null.
 */
function scoreOnHoldout(
  champion: ModelVersionArtifacts,
  fit: FitResult,
  s: StepInput,
  hash: string,
): number | null {
  const { meta } = champion;
  const needs = meta.columns.slice(BAR_COLUMNS.length);
  const has = s.features[0]?.values ?? {};
  const first = fit.testForecasts[0]?.asOf;
  if (meta.configHash !== hash || needs.some((c) => !(c in has)) || !first) return null;
  const from = Math.max(0, s.features.findIndex((f) => f.date >= first) - meta.lookback + 1);
  const ds = buildSamples(s.bars, s.features.slice(from), {
    lookback: meta.lookback,
    horizons: meta.horizons,
    featureColumns: needs,
  });
  if (ds.rules.some((r, i) => r !== meta.rules[i])) return null;
  const asOfs = new Set(fit.testForecasts.map((t) => t.asOf));
  const windows = ds.samples.filter((x) => asOfs.has(x.asOf));
  const ratios = predict(
    champion.model,
    windows.map((x) => applyScaler(meta.scaler, x.x)),
  );
  const ratiosOn = new Map(windows.map((x, i) => [x.asOf, ratios[i] ?? []]));
  return meanOrNull(
    meta.horizons.map((h, k) => {
      const rows = fit.testForecasts
        .filter((t) => t.horizon === h)
        .map((t) => ({
          base: t.base,
          actual: t.actual,
          predicted: t.base * (ratiosOn.get(t.asOf)?.[k] ?? Number.NaN),
        }));
      return rows.length ? forecastMetrics(rows).mase : null;
    }),
  );
}

/** Trains a challenger, scores it beside the champion, saves, logs and registers it. */
async function trainChallenger(
  s: StepInput,
  decision: Decision,
  usable: AliasedVersion | undefined,
  laterChampion: boolean,
): Promise<ModelStepResult> {
  const { cat, ticker, asOf } = s;
  const cfg = cat.config;
  const hash = configHash(cfg);
  const minRows = cfg.lookback + Math.max(...cfg.horizons) + 50;
  if (s.features.length < minRows) {
    throw new PipelineError(
      `history too short to train: ${s.features.length} feature rows after warm-up, need at least lookback + horizon + 50 = ${minRows}`,
      ticker,
      'min_history',
    );
  }
  const startedAt = Date.now();
  const fit = await fitVersion(s.bars, s.features, cfg, { backend: s.backend });
  let serves = false;
  try {
    // The bars' hash is in the label: a retrain on corrected bars never reuses the stale version's files.
    const label = `${asOf}-${createHash('sha256')
      .update(`${hash}|${fit.version.meta.lineage?.sha256 ?? ''}`)
      .digest('hex')
      .slice(0, 8)}`;
    const key = versionKey(ticker, label);
    const challengerMase = meanOrNull(fit.evaluation.map((e) => e.model.mase));
    const championMase = usable ? scoreOnHoldout(usable.serving.artifacts, fit, s, hash) : null;
    // A ReLU output that died forecasts 0 for everything: such a model must never serve.
    const dead = fit.testForecasts.filter(
      (t) => !(t.predicted > 0 && Number.isFinite(t.predicted)),
    );
    if (dead.length && !usable) {
      throw new PipelineError(
        `the trained model is degenerate: ${dead.length} of ${fit.testForecasts.length} holdout forecasts are not a positive close (dead ReLU output); no model to serve`,
        ticker,
        'degenerate_model',
      );
    }
    const promotion = dead.length
      ? {
          promote: false,
          reason: `challenger is degenerate (${dead.length} holdout forecasts ≤ 0)`,
        }
      : laterChampion
        ? { promote: false, reason: 'kept the later champion' }
        : decidePromotion({ hasChampion: !!usable, challengerMase, championMase });

    // A retry of a day that failed after saving finds the version there (same seed, same data):
    // it keeps that one rather than failing on "already exists".
    const saved = await cat.store.get(`${key}/manifest.json`);
    const source = saved ? cat.store.uri(key) : await saveModelVersion(cat.store, key, fit.version);
    // The holdout's predicted returns (first horizon): the reference for prediction drift.
    const h0 = cfg.horizons[0];
    const predictedReturns = fit.testForecasts
      .filter((t) => t.horizon === h0)
      .map((t) => t.predicted / t.base - 1);
    await cat.store.put(`${key}/prediction-reference.json`, JSON.stringify(predictedReturns));
    const trackingRunId = await logTraining(cat, {
      startedAt,
      ticker,
      asOf,
      label,
      key,
      fit,
      decision,
      promotion,
      runId: s.runId,
      championMase,
    });
    const tags = { [ARTIFACT_KEY_TAG]: key, [DATA_THROUGH_TAG]: asOf, config_hash: hash, ticker };
    const registered = await register(
      cat,
      ticker,
      { source, runId: trackingRunId, tags },
      promotion.promote,
    );
    // What serves is what the registry now says: a promotion whose alias move failed keeps the champion.
    serves = registered.promoted || !usable;
    return {
      decision: 'train',
      reason: [decision.reason, promotion.reason, registered.note].filter(Boolean).join('; '),
      serving: serves || !usable ? { label, key, artifacts: fit.version } : usable.serving,
      promoted: registered.promoted,
      challengerMase,
      championMase,
      fit,
    };
  } finally {
    if (!serves) fit.version.model.dispose();
  }
}

/** Without the registry no challenger can be compared or promoted: serve what served last. */
async function withoutRegistry(
  s: StepInput,
  down: RegistryUnavailable,
  served: RowOf<'model_decisions'> | undefined,
): Promise<ModelStepResult> {
  const { cat, ticker, asOf } = s;
  cat.log.warn(
    served?.model_version
      ? 'model registry unavailable; serving the version served last'
      : 'model registry unavailable and no version served before; training one',
    { ticker, asOf, version: served?.model_version, error: down.message },
  );
  if (served?.model_version) {
    return loading(
      `${down.message}; serving ${served.model_version}, the version served on ${served.as_of_date}`,
      await loadServing(cat, ticker, served.model_version),
    );
  }
  return trainChallenger(
    s,
    { action: 'train', reason: `${down.message}; no version served before` },
    undefined,
    false,
  );
}

export async function modelStep(
  cat: Catalog,
  ticker: string,
  asOf: string,
  bars: Bar[],
  features: FeatureRow[],
  ctx: { runId: string; backend: string },
): Promise<ModelStepResult> {
  const s: StepInput = { cat, ticker, asOf, bars, features, ...ctx };

  // A re-run of a day serves the version that day already chose, so it writes the same rows —
  // unless the bars that version was trained on have changed since (a corrected re-run).
  const earlier = await decisionOn(cat, ticker, asOf);
  if (earlier?.model_version) {
    const serving = await loadServing(cat, ticker, earlier.model_version);
    const stale = lineageMismatch(serving.label, serving.artifacts.meta.lineage, bars);
    if (!stale) {
      return {
        ...loading(earlier.reason, serving),
        decision: earlier.decision as 'train' | 'load',
        promoted: earlier.promoted,
        challengerMase: earlier.challenger_mase,
        championMase: earlier.champion_mase,
      };
    }
    serving.artifacts.model.dispose();
    cat.log.warn('not serving the version this day chose: its bars changed', {
      ticker,
      asOf,
      stale,
    });
  }

  const { served, lastTrainedOn } = await latestDecisions(cat, ticker, asOf);
  let loaded: AliasedVersion | undefined;
  try {
    loaded = await loadByAlias(cat, ticker, 'champion');
  } catch (e) {
    if (!(e instanceof RegistryUnavailable)) throw e;
    return withoutRegistry(s, e, served);
  }

  let result: ModelStepResult | undefined;
  try {
    // Point in time: a champion trained on data after D (a backfill of earlier days) cannot serve D.
    const inTime = loaded && loaded.dataThrough <= asOf ? loaded : undefined;
    const laterChampion = !!loaded && !inTime;
    // A champion whose training bars changed since describes other data: it is set aside, as if
    // absent, so a corrected re-run decides exactly as a clean run would.
    const stale =
      inTime && lineageMismatch(inTime.serving.label, inTime.serving.artifacts.meta.lineage, bars);
    if (stale)
      cat.log.warn('champion set aside: its training bars changed', { ticker, asOf, stale });
    const usable = stale ? undefined : inTime;
    const decision: Decision = laterChampion
      ? {
          action: 'train',
          reason: `champion ${loaded?.serving.label} saw data through ${loaded?.dataThrough}, after ${asOf}`,
        }
      : decideTrainOrLoad({
          asOf,
          configHash: configHash(cat.config),
          champion: usable && {
            version: usable.serving.label,
            trainedThrough: usable.dataThrough,
            configHash: usable.serving.artifacts.meta.configHash,
          },
          lastDatasetDrift: usable
            ? await lastDatasetDrift(cat, ticker, usable.serving.label, asOf)
            : null,
          realised: usable
            ? await realisedAccuracy(cat, ticker, usable.serving.label, asOf)
            : undefined,
          lastTrainedOn,
          policy: cat.config.model,
        });
    result =
      decision.action === 'load' && usable
        ? loading(decision.reason, usable.serving)
        : await trainChallenger(s, decision, usable, laterChampion);
    return result;
  } finally {
    // The champion's tensors are freed unless it is what serves.
    if (loaded && result?.serving !== loaded.serving) loaded.serving.artifacts.model.dispose();
  }
}
