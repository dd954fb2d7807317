/**
 * vitest globalSetup: one real MLflow server for the whole test run, shared by the suites of the
 * `mlflow` project (they read its URI with `inject('mlflowUri')`, see mlflow-shared.ts). The venv is
 * installed by `make test` (scripts/mlflow/install.sh) before vitest starts.
 */
import type { TestProject } from 'vitest/node';
import { startMlflowServer } from './mlflow-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mlflowUri: string;
    mlflowLog: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMlflowServer();
  project.provide('mlflowUri', server.uri);
  project.provide('mlflowLog', server.logPath);
  return () => server.stop();
}
