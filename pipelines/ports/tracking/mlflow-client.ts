/**
 * A typed client for the parts of MLflow's REST API (2.0) the pipeline uses, one layer per file:
 * HTTP and errors (mlflow-http.ts), experiments and runs (mlflow-runs-api.ts), the artifact proxy
 * (mlflow-artifacts-api.ts), MLflow 3's logged models (mlflow-logged-models-api.ts), and here the model registry with aliases. Every failure is an
 * MlflowError with credentials scrubbed out.
 */
import { z } from 'zod';
import type { KeyValue } from './mlflow-batch.js';
import { MlflowError } from './mlflow-error.js';
import { MlflowLoggedModelsApi } from './mlflow-logged-models-api.js';
import { API } from './mlflow-http.js';
import {
  modelVersionSchema,
  registeredModelSchema,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
} from './mlflow-schemas.js';

export { encodeArtifactPath, proxiedArtifactRoot } from './mlflow-artifact-paths.js';
export type { MlflowClientOptions } from './mlflow-http.js';
export type { MlflowFileInfo } from './mlflow-logged-models-api.js';
export type * from './mlflow-schemas.js';

export class MlflowClient extends MlflowLoggedModelsApi {
  async createRegisteredModel(name: string, tags: KeyValue[] = []): Promise<void> {
    await this.call('POST', `${API}/registered-models/create`, { data: { name, tags } });
  }

  async getRegisteredModel(name: string): Promise<MlflowRegisteredModel | undefined> {
    try {
      const out = await this.json(
        z.object({ registered_model: registeredModelSchema }),
        'GET',
        `${API}/registered-models/get`,
        { params: { name } },
      );
      return out.registered_model;
    } catch (e) {
      if (e instanceof MlflowError && e.notFound) return undefined;
      throw e;
    }
  }

  /** Creates the registered model unless it exists (tolerating a concurrent creator). */
  async ensureRegisteredModel(name: string): Promise<void> {
    if (await this.getRegisteredModel(name)) return;
    try {
      await this.createRegisteredModel(name);
    } catch (e) {
      if (!(e instanceof MlflowError && e.alreadyExists)) throw e;
    }
  }

  async createModelVersion(v: {
    name: string;
    source: string;
    runId?: string;
    tags?: KeyValue[];
    description?: string;
    /** MLflow 3: the logged model the version is (its source is then `models:/<modelId>`). */
    modelId?: string;
  }): Promise<MlflowModelVersion> {
    const out = await this.json(
      z.object({ model_version: modelVersionSchema }),
      'POST',
      `${API}/model-versions/create`,
      {
        data: {
          name: v.name,
          source: v.source,
          run_id: v.runId,
          tags: v.tags ?? [],
          description: v.description,
          model_id: v.modelId,
        },
      },
    );
    return out.model_version;
  }

  async getModelVersion(name: string, version: string): Promise<MlflowModelVersion> {
    const out = await this.json(
      z.object({ model_version: modelVersionSchema }),
      'GET',
      `${API}/model-versions/get`,
      { params: { name, version } },
    );
    return out.model_version;
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', `${API}/registered-models/alias`, { data: { name, alias, version } });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', `${API}/registered-models/alias`, { params: { name, alias } });
  }

  /** The version an alias points at; undefined when the model or the alias does not exist. */
  async getModelVersionByAlias(
    name: string,
    alias: string,
  ): Promise<MlflowModelVersion | undefined> {
    try {
      const out = await this.json(
        z.object({ model_version: modelVersionSchema }),
        'GET',
        `${API}/registered-models/alias`,
        { params: { name, alias } },
      );
      return out.model_version;
    } catch (e) {
      // A missing model is 404; a missing alias on an existing model is 400 "alias ... not found".
      const aliasMissing =
        e instanceof MlflowError &&
        e.errorCode === 'INVALID_PARAMETER_VALUE' &&
        /alias .* not found/i.test(e.message);
      if ((e instanceof MlflowError && e.notFound) || aliasMissing) return undefined;
      throw e;
    }
  }
}
