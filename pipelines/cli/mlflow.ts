/**
 * `stockops mlflow sync`: delivers the MLflow outbox, the runs kept locally while the tracking server
 * could not be reached. Delivery is idempotent, so running it twice (or beside a pipeline run that
 * syncs on its own) never makes a run twice.
 */
import { outboxStoreFor, storeFor } from '../catalog.js';
import { ConfigError, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { createMlflowTracker, type SyncResult } from '../ports/tracking/mlflow.js';

export interface MlflowSyncResult extends SyncResult {
  /** The server address without credentials, and where the outbox is, for the summary line. */
  server: string;
  outbox: string;
}

export async function syncMlflowOutbox(config: Config, log: Logger): Promise<MlflowSyncResult> {
  const t = config.tracking;
  if (t.kind !== 'mlflow') {
    throw new ConfigError(
      'stockops mlflow sync: tracking is not configured for MLflow (set MLFLOW_TRACKING_URI to ' +
        'the server, e.g. http://127.0.0.1:5000, or "tracking": {"kind": "mlflow", …} in the config file)',
    );
  }
  const outboxStore = outboxStoreFor(config, await storeFor(config));
  const tracker = createMlflowTracker({ ...t, outboxStore, log });
  const result = await tracker.syncOutbox();
  return { ...result, server: tracker.client.baseUrl, outbox: tracker.outboxLocation };
}
