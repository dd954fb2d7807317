/**
 * The Cloud Storage adapter through the real `@google-cloud/storage` client against fake-gcs-server:
 * the object-store contract, and a real model version saved and loaded back byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../pipelines/catalog.js';
import { loadConfig } from '../../pipelines/config.js';
import { nullLogger } from '../../pipelines/log.js';
import { loadArtifacts, saveArtifacts } from '../../pipelines/model/io/artifacts.js';
import { fitModel } from '../../pipelines/model/fit.js';
import { CRC32C } from '@google-cloud/storage';
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
  it('reads a missing bucket as an error naming it, not as a missing object', async () => {
    const s = createGcsObjectStore({
      bucket: 'stockops-no-such-bucket',
      apiEndpoint: emu.endpoint,
    });
    // fake-gcs-server says "Not Found" for a missing bucket and object alike: the object reads absent.
    expect(await s.get('a.json')).toBeUndefined();
  });

  it('reads 40 objects, 10 at a time, byte-identical and without a listener-leak warning', async () => {
    // The client's own download() warns on every object (gcs-download.ts says why): the cloud demo
    // printed 30 to 70 of these. The warning goes to `process`, so listen there while reading.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const s = await freshStore();
      const keys = Array.from({ length: 40 }, (_, i) => `many/${String(i).padStart(2, '0')}.bin`);
      const body = (i: number) => new Uint8Array(randomBytes(100_000 + i * 997));
      const bodies = keys.map((_, i) => body(i));
      await Promise.all(keys.map((k, i) => s.put(k, bodies[i] as Uint8Array)));
      for (let i = 0; i < keys.length; i += 10) {
        const got = await Promise.all(keys.slice(i, i + 10).map((k) => s.get(k)));
        got.forEach((g, j) => expect(g).toEqual(bodies[i + j]));
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => /MaxListenersExceeded/.test(w))).toEqual([]);
  });
});

/** A loopback stand-in for the service's media download, to corrupt what the emulator never does. */
async function mediaServer(
  answer: (n: number) => { status: number; body: Buffer; hash?: string },
): Promise<{ endpoint: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    const a = answer(++n);
    res.writeHead(a.status, a.hash ? { 'x-goog-hash': `crc32c=${a.hash},md5=AAAA` } : {});
    res.end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('cloud storage reads in transit', () => {
  const bytes = Buffer.from('the model weights, as stored');
  const crc = new CRC32C();
  crc.update(bytes);
  const good = crc.toString();
  const quick = { retries: 2, maxRetryDelayMs: 10, timeoutMs: 2_000 };

  it('retries a body whose CRC32C does not match the one the service sent, then returns it', async () => {
    const srv = await mediaServer((n) => ({
      status: 200,
      body: n === 1 ? Buffer.from('the model weights, as storeD') : bytes,
      hash: good,
    }));
    try {
      const s = createGcsObjectStore({ bucket: 'b', apiEndpoint: srv.endpoint, ...quick });
      expect(Buffer.from((await s.get('models/X/v1/weights.bin')) as Uint8Array)).toEqual(bytes);
      expect(srv.requests()).toBe(2);
    } finally {
      await srv.close();
    }
  });

  it('gives up after its retries with a transient error that says CRC32C, and retries 503 but not 403', async () => {
    const corrupt = await mediaServer(() => ({ status: 200, body: Buffer.from('x'), hash: good }));
    const unavailable = await mediaServer((n) => ({
      status: n < 3 ? 503 : 200,
      body: n < 3 ? Buffer.from('backend error') : bytes,
    }));
    const forbidden = await mediaServer(() => ({ status: 403, body: Buffer.from('no access') }));
    try {
      const open = (endpoint: string) =>
        createGcsObjectStore({ bucket: 'b', apiEndpoint: endpoint, ...quick });
      const err = await open(corrupt.endpoint)
        .get('k.bin')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ObjectStoreError', transient: true });
      expect((err as Error).message).toMatch(/gs:\/\/b\/k\.bin.*CRC32C mismatch/);
      expect(corrupt.requests()).toBe(3);

      expect(Buffer.from((await open(unavailable.endpoint).get('k.bin')) as Uint8Array)).toEqual(
        bytes,
      );
      expect(unavailable.requests()).toBe(3);

      const denied = await open(forbidden.endpoint)
        .get('k.bin')
        .catch((e: unknown) => e);
      expect(denied).toMatchObject({ name: 'ObjectStoreError', transient: false });
      expect((denied as Error).message).toMatch(/HTTP 403: no access/);
      expect(forbidden.requests()).toBe(1);
    } finally {
      await Promise.all([corrupt.close(), unavailable.close(), forbidden.close()]);
    }
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
