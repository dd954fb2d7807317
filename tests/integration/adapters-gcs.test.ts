/**
 * The Cloud Storage adapter through the real `@google-cloud/storage` client against fake-gcs-server:
 * the object-store contract, and a real model version saved and loaded back byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../pipelines/catalog.js';
import { loadConfig } from '../../pipelines/config.js';
import { nullLogger } from '../../pipelines/log.js';
import { loadArtifacts, saveArtifacts } from '../../pipelines/model/io/artifacts.js';
import { fitModel } from '../../pipelines/model/fit.js';
import { createGcsObjectStore } from '../../pipelines/ports/object-store/gcs.js';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import { objectStoreContract } from '../contract/object-store.contract.js';
import { startGcsEmulator, type GcsEmulator } from '../support/emulators/gcs.js';
import { simpleFeatures, syntheticBars, useWasmBackend } from '../unit/model-fixtures.js';
import { disposeMembers, predictEnsemble } from '../../pipelines/model/network/ensemble.js';

let emu: GcsEmulator;
beforeAll(async () => {
  emu = await startGcsEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

/** A store on a bucket of its own, so tests never see each other's objects. */
async function freshStore(): Promise<ObjectStore> {
  const bucket = await emu.createBucket(`stockops-${randomBytes(6).toString('hex')}`);
  return createGcsObjectStore({ bucket, apiEndpoint: emu.endpoint });
}

objectStoreContract('gcs (fake-gcs-server)', freshStore);

describe('cloud storage adapter', () => {
  it('is what the catalog opens for STOCKOPS_BUCKET + STORAGE_EMULATOR_HOST, with gs:// URIs', async () => {
    const bucket = await emu.createBucket('stockops-catalog');
    const config = loadConfig({
      env: { STOCKOPS_BUCKET: bucket, STORAGE_EMULATOR_HOST: `127.0.0.1:${emu.port}` },
      overrides: { warehouse: { kind: 'duckdb', path: ':memory:' } },
    });
    expect(config.objectStore).toEqual({ kind: 'gcs', bucket, apiEndpoint: emu.endpoint });
    const cat = await openCatalog(config, { log: nullLogger });
    try {
      expect(cat.store.kind).toBe('gcs');
      await cat.store.put('hello/world.json', '{}');
      expect(cat.store.uri('hello/world.json')).toBe(`gs://${bucket}/hello/world.json`);
      const direct = createGcsObjectStore({ bucket, apiEndpoint: emu.endpoint });
      expect(await direct.list('hello/')).toEqual(['hello/world.json']);
    } finally {
      await cat.close();
    }
  });

  it('names a missing bucket in its error, and does not call it transient', async () => {
    const s = createGcsObjectStore({
      bucket: 'stockops-no-such-bucket',
      apiEndpoint: emu.endpoint,
    });
    const err = await s.put('a.json', '{}').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ObjectStoreError', transient: false });
    expect((err as Error).message).toMatch(/stockops-no-such-bucket/);
  });
});

describe('a real model version on cloud storage', () => {
  it('saves, lists, and loads back byte-identical, with identical predictions', async () => {
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
    const bars = syntheticBars(260, 5);
    const features = simpleFeatures(bars);
    const fit = await fitModel(bars, features, cfg, { backend: 'wasm' });
    const gcs = await freshStore();
    const prefix = 'models/TEST/v1';
    try {
      expect(await saveArtifacts(gcs, prefix, fit.artifacts)).toMatch(
        /^gs:\/\/stockops-[0-9a-f]+\/models\/TEST\/v1$/,
      );
      const files = ['manifest.json', 'meta.json', 'model.json', 'reference.json', 'weights.bin'];
      expect(await gcs.list(`${prefix}/`)).toEqual(files.map((f) => `${prefix}/${f}`));

      // The same version saved to a folder is the reference for "byte-identical".
      const local = createLocalObjectStore({ dir: mkdtempSync(join(tmpdir(), 'stockops-gcs-')) });
      await saveArtifacts(local, prefix, fit.artifacts);
      for (const f of files) {
        const a = Buffer.from((await gcs.get(`${prefix}/${f}`)) as Uint8Array);
        const b = Buffer.from((await local.get(`${prefix}/${f}`)) as Uint8Array);
        expect(a.equals(b), f).toBe(true);
      }

      const loaded = await loadArtifacts(gcs, prefix);
      expect(loaded.meta).toEqual(fit.artifacts.meta);
      expect(loaded.reference).toEqual(fit.artifacts.reference);
      const width = loaded.meta.columns.length;
      const x = [
        Array.from({ length: 8 }, (_, t) =>
          Array.from({ length: width }, (_, c) => Math.sin(t + c)),
        ),
      ];
      const bits = (r: number[][]): Buffer => Buffer.from(new Float64Array(r.flat()).buffer);
      expect(
        bits(predictEnsemble(loaded.members, x)).equals(
          bits(predictEnsemble(fit.artifacts.members, x)),
        ),
      ).toBe(true);
      disposeMembers(loaded.members);

      await expect(saveArtifacts(gcs, prefix, fit.artifacts)).rejects.toThrow(/already exists/);
    } finally {
      disposeMembers(fit.artifacts.members);
    }
  });
});
