/**
 * MLflow 3's logged models (`/api/2.0/mlflow/logged-models`): a model directory with its own artifact
 * location, linked to the run that produced it (`source_run_id`, and the run's outputs), which
 * registered model versions then point at as `models:/<model_id>`.
 */
import { z } from 'zod';
import type { KeyValue } from './mlflow-batch.js';
import { MlflowError } from './mlflow-error.js';
import { MlflowArtifactsApi } from './mlflow-artifacts-api.js';
import { API, ARTIFACTS_API } from './mlflow-http.js';
import { proxiedArtifactRoot } from './mlflow-artifact-paths.js';
import { loggedModelSchema, type MlflowLoggedModel } from './mlflow-schemas.js';

const fileInfoSchema = z.object({
  path: z.string(),
  is_dir: z.boolean().default(false),
  file_size: z.union([z.number(), z.string()]).transform(Number).optional(),
});
export type MlflowFileInfo = z.infer<typeof fileInfoSchema>;

export class MlflowLoggedModelsApi extends MlflowArtifactsApi {
  async createLoggedModel(m: {
    experimentId: string;
    name: string;
    sourceRunId?: string;
    modelType?: string;
    tags?: KeyValue[];
    /** Shown on the model's page; set once here, as MLflow refuses to log a param again. */
    params?: KeyValue[];
  }): Promise<MlflowLoggedModel> {
    const out = await this.json(
      z.object({ model: loggedModelSchema }),
      'POST',
      `${API}/logged-models`,
      {
        data: {
          experiment_id: m.experimentId,
          name: m.name,
          source_run_id: m.sourceRunId,
          model_type: m.modelType,
          tags: m.tags ?? [],
          params: m.params ?? [],
        },
      },
    );
    return out.model;
  }

  /** The logged model, or undefined when there is none with that id. */
  async getLoggedModel(modelId: string): Promise<MlflowLoggedModel | undefined> {
    try {
      const out = await this.json(
        z.object({ model: loggedModelSchema }),
        'GET',
        `${API}/logged-models/${encodeURIComponent(modelId)}`,
      );
      return out.model;
    } catch (e) {
      if (e instanceof MlflowError && e.notFound) return undefined;
      throw e;
    }
  }

  /** Marks the model's upload complete (READY) or abandoned (FAILED). */
  async finalizeLoggedModel(modelId: string, ready: boolean): Promise<void> {
    await this.call('PATCH', `${API}/logged-models/${encodeURIComponent(modelId)}`, {
      data: {
        model_id: modelId,
        status: ready ? 'LOGGED_MODEL_READY' : 'LOGGED_MODEL_UPLOAD_FAILED',
      },
    });
  }

  /** Records the models as the run's outputs, which the run page lists as its logged models. */
  async logOutputs(runId: string, modelIds: string[], step = 0): Promise<void> {
    await this.call('POST', `${API}/runs/outputs`, {
      data: { run_id: runId, models: modelIds.map((model_id) => ({ model_id, step })) },
    });
  }

  /** One folder's entries (not recursive) under an artifact root, paths relative to that root. */
  async listArtifacts(artifactUri: string, path = ''): Promise<MlflowFileInfo[]> {
    const root = proxiedArtifactRoot(artifactUri);
    const out = await this.json(
      z.object({ files: z.array(fileInfoSchema).default([]) }),
      'GET',
      ARTIFACTS_API,
      { params: { path: path ? `${root}/${path}` : root } },
    );
    // The proxy names entries relative to the folder listed; these are relative to the root.
    return out.files.map((f) => ({ ...f, path: path ? `${path}/${f.path}` : f.path }));
  }
}
