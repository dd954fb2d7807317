/**
 * A Cloud Storage outage in the middle of saving a model version (fake-gcs-server stopped between two
 * writes, then started again on the same data): the save fails with a transient error a caller can
 * retry, the incomplete version is never loaded, and the retried save succeeds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';
import { loadArtifacts, saveArtifacts } from '../../pipelines/model/io/artifacts.js';
import { fitModel, type FitResult } from '../../pipelines/model/fit.js';
import { createGcsObjectStore } from '../../pipelines/ports/object-store/gcs.js';
import { ObjectStoreError, type ObjectStore } from '../../pipelines/ports/object-store/port.js';
import { startGcsEmulator, type GcsEmulator } from '../support/emulators/gcs.js';
import { simpleFeatures, syntheticBars, useWasmBackend } from '../unit/model-fixtures.js';
import { disposeMembers, predictEnsemble } from '../../pipelines/model/network/ensemble.js';

const PREFIX = 'models/OUT/v1';
let emu: GcsEmulator;
let dir: string;
let store: ObjectStore;
let fit: FitResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stockops-gcs-data-'));
  emu = await startGcsEmulator({ dir });
  const bucket = await emu.createBucket('stockops-outage');
  // Few, short client retries, so the outage reaches the caller in about a second.
  store = createGcsObjectStore({
    bucket,
    apiEndpoint: emu.endpoint,
    retries: 1,
    maxRetryDelayMs: 1_000,
    timeoutMs: 3_000,
  });
  await useWasmBackend();
  const cfg = loadConfig({
    overrides: {
      lookback: 8,
      horizons: [3],
      model: { units: 8, epochs: 2, batchSize: 16, trainDays: 150 },
      // One member: a single network's files (the ensemble's: model-artifacts.test.ts).
      serving: { ensembleSize: 1 },
    },
  });
  const bars = syntheticBars(260, 7);
  fit = await fitModel(bars, simpleFeatures(bars), cfg, { backend: 'wasm' });
});
afterAll(async () => {
  if (fit) disposeMembers(fit.artifacts.members);
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cloud storage outage mid-save', () => {
  it('fails transiently, never serves the half-written version, and succeeds when retried', async () => {
    let writes = 0;
    // The outage starts right after the second file of the version is stored.
    const failing: ObjectStore = {
      ...store,
      async putIfAbsent(key, data) {
        const created = await store.putIfAbsent(key, data);
        if (++writes === 2) await emu.halt();
        return created;
      },
    };
    const err = await saveArtifacts(failing, PREFIX, fit.artifacts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect(err).toMatchObject({ transient: true });
    expect((err as Error).message).toMatch(
      /cloud storage .*gs:\/\/stockops-outage\/models\/OUT\/v1/,
    );

    // While it is down, reads fail the same way: "unavailable", never "no such version".
    await expect(loadArtifacts(store, PREFIX)).rejects.toMatchObject({ transient: true });

    await emu.restart();
    // The two files written before the outage are there; without a manifest nothing loads them.
    expect(await store.list(`${PREFIX}/`)).toEqual([
      `${PREFIX}/model.json`,
      `${PREFIX}/weights.bin`,
    ]);
    await expect(loadArtifacts(store, PREFIX)).rejects.toThrow(/manifest\.json is missing/);

    // The caller's retry (Pub/Sub's redelivery in the cloud) completes the same version.
    await saveArtifacts(store, PREFIX, fit.artifacts);
    expect(await store.list(`${PREFIX}/`)).toEqual(
      ['manifest.json', 'meta.json', 'model.json', 'reference.json', 'weights.bin'].map(
        (f) => `${PREFIX}/${f}`,
      ),
    );
    const loaded = await loadArtifacts(store, PREFIX);
    const width = loaded.meta.columns.length;
    const x = [
      Array.from({ length: 8 }, (_, t) => Array.from({ length: width }, (_, c) => Math.cos(t * c))),
    ];
    const bits = (r: number[][]): Buffer => Buffer.from(new Float64Array(r.flat()).buffer);
    expect(
      bits(predictEnsemble(loaded.members, x)).equals(
        bits(predictEnsemble(fit.artifacts.members, x)),
      ),
    ).toBe(true);
    disposeMembers(loaded.members);
  });

  it('a save that died before its manifest, with other bytes left behind, is replaced by the retry', async () => {
    const prefix = 'models/OUT/v2';
    await store.put(`${prefix}/model.json`, '{"left":"by a save that died"}');
    await store.put(`${prefix}/weights.bin`, new Uint8Array([1, 2, 3]));
    await saveArtifacts(store, prefix, fit.artifacts);
    const loaded = await loadArtifacts(store, prefix);
    expect(loaded.meta).toEqual(fit.artifacts.meta);
    disposeMembers(loaded.members);
  });
});
