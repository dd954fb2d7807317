/**
 * A run record's MLflow Model directory delivered the MLflow 3 way: a logged model linked to its run
 * (`source_run_id` and the run's outputs), its files in the logged model's own artifact location,
 * finalized READY once every file is there. A delivery cut off part-way finds the model again
 * through the run's outputs and fills it again.
 */
import type { KeyValue } from './mlflow-batch.js';
import type { MlflowClient, MlflowRun } from './mlflow-client.js';
import { MlflowError } from './mlflow-error.js';
import type { ArtifactFile, LoggedModelRef } from './port.js';

/** The model type MLflow shows for the project's TensorFlow.js models. */
export const MODEL_TYPE = 'tfjs';

/** The record's artifacts split into the model directory's (paths relative to it) and the rest. */
export function splitModelFiles(
  artifacts: readonly ArtifactFile[],
  model: LoggedModelRef | undefined,
): { model: ArtifactFile[]; run: ArtifactFile[] } {
  if (!model) return { model: [], run: [...artifacts] };
  const prefix = `${model.path.replace(/\/+$/, '')}/`;
  const inside = (a: ArtifactFile): boolean => a.path.startsWith(prefix);
  return {
    model: artifacts
      .filter(inside)
      .map((a) => ({ path: a.path.slice(prefix.length), data: a.data })),
    run: artifacts.filter((a) => !inside(a)),
  };
}

/** The logged model a run produced (the first of its outputs), if it has one. */
export const modelIdOf = (run: MlflowRun): string | undefined =>
  run.outputs.model_outputs[0]?.model_id;

/** A server before MLflow 3 answers the logged-models endpoint with 404 (ENDPOINT_NOT_FOUND). */
const noLoggedModels = (e: unknown): boolean =>
  e instanceof MlflowError &&
  e.status === 404 &&
  (e.errorCode === undefined || e.errorCode === 'ENDPOINT_NOT_FOUND');

/**
 * Logs `files` as the run's logged model and returns its id; undefined when the server has no
 * logged models (MLflow 2), so the caller keeps the directory among the run's artifacts instead.
 */
export async function logModelDirectory(
  client: MlflowClient,
  run: MlflowRun,
  model: LoggedModelRef,
  files: readonly ArtifactFile[],
  meta: { tags: KeyValue[]; params: KeyValue[] },
): Promise<string | undefined> {
  const knownId = modelIdOf(run);
  let logged = knownId ? await client.getLoggedModel(knownId) : undefined;
  if (!logged) {
    try {
      logged = await client.createLoggedModel({
        experimentId: run.info.experiment_id,
        name: model.name,
        sourceRunId: run.info.run_id,
        modelType: MODEL_TYPE,
        tags: meta.tags,
        params: meta.params,
      });
    } catch (e) {
      if (noLoggedModels(e)) return undefined;
      throw e;
    }
    // Linked before the upload, so a delivery cut off during it finds this model again.
    await client.logOutputs(run.info.run_id, [logged.info.model_id]);
  }
  for (const f of files) await client.uploadArtifact(logged.info.artifact_uri, f.path, f.data);
  await client.finalizeLoggedModel(logged.info.model_id, true);
  return logged.info.model_id;
}
