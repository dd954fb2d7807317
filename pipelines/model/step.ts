/**
 * Model step: train or load, through the catalog's ports. The registry (local or MLflow) decides
 * which version is the champion; the object store holds each version's artifacts.
 */
import type { Catalog } from '../catalog.js';
import type { Alias, ModelVersion } from '../ports/tracking/port.js';
import { PipelineError, type Bar, type FeatureRow } from '../types.js';
import { loadModelVersion, saveModelVersion, type ModelVersionArtifacts } from './artifacts.js';
import { decidePromotion, decideTrainOrLoad, type ChampionInfo } from './decide.js';
import { forecastMetrics } from './evaluate.js';
import { configHash, fitVersion, forecastFromVersion, type FitResult } from './version.js';
import { logTraining } from './tracking.js';

export const ARTIFACT_KEY_TAG = 'stockops.artifact_key';
export const DATA_THROUGH_TAG = 'stockops.data_through';

export interface ServingVersion {
  label: string;
  key: string;
  artifacts: ModelVersionArtifacts;
}

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

export const registeredModelName = (ticker: string): string =>
  `stockops-${ticker.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

const meanMase = (fit: Pick<FitResult, 'evaluation'>): number | null => {
  const m = fit.evaluation.map((e) => e.model.mase);
  return m.every((x): x is number => x !== null) && m.length
    ? m.reduce((a, b) => a + b, 0) / m.length
    : null;
};

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The registry could not answer (down, refusing credentials): the run goes on without it. */
class RegistryUnavailable extends Error {
  constructor(cause: unknown) {
    super(`model registry unavailable: ${describe(cause)}`);
    this.name = 'RegistryUnavailable';
  }
}

async function loadByAlias(
  cat: Catalog,
  ticker: string,
  alias: Alias,
): Promise<{ info: ModelVersion; serving: ServingVersion; dataThrough: string } | undefined> {
  let info: ModelVersion | undefined;
  try {
    info = await cat.tracker.registry.getByAlias(registeredModelName(ticker), alias);
  } catch (e) {
    throw new RegistryUnavailable(e);
  }
  const key = info?.tags[ARTIFACT_KEY_TAG];
  if (!info || !key) return undefined;
  const artifacts = await loadModelVersion(cat.store, key);
  const label = key.split('/').at(-1) ?? key;
  return {
    info,
    serving: { label, key, artifacts },
    dataThrough: info.tags[DATA_THROUGH_TAG] ?? artifacts.meta.trainWindow.last,
  };
}

/** The champion's MASE on the challenger's holdout: the same as-of dates, the same actual closes. */
function scoreOnHoldout(
  champion: ModelVersionArtifacts,
  fit: FitResult,
  bars: Bar[],
  features: FeatureRow[],
): number | null {
  const per = champion.meta.horizons.map((h, k) => {
    const rows = fit.testForecasts
      .filter((t) => t.horizon === h)
      .map((t) => ({
        base: t.base,
        actual: t.actual,
        predicted:
          forecastFromVersion(champion, bars, features, t.asOf).forecasts[k]?.close ?? Number.NaN,
      }));
    return rows.length ? forecastMetrics(rows).mase : null;
  });
  return per.every((x): x is number => x !== null) && per.length
    ? per.reduce((a, b) => a + b, 0) / per.length
    : null;
}

async function realisedAccuracy(cat: Catalog, ticker: string, version: string, asOf: string) {
  const rows = await cat.warehouse.select('outcomes', {
    where: { ticker, model_version: version },
    between: { column: 'target_date', to: asOf },
    orderBy: 'target_date',
    desc: true,
    limit: cat.config.model.accuracyWindow,
  });
  if (!rows.length) return undefined;
  const m = forecastMetrics(
    rows.map((r) => ({ base: r.base_close, predicted: r.predicted_close, actual: r.actual_close })),
  );
  return { mase: m.mase, n: m.n };
}

async function lastDatasetDrift(cat: Catalog, ticker: string, version: string, asOf: string) {
  const [row] = await cat.warehouse.select('drift_scores', {
    where: { ticker, feature: '__dataset__', model_version: version },
    between: { column: 'as_of_date', to: asOf },
    orderBy: 'as_of_date',
    desc: true,
    limit: 1,
  });
  return row && row.as_of_date < asOf ? row.drifted : null;
}

/**
 * The version the latest earlier day served: the registry's champion as of that day. It stands in
 * for the registry while the registry cannot be reached, so predictions never wait on tracking.
 */
async function lastServed(
  cat: Catalog,
  ticker: string,
  asOf: string,
): Promise<{ serving: ServingVersion; on: string } | undefined> {
  const [row] = await cat.warehouse.select('model_decisions', {
    where: { ticker },
    between: { column: 'as_of_date', to: asOf },
    orderBy: 'as_of_date',
    desc: true,
    limit: 1,
  });
  if (!row?.model_version) return undefined;
  const key = `models/${ticker}/${row.model_version}`;
  const artifacts = await loadModelVersion(cat.store, key);
  return { serving: { label: row.model_version, key, artifacts }, on: row.as_of_date };
}

/**
 * Registers a trained version and moves its aliases. A registry that fails leaves the version
 * unregistered (its artifacts stay in the object store, its training run in the tracker or its
 * outbox): the champion alias did not move, so the version counts as not promoted.
 */
async function register(
  cat: Catalog,
  ticker: string,
  v: { source: string; runId: string; tags: Record<string, string> },
  promote: boolean,
): Promise<{ promoted: boolean; note?: string }> {
  const name = registeredModelName(ticker);
  try {
    const registered = await cat.tracker.registry.createVersion(name, v);
    await cat.tracker.registry.setAlias(name, 'challenger', registered.version);
    if (promote) await cat.tracker.registry.setAlias(name, 'champion', registered.version);
    return { promoted: promote };
  } catch (e) {
    const note = `registry not updated (${describe(e)})`;
    cat.log.warn('model registry update failed; the version serves unregistered', {
      ticker,
      error: describe(e),
    });
    return { promoted: false, note };
  }
}

async function lastTrainedOn(
  cat: Catalog,
  ticker: string,
  asOf: string,
): Promise<string | undefined> {
  const [row] = await cat.warehouse.select('model_decisions', {
    where: { ticker, decision: 'train' },
    between: { column: 'as_of_date', to: asOf },
    orderBy: 'as_of_date',
    desc: true,
    limit: 1,
  });
  return row?.as_of_date;
}

export async function modelStep(
  cat: Catalog,
  ticker: string,
  asOf: string,
  bars: Bar[],
  features: FeatureRow[],
  ctx: { runId: string; backend: string },
): Promise<ModelStepResult> {
  const cfg = cat.config;
  const hash = configHash(cfg);

  // A re-run of a day serves the version that day already chose, so it writes the same rows.
  const [earlier] = await cat.warehouse.select('model_decisions', {
    where: { ticker, as_of_date: asOf },
  });
  if (earlier?.model_version) {
    const key = `models/${ticker}/${earlier.model_version}`;
    return {
      decision: earlier.decision as 'train' | 'load',
      reason: earlier.reason,
      serving: {
        label: earlier.model_version,
        key,
        artifacts: await loadModelVersion(cat.store, key),
      },
      promoted: earlier.promoted,
      challengerMase: earlier.challenger_mase,
      championMase: earlier.champion_mase,
    };
  }

  let loaded: Awaited<ReturnType<typeof loadByAlias>>;
  let registryDown: string | undefined;
  try {
    loaded = await loadByAlias(cat, ticker, 'champion');
  } catch (e) {
    if (!(e instanceof RegistryUnavailable)) throw e;
    registryDown = e.message;
    // Without the registry no challenger can be compared or promoted: serve what served last.
    const fallback = await lastServed(cat, ticker, asOf);
    cat.log.warn(
      fallback
        ? 'model registry unavailable; serving the version served last'
        : 'model registry unavailable and no version served before; training one',
      { ticker, asOf, version: fallback?.serving.label, error: e.message },
    );
    if (fallback) {
      return {
        decision: 'load',
        reason: `${e.message}; serving ${fallback.serving.label}, the version served on ${fallback.on}`,
        serving: fallback.serving,
        promoted: false,
        challengerMase: null,
        championMase: null,
      };
    }
  }
  // Point in time: a champion trained on data after D (a backfill of earlier days) cannot serve D.
  const usable = loaded && loaded.dataThrough <= asOf ? loaded : undefined;
  const champion: ChampionInfo | undefined = usable && {
    version: usable.serving.label,
    trainedThrough: usable.dataThrough,
    configHash: usable.serving.artifacts.meta.configHash,
  };
  const decision = registryDown
    ? { action: 'train' as const, reason: `${registryDown}; no version served before` }
    : loaded && !usable
      ? {
          action: 'train' as const,
          reason: `champion ${loaded.serving.label} saw data through ${loaded.dataThrough}, after ${asOf}`,
        }
      : decideTrainOrLoad({
          asOf,
          configHash: hash,
          champion,
          lastDatasetDrift: champion
            ? await lastDatasetDrift(cat, ticker, champion.version, asOf)
            : null,
          realised: champion
            ? await realisedAccuracy(cat, ticker, champion.version, asOf)
            : undefined,
          lastTrainedOn: await lastTrainedOn(cat, ticker, asOf),
          policy: cfg.model,
        });

  if (decision.action === 'load' && usable) {
    return {
      ...decision,
      decision: 'load',
      serving: usable.serving,
      promoted: false,
      challengerMase: null,
      championMase: null,
    };
  }

  const minRows = cfg.lookback + Math.max(...cfg.horizons) + 50;
  if (features.length < minRows) {
    throw new PipelineError(
      `history too short to train: ${features.length} feature rows after warm-up, need at least lookback + horizon + 50 = ${minRows}`,
      ticker,
      'min_history',
    );
  }
  const trainingStarted = Date.now();
  const fit = await fitVersion(bars, features, cfg, { backend: ctx.backend });
  const label = `${asOf}-${hash.slice(0, 8)}`;
  const key = `models/${ticker}/${label}`;
  const challengerMase = meanMase(fit);
  const championMase = usable
    ? scoreOnHoldout(usable.serving.artifacts, fit, bars, features)
    : null;
  // A ReLU output that died forecasts 0 for everything: such a model must never serve.
  const dead = fit.testForecasts.filter((t) => !(t.predicted > 0 && Number.isFinite(t.predicted)));
  if (dead.length && !usable) {
    fit.version.model.dispose();
    throw new PipelineError(
      `the trained model is degenerate: ${dead.length} of ${fit.testForecasts.length} holdout forecasts are not a positive close (dead ReLU output); no model to serve`,
      ticker,
      'degenerate_model',
    );
  }
  const promotion = dead.length
    ? { promote: false, reason: `challenger is degenerate (${dead.length} holdout forecasts ≤ 0)` }
    : loaded && !usable
      ? { promote: false, reason: 'kept the later champion' }
      : decidePromotion({ hasChampion: !!usable, challengerMase, championMase });

  const source = await saveModelVersion(cat.store, key, fit.version);
  // The holdout's predicted returns (first horizon): the reference for prediction drift.
  const h0 = cfg.horizons[0];
  const predictedReturns = fit.testForecasts
    .filter((t) => t.horizon === h0)
    .map((t) => t.predicted / t.base - 1);
  await cat.store.put(`${key}/prediction-reference.json`, JSON.stringify(predictedReturns));
  const runId = await logTraining(cat, {
    startedAt: trainingStarted,
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
  const registered = await register(cat, ticker, { source, runId, tags }, promotion.promote);

  const challenger: ServingVersion = { label, key, artifacts: fit.version };
  // What serves is what the registry now says: a promotion whose alias move failed keeps the champion.
  const serving = registered.promoted || !usable ? challenger : usable.serving;
  // Whichever version does not serve is done with: free its tensors.
  if (serving !== challenger) challenger.artifacts.model.dispose();
  else usable?.serving.artifacts.model.dispose();
  return {
    decision: 'train',
    reason: [decision.reason, promotion.reason, registered.note].filter(Boolean).join('; '),
    serving,
    promoted: registered.promoted,
    challengerMase,
    championMase,
    fit,
  };
}
