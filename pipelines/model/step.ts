/**
 * Model step, the orchestration only: train or load through the catalog's ports. The registry
 * (local or MLflow) says which version is the champion; the object store holds each version's
 * artifacts. The rules are pure (decide.ts), the IO is in io/.
 */
import type { ModelContext } from '../context.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import { PipelineError, type Bar, type FeatureRow } from '../types.js';
import {
  decidePromotion,
  decideTrainOrLoad,
  degenerateForecasts,
  championOnHoldout,
  holdoutDm,
  holdoutMase,
  type Decision,
} from './decide.js';
import { meanOrNull } from './evaluate.js';
import { configHash, fitModel, type FitResult } from './fit.js';
import { saveArtifacts } from './io/artifacts.js';
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
import { logTraining } from './io/tracking.js';
import { lineageMismatch, versionLabel } from './lineage.js';
import { disposeMembers } from './network/ensemble.js';
import { ensembleRatios } from './ratios.js';

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

/** The model step's data inputs: the ingest half's bars and feature rows, up to the as-of date. */
export interface ModelInputs {
  bars: Bar[];
  features: FeatureRow[];
}

const loading = (reason: string, serving: ServingVersion): ModelStepResult => ({
  decision: 'load',
  reason,
  serving,
  promoted: false,
  challengerMase: null,
  championMase: null,
});

/** Trains a challenger, scores it beside the champion, saves, logs and registers it. */
async function trainChallenger(
  ctx: ModelContext,
  data: ModelInputs,
  decision: Decision,
  usable: AliasedVersion | undefined,
  laterChampion: boolean,
): Promise<ModelStepResult> {
  const { cat, ticker, asOf } = ctx;
  const cfg = cat.config;
  const hash = configHash(cfg);
  const minRows = cfg.lookback + Math.max(...cfg.horizons) + 50;
  if (data.features.length < minRows) {
    throw new PipelineError(
      `history too short to train: ${data.features.length} feature rows after warm-up, need at least lookback + horizon + 50 = ${minRows}`,
      ticker,
      'min_history',
    );
  }
  const startedAt = Date.now();
  // The serving version's weights, offered as a warm start (model.warmStart; train-members.ts).
  const warmStart = usable
    ? {
        members: usable.serving.artifacts.members,
        label: usable.serving.label,
        meta: usable.serving.artifacts.meta,
      }
    : undefined;
  const fit = await fitModel(data.bars, data.features, cfg, { backend: ctx.backend, warmStart });
  let serves = false;
  try {
    // The bars' hash is in the label: a retrain on corrected bars never reuses the stale version's files.
    const label = versionLabel(asOf, hash, fit.artifacts.meta.lineage);
    const key = versionKey(ticker, label);
    const challengerMase = meanOrNull(fit.evaluation.map((e) => e.model.mase));
    const champion = usable?.serving.artifacts;
    const onHoldout = champion
      ? championOnHoldout(
          {
            meta: champion.meta,
            predict: (windows, sigmas) =>
              ensembleRatios(champion.members, champion.meta, windows, sigmas).mean,
          },
          fit.testForecasts,
          data,
          hash,
        )
      : null;
    const championMase =
      champion && onHoldout ? holdoutMase(onHoldout, champion.meta.horizons) : null;
    // A ReLU output that died forecasts 0 for everything: such a model must never serve.
    const degenerate = degenerateForecasts(fit.testForecasts);
    if (degenerate && !usable) {
      throw new PipelineError(
        `the trained model is degenerate: ${degenerate} of ${fit.testForecasts.length} holdout forecasts are not a positive close (dead ReLU output); no model to serve`,
        ticker,
        'degenerate_model',
      );
    }
    const promotion = decidePromotion({
      hasChampion: !!usable,
      challengerMase,
      championMase,
      degenerate,
      laterChampion,
      significance: cfg.serving.significance,
      dm: onHoldout && holdoutDm(fit.testForecasts, onHoldout),
    });

    // A retry of a day that failed after saving finds the version there (same seed, same data):
    // it keeps that one rather than failing on "already exists".
    const saved = await cat.store.get(`${key}/manifest.json`);
    const source = saved ? cat.store.uri(key) : await saveArtifacts(cat.store, key, fit.artifacts);
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
      runId: ctx.runId,
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
      serving: serves || !usable ? { label, key, artifacts: fit.artifacts } : usable.serving,
      promoted: registered.promoted,
      challengerMase,
      championMase,
      fit,
    };
  } finally {
    if (!serves) disposeMembers(fit.artifacts.members);
  }
}

/** Without the registry no challenger can be compared or promoted: serve what served last. */
async function withoutRegistry(
  ctx: ModelContext,
  data: ModelInputs,
  down: RegistryUnavailable,
  served: RowOf<'model_decisions'> | undefined,
): Promise<ModelStepResult> {
  const { cat, ticker, asOf } = ctx;
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
    ctx,
    data,
    { action: 'train', reason: `${down.message}; no version served before` },
    undefined,
    false,
  );
}

export async function modelStep(ctx: ModelContext, data: ModelInputs): Promise<ModelStepResult> {
  const { cat, ticker, asOf } = ctx;
  const { bars } = data;

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
    disposeMembers(serving.artifacts.members);
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
    return withoutRegistry(ctx, data, e, served);
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
            label: usable.serving.label,
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
        : await trainChallenger(ctx, data, decision, usable, laterChampion);
    return result;
  } finally {
    // The champion's tensors are freed unless it is what serves.
    if (loaded && result?.serving !== loaded.serving)
      disposeMembers(loaded.serving.artifacts.members);
  }
}
