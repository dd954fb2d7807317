/**
 * The MLflow outbox on Cloud Storage: a run the tracking server could not take waits in the bucket
 * under mlflow-outbox/ (a function instance's own disk does not outlive the instance), and
 * `stockops mlflow sync` (syncMlflowOutbox) delivers it from there, exactly once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../pipelines/catalog.js';
import { syncMlflowOutbox } from '../../pipelines/cli/mlflow.js';
import { loadConfig, type Config } from '../../pipelines/config.js';
import { nullLogger } from '../../pipelines/log.js';
import { createGcsObjectStore } from '../../pipelines/ports/object-store/gcs.js';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import { MlflowClient } from '../../pipelines/ports/tracking/mlflow-client.js';
import { KEY_TAG, OUTBOX_PREFIX } from '../../pipelines/ports/tracking/mlflow.js';
import { outboxFileName } from '../../pipelines/ports/tracking/outbox.js';
import type { RunRecord } from '../../pipelines/ports/tracking/port.js';
import { startGcsEmulator, type GcsEmulator } from '../support/emulators/gcs.js';
import { startMlflowServer, type MlflowServer } from '../support/mlflow-server.js';

const EXPERIMENT = 'stockops-outbox-gcs';
let emu: GcsEmulator;
let server: MlflowServer;
let dataDir: string;
let bucket: string;
let gcs: ObjectStore;
let config: Config;

beforeAll(async () => {
  [emu, server] = await Promise.all([startGcsEmulator(), startMlflowServer()]);
  bucket = await emu.createBucket('stockops-outbox');
  gcs = createGcsObjectStore({ bucket, apiEndpoint: emu.endpoint });
  dataDir = mkdtempSync(join(tmpdir(), 'stockops-outbox-gcs-'));
  config = loadConfig({
    env: {
      STOCKOPS_DATA_DIR: dataDir,
      STOCKOPS_BUCKET: bucket,
      STORAGE_EMULATOR_HOST: `127.0.0.1:${emu.port}`,
      MLFLOW_TRACKING_URI: server.uri,
      MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
    },
    overrides: { warehouse: { kind: 'duckdb', path: ':memory:' } },
  });
});
afterAll(async () => {
  await Promise.all([emu?.stop(), server?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;
function record(): RunRecord {
  return {
    key: `train:OUT:2024-01-02:${randomBytes(4).toString('hex')}`,
    experiment: '',
    name: 'train OUT',
    status: 'FINISHED',
    startTime: T0,
    endTime: T0 + 60_000,
    params: { units: 16, ticker: 'OUT' },
    tags: { ticker: 'OUT', stage: 'train' },
    metrics: [
      { key: 'loss', value: 0.5, step: 1, timestamp: T0 + 1000 },
      { key: 'mase', value: Number.NaN, step: 0, timestamp: T0 + 60_000 },
    ],
    artifacts: [{ path: 'model/weights.bin', data: new Uint8Array(randomBytes(4096)) }],
  };
}

describe('MLflow outbox on cloud storage', () => {
  it('keeps an undelivered run in the bucket, and mlflow sync delivers it once', async () => {
    await server.halt();
    const r = record();
    const cat = await openCatalog(config, { log: nullLogger });
    try {
      expect(await cat.tracker.logRun(r)).toBe(`${OUTBOX_PREFIX}${r.key}`);
    } finally {
      await cat.close();
    }
    expect(await gcs.list('mlflow-outbox/')).toEqual([`mlflow-outbox/${outboxFileName(r.key)}`]);
    // Nothing on the instance's disk: the local layout's folder was never made.
    expect(existsSync(join(dataDir, 'mlflow-outbox'))).toBe(false);

    // Still down: sync (from another "instance") sees the run and leaves it.
    expect(await syncMlflowOutbox(config, nullLogger)).toMatchObject({
      delivered: 0,
      remaining: 1,
    });

    await server.restart();
    expect(await syncMlflowOutbox(config, nullLogger)).toEqual({
      delivered: 1,
      remaining: 0,
      server: server.uri,
      outbox: `gs://${bucket}/mlflow-outbox/`,
    });
    expect(await gcs.list('mlflow-outbox/')).toEqual([]);
    expect(await syncMlflowOutbox(config, nullLogger)).toMatchObject({
      delivered: 0,
      remaining: 0,
    });

    const client = new MlflowClient({ uri: server.uri });
    const exp = await client.getExperimentByName(EXPERIMENT);
    const { runs } = await client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ''],
      filter: `tags.\`${KEY_TAG}\` = '${r.key}'`,
    });
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run?.info.status).toBe('FINISHED');
    const weights = await client.downloadArtifact(
      run?.info.artifact_uri ?? '',
      'model/weights.bin',
    );
    expect(Buffer.from(weights).equals(Buffer.from(r.artifacts[0]?.data ?? []))).toBe(true);
  });
});
