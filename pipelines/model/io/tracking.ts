/** What a training run records in the tracker: params, per-epoch metrics, final metrics, tags, artifacts. */
import { z } from 'zod';
import type { Catalog } from '../../catalog.js';
import type { ArtifactFile, MetricPoint } from '../../ports/tracking/port.js';
import type { Decision } from '../decide.js';
import type { FitResult } from '../fit.js';
import { mlflowModelDirectory } from './mlflow-model.js';

export const EXPERIMENT = 'stockops';
/** The run's artifact folder that holds the MLflow Model directory. */
export const MODEL_PATH = 'model';
/** The logged model's name in MLflow (one per training run, as `mlflow.<flavor>.log_model` names it). */
export const MODEL_NAME = 'model';

const manifestFilesSchema = z.object({ files: z.record(z.string(), z.unknown()) });

/** Every file of the saved version (all ensemble members), read back through its manifest. */
async function versionFiles(cat: Catalog, key: string): Promise<ArtifactFile[]> {
  const manifest = await cat.store.get(`${key}/manifest.json`);
  if (!manifest) throw new Error(`model version ${key} has no manifest.json to log`);
  const { files } = manifestFilesSchema.parse(JSON.parse(new TextDecoder().decode(manifest)));
  const out: ArtifactFile[] = [];
  for (const path of Object.keys(files)) {
    const data = await cat.store.get(`${key}/${path}`);
    if (!data) throw new Error(`model version ${key} lists ${path} but it is missing`);
    out.push({ path, data });
  }
  out.push({ path: 'manifest.json', data: manifest });
  return out;
}

/** The experiment runs go to: MLflow's is configured (MLFLOW_EXPERIMENT_NAME); local files use `stockops`. */
export const experimentOf = (cat: Catalog): string =>
  cat.config.tracking.kind === 'mlflow' ? cat.config.tracking.experimentName : EXPERIMENT;

export interface TrainingRecord {
  ticker: string;
  asOf: string;
  label: string;
  key: string;
  fit: FitResult;
  decision: Decision;
  promotion: { promote: boolean; reason: string };
  runId: string;
  championMase: number | null;
  /** When the fit began (ms since the epoch): MLflow shows the run's duration from it. */
  startedAt?: number;
}

export async function logTraining(cat: Catalog, r: TrainingRecord): Promise<string> {
  const now = Date.now();
  const per: MetricPoint[] = r.fit.training.history.flatMap((e) =>
    (
      [
        ['loss', e.loss],
        ['val_loss', e.valLoss],
        ['mae', e.mae],
        ['val_mae', e.valMae],
      ] as const
    ).map(([key, value]) => ({ key, value, step: e.epoch, timestamp: now })),
  );
  const final: MetricPoint[] = Object.entries(r.fit.metrics).map(([key, value]) => ({
    key,
    value,
    step: 0,
    timestamp: now,
  }));
  if (r.championMase !== null)
    final.push({ key: 'champion_mase_on_holdout', value: r.championMase, step: 0, timestamp: now });
  const modelDir = mlflowModelDirectory({
    artifactPath: MODEL_PATH,
    meta: r.fit.artifacts.meta,
    files: await versionFiles(cat, r.key),
    inputExample: r.fit.inputExample,
    createdAt: new Date(now),
  });
  const artifacts = modelDir.map((f) => ({ path: `${MODEL_PATH}/${f.path}`, data: f.data }));
  artifacts.push({
    path: 'test_forecasts.json',
    data: new TextEncoder().encode(JSON.stringify(r.fit.testForecasts)),
  });
  return cat.tracker.logRun({
    key: `train:${r.ticker}:${r.asOf}:${r.label}`,
    experiment: experimentOf(cat),
    name: `train ${r.ticker} ${r.asOf}`,
    status: 'FINISHED',
    startTime: Math.min(r.startedAt ?? now - 1, now - 1),
    endTime: now,
    params: r.fit.params,
    tags: {
      ticker: r.ticker,
      stage: 'train',
      as_of: r.asOf,
      model_version: r.label,
      backend: String(r.fit.params.backend),
      git_commit: cat.config.build.gitCommit,
      config_hash: String(r.fit.params.config_hash),
      // From scratch or from the serving version's weights (train-members.ts); also a param.
      warm_start: String(r.fit.artifacts.meta.training?.warmStart ?? false),
      decision: r.decision.reason,
      promoted: String(r.promotion.promote),
      promotion: r.promotion.reason,
      pipeline_run_id: r.runId,
      artifact_uri: cat.store.uri(r.key),
    },
    metrics: [...per, ...final],
    artifacts,
    model: { path: MODEL_PATH, name: MODEL_NAME },
  });
}
