/**
 * Tracking port: one finished run (training or prediction) is recorded in one call, so an adapter that
 * cannot reach its server can keep the whole record in an outbox and deliver it later, idempotently.
 */

export interface MetricPoint {
  key: string;
  value: number;
  /** Epoch for per-epoch metrics; 0 for final ones. */
  step: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

export interface ArtifactFile {
  /** Path relative to the run's artifact root, e.g. `model/model.json`. */
  path: string;
  data: Uint8Array;
}

export interface RunRecord {
  /** Deterministic id (e.g. `train:SPY:2020-04-17:<config hash>`): a record delivered twice is one run. */
  key: string;
  experiment: string;
  name: string;
  status: 'FINISHED' | 'FAILED';
  startTime: number;
  endTime: number;
  params: Record<string, string | number | boolean>;
  tags: Record<string, string>;
  metrics: MetricPoint[];
  artifacts: ArtifactFile[];
  /**
   * The MLflow Model directory among `artifacts`: the files under `<path>/`, an `MLmodel` file at
   * its root. MLflow 3 logs them as the run's logged model called `name` (the model page with its
   * signature); the local tracker keeps them as run artifacts like the rest.
   */
  model?: LoggedModelRef;
}

export interface LoggedModelRef {
  /** Artifact folder of the model directory, e.g. `model`. */
  path: string;
  name: string;
}

export interface ModelVersion {
  model: string;
  version: string;
  /** Where the artifacts live (object-store URI of the model version's folder). */
  source: string;
  runId?: string;
  tags: Record<string, string>;
}

export type Alias = 'champion' | 'challenger';

export interface ModelRegistry {
  createVersion(
    model: string,
    v: { source: string; runId?: string; tags: Record<string, string> },
  ): Promise<ModelVersion>;
  setAlias(model: string, alias: Alias, version: string): Promise<void>;
  getByAlias(model: string, alias: Alias): Promise<ModelVersion | undefined>;
}

export interface Tracker {
  readonly kind: string;
  /** Records a run and returns its id in the tracking system. */
  logRun(run: RunRecord): Promise<string>;
  readonly registry: ModelRegistry;
  close?(): Promise<void>;
}
