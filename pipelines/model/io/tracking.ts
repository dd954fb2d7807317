/** What a training run records in the tracker: params, per-epoch metrics, final metrics, tags, artifacts. */
import type { Catalog } from '../../catalog.js';
import type { MetricPoint } from '../../ports/tracking/port.js';
import type { Decision } from '../decide.js';
import type { FitResult } from '../fit.js';

export const EXPERIMENT = 'stockops';

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
  const artifacts = [];
  for (const f of ['model.json', 'weights.bin', 'meta.json', 'reference.json', 'manifest.json']) {
    const data = await cat.store.get(`${r.key}/${f}`);
    if (data) artifacts.push({ path: `model/${f}`, data });
  }
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
  });
}
