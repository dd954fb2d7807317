/**
 * Model files are interchangeable between the fused LSTM and tf.layers.lstm, through the
 * project's own save and load (artifacts.ts): a fused model's files load into a plain tfjs LSTM
 * with no project code, and a plain LSTM's files load as the fused layer on the native backend.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';
import { loadArtifacts, saveArtifacts } from '../../pipelines/model/io/artifacts.js';
import { selectBackend } from '../../pipelines/model/runtime/backend.js';
import { predict } from '../../pipelines/model/network/lstm.js';
import { fitModel, type FitResult } from '../../pipelines/model/fit.js';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import { nativeRequired } from './lstm-parity-support.js';
import { simpleFeatures, syntheticBars } from './model-fixtures.js';
import { disposeMembers, predictEnsemble } from '../../pipelines/model/network/ensemble.js';

const cfg = loadConfig({
  overrides: {
    lookback: 8,
    horizons: [3],
    model: { units: 8, epochs: 2, batchSize: 16, trainDays: 150 },
    // One member: this file layout is a single network's (the ensemble's: model-artifacts.test.ts).
    serving: { ensembleSize: 1 },
  },
});
const bars = syntheticBars(260, 5);
const features = simpleFeatures(bars);
const x = Array.from({ length: 5 }, (_, i) =>
  Array.from({ length: 8 }, (_, t) =>
    Array.from({ length: 9 }, (_, c) => Math.sin(i + t * 0.3 + c)),
  ),
);
let dir: string;
let store: ObjectStore;
let fit: FitResult;
let native = false;

beforeAll(async () => {
  native = (await selectBackend('auto')).name === 'tensorflow';
  if (nativeRequired && !native)
    throw new Error(
      'the native backend is required (make test builds it; STOCKOPS_NATIVE_TF=0 opts out)',
    );
  dir = await mkdtemp(join(tmpdir(), 'lstm-artifacts-'));
  store = createLocalObjectStore({ dir });
  fit = await fitModel(bars, features, cfg, { backend: tf.getBackend() });
});
afterAll(async () => {
  disposeMembers(fit.artifacts.members);
  await rm(dir, { recursive: true, force: true });
});

/** The saved file's layers, as tfjs wrote them. */
async function savedLayers(
  prefix: string,
): Promise<{ class_name: string; config: Record<string, unknown> }[]> {
  const json = JSON.parse(new TextDecoder().decode(await store.get(`${prefix}/model.json`))) as {
    modelTopology: {
      config: { layers: { class_name: string; config: Record<string, unknown> }[] };
    };
  };
  return json.modelTopology.config.layers;
}

/** A model from saved files by plain tfjs: no topology rewrite, no project layer. */
async function loadPlain(prefix: string): Promise<tf.LayersModel> {
  const json = JSON.parse(new TextDecoder().decode(await store.get(`${prefix}/model.json`))) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const w = (await store.get(`${prefix}/weights.bin`)) as Uint8Array;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]?.weights ?? [],
      weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
    }),
  );
}

const worst = (a: number[][], b: number[][]): number =>
  Math.max(...a.flat().map((v, i) => Math.abs(v - (b.flat()[i] as number))));

describe('fused LSTM model files', () => {
  it('a trained model uses the native backend fused layer and saves as a plain LSTM', async () => {
    if (!native) return expect(native).toBe(false);
    expect(fit.artifacts.members[0]?.layers[0]?.constructor.name).toBe('SequenceLSTM');
    await saveArtifacts(store, 'models/T/fused', fit.artifacts);
    const [lstm] = await savedLayers('models/T/fused');
    expect(lstm?.class_name).toBe('LSTM');
    expect(lstm?.config.recurrent_activation).toBe('sigmoid');
    expect(lstm?.config.unit_forget_bias).toBe(true);
  });

  it('loads into a plain tf.layers.lstm model, with the same predictions', async () => {
    if (!native) return expect(native).toBe(false);
    const plain = await loadPlain('models/T/fused');
    expect(plain.layers[0]?.constructor.name).toBe('LSTM');
    const d = worst(predict(plain, x), predictEnsemble(fit.artifacts.members, x));
    console.log(`fused-saved → plain LSTM: worst prediction difference ${d}`);
    expect(d).toBeLessThan(1e-5);

    // The reverse: a plain LSTM's files load as the fused layer through loadArtifacts.
    await saveArtifacts(store, 'models/T/plain', { ...fit.artifacts, members: [plain] });
    const plainLayers = await savedLayers('models/T/plain');
    const fusedLayers = await savedLayers('models/T/fused');
    expect(plainLayers).toEqual(fusedLayers);
    const loaded = await loadArtifacts(store, 'models/T/plain');
    expect(loaded.members[0]?.layers[0]?.constructor.name).toBe('SequenceLSTM');
    const d2 = worst(predictEnsemble(loaded.members, x), predict(plain, x));
    console.log(`plain-saved → fused: worst prediction difference ${d2}`);
    expect(d2).toBeLessThan(1e-5);
    disposeMembers(loaded.members);
    plain.dispose();
  });
});
