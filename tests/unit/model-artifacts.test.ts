import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';
import { loadArtifacts, saveArtifacts } from '../../pipelines/model/io/artifacts.js';
import { predict } from '../../pipelines/model/network/lstm.js';
import { fitModel, forecastWith, type FitResult } from '../../pipelines/model/fit.js';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import type { Bar } from '../../pipelines/types.js';
import { simpleFeatures, syntheticBars, useWasmBackend } from './model-fixtures.js';
import { disposeMembers, predictEnsemble } from '../../pipelines/model/network/ensemble.js';

const cfg = loadConfig({
  overrides: {
    lookback: 8,
    horizons: [3],
    model: { units: 8, epochs: 2, batchSize: 16, trainDays: 150 },
    // One member: the file layout of a single model (an ensemble's is tested below).
    serving: { ensembleSize: 1 },
  },
});
const bars = syntheticBars(260, 5);
const features = simpleFeatures(bars);
let dir: string;
let store: ObjectStore;
let fit: FitResult;

const bits = (rows: number[][]): Buffer => Buffer.from(new Float64Array(rows.flat()).buffer);

beforeAll(async () => {
  await useWasmBackend();
  dir = await mkdtemp(join(tmpdir(), 'model-artifacts-'));
  store = createLocalObjectStore({ dir });
  fit = await fitModel(bars, features, cfg, { backend: 'wasm' });
});
afterAll(async () => {
  disposeMembers(fit.artifacts.members);
  await rm(dir, { recursive: true, force: true });
});

describe('saveArtifacts / loadArtifacts', () => {
  it('round-trips to bitwise identical predictions and identical parameters', async () => {
    const uri = await saveArtifacts(store, 'models/TEST/v1', fit.artifacts);
    expect(uri).toBe(store.uri('models/TEST/v1'));
    expect(await store.list('models/TEST/v1/')).toEqual(
      ['manifest.json', 'meta.json', 'model.json', 'reference.json', 'weights.bin'].map(
        (f) => `models/TEST/v1/${f}`,
      ),
    );
    const loaded = await loadArtifacts(store, 'models/TEST/v1');
    expect(loaded.meta).toEqual(fit.artifacts.meta);
    expect(loaded.reference).toEqual(fit.artifacts.reference);

    const x = Array.from({ length: 5 }, (_, i) =>
      Array.from({ length: 8 }, (_, t) =>
        Array.from({ length: 9 }, (_, c) => Math.sin(i + t * 0.3 + c)),
      ),
    );
    const before = predictEnsemble(fit.artifacts.members, x);
    const after = predictEnsemble(loaded.members, x);
    expect(bits(after).equals(bits(before))).toBe(true);

    const asOf = (bars[240] as Bar).date;
    expect(forecastWith(loaded, bars, features, asOf)).toEqual(
      forecastWith(fit.artifacts, bars, features, asOf),
    );
    disposeMembers(loaded.members);
  });

  it('writes the manifest last, so an unfinished save is never loadable', async () => {
    const order: string[] = [];
    const spy: ObjectStore = {
      ...store,
      put: (k, d) => (order.push(`put ${k}`), store.put(k, d)),
      putIfAbsent: (k, d) => (order.push(`create ${k}`), store.putIfAbsent(k, d)),
    };
    await saveArtifacts(spy, 'models/TEST/v2', fit.artifacts);
    expect(order[order.length - 1]).toBe('create models/TEST/v2/manifest.json');
    expect(order).toHaveLength(5);
    expect(order.every((w) => w.startsWith('create '))).toBe(true);

    await store.delete('models/TEST/v2/manifest.json');
    await expect(loadArtifacts(store, 'models/TEST/v2')).rejects.toThrow(
      /no model version at .*manifest\.json is missing/,
    );
    await expect(loadArtifacts(store, 'models/NOPE/v1')).rejects.toThrow(
      /manifest\.json is missing/,
    );
  });

  it('refuses a version whose files no longer match the manifest', async () => {
    await saveArtifacts(store, 'models/TEST/v3', fit.artifacts);
    const weights = (await store.get('models/TEST/v3/weights.bin')) as Uint8Array;
    const changed = new Uint8Array(weights);
    changed[0] = (changed[0] as number) ^ 1;
    await store.put('models/TEST/v3/weights.bin', changed);
    await expect(loadArtifacts(store, 'models/TEST/v3')).rejects.toThrow(
      /weights\.bin does not match its manifest/,
    );
  });

  it('rejects an invalid manifest and never overwrites a published version', async () => {
    await saveArtifacts(store, 'models/TEST/v4', fit.artifacts);
    await expect(saveArtifacts(store, 'models/TEST/v4', fit.artifacts)).rejects.toThrow(
      /already exists/,
    );
    await store.put(
      'models/TEST/v4/manifest.json',
      JSON.stringify({ formatVersion: 2, files: {} }),
    );
    await expect(loadArtifacts(store, 'models/TEST/v4')).rejects.toThrow(
      /manifest\.json is invalid: formatVersion/,
    );
  });
});

describe('an ensemble of networks', () => {
  const k3 = { ...cfg, serving: { ...cfg.serving, ensembleSize: 3 } };
  let ens: FitResult;
  beforeAll(async () => {
    ens = await fitModel(bars, features, k3, { backend: 'wasm' });
  });
  afterAll(() => disposeMembers(ens.artifacts.members));

  it('trains one network per seed; member 0 is exactly the single model, the forecast is their mean', () => {
    expect(ens.artifacts.members).toHaveLength(3);
    expect(ens.artifacts.meta.members).toBe(3);
    expect(ens.trainings).toHaveLength(3);
    const x = [fit.artifacts.meta.columns.map(() => 0.1)].map((row) =>
      Array.from({ length: 8 }, () => row),
    );
    const single = predict(fit.artifacts.members[0] as never, x);
    const first = predict(ens.artifacts.members[0] as never, x);
    expect(bits(first).equals(bits(single))).toBe(true);
    const all = ens.artifacts.members.map((m) => predict(m, x)[0]?.[0] ?? NaN);
    // Each member its own seed: distinct LSTM kernels (their forecasts may coincide, since each
    // starts at the no-change forecast and keeps it when no epoch validates better).
    const kernels = ens.artifacts.members.map((m) => String(m.getWeights()[0]?.dataSync()[0]));
    expect(new Set(kernels).size).toBe(3);
    const mean = predictEnsemble(ens.artifacts.members, x)[0]?.[0];
    expect(mean).toBeCloseTo(all.reduce((a, b) => a + b, 0) / 3, 12);
    // The holdout is scored on the mean; member 0's own score is kept beside it.
    expect(ens.memberEvaluation[0]?.model.mase).toBe(fit.evaluation[0]?.model.mase);
  });

  it('changes the config hash, so a single model and an ensemble are never mixed up', () => {
    expect(ens.artifacts.meta.configHash).not.toBe(fit.artifacts.meta.configHash);
  });

  it('saves each member beside the single-model files and loads the same forecasts back', async () => {
    await saveArtifacts(store, 'models/TEST/ens', ens.artifacts);
    const files = (await store.list('models/TEST/ens/')).map((k) =>
      k.replace('models/TEST/ens/', ''),
    );
    expect(files.sort()).toEqual(
      [
        'manifest.json',
        'member-1/model.json',
        'member-1/weights.bin',
        'member-2/model.json',
        'member-2/weights.bin',
        'meta.json',
        'model.json',
        'reference.json',
        'weights.bin',
      ].sort(),
    );
    const loaded = await loadArtifacts(store, 'models/TEST/ens');
    try {
      expect(loaded.members).toHaveLength(3);
      const asOf = (bars[240] as Bar).date;
      expect(forecastWith(loaded, bars, features, asOf)).toEqual(
        forecastWith(ens.artifacts, bars, features, asOf),
      );
    } finally {
      disposeMembers(loaded.members);
    }
  });

  it('refuses to load a version whose member file changed', async () => {
    await store.put('models/TEST/ens/member-2/weights.bin', new Uint8Array([1, 2, 3]));
    await expect(loadArtifacts(store, 'models/TEST/ens')).rejects.toThrow(
      /member-2\/weights.bin does not match its manifest entry/,
    );
  });
});
