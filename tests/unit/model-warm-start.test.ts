/** Warm-start retraining (train-members.ts) and keeping the starting weights (lstm.ts). */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';
import { fitModel, type FitResult } from '../../pipelines/model/fit.js';
import { disposeMembers } from '../../pipelines/model/network/ensemble.js';
import { buildModel, trainModel } from '../../pipelines/model/network/lstm.js';
import { simpleFeatures, syntheticBars, useWasmBackend } from './model-fixtures.js';

const model = {
  units: 8,
  epochs: 3,
  batchSize: 16,
  learningRate: 0.01,
  trainDays: 200,
  patience: 2,
  warmStart: { enabled: true, epochs: 2 },
};
const cfg = loadConfig({
  overrides: { lookback: 10, horizons: [1, 5], model, serving: { ensembleSize: 2 } },
});
const bars = syntheticBars(400, 5);
const features = simpleFeatures(bars);
const upTo = (n: number) => ({
  bars: bars.slice(0, n),
  features: features.filter((f) => f.date <= (bars[n - 1]?.date ?? '')),
});
const fits: FitResult[] = [];
let first: FitResult;

beforeAll(async () => {
  await useWasmBackend();
  const d = upTo(360);
  first = await fitModel(d.bars, d.features, cfg, { backend: 'wasm' });
  fits.push(first);
});
afterAll(() => fits.forEach((f) => disposeMembers(f.artifacts.members)));

const warmFrom = (f: FitResult) => ({
  members: f.artifacts.members,
  meta: f.artifacts.meta,
  label: 'v-first',
});

describe('warm-start retraining', () => {
  it('a first fit has nothing to start from: from scratch, and says so', () => {
    expect(first.artifacts.meta.training).toEqual({ warmStart: false });
    expect(first.params.warm_start).toBe('false');
  });

  it('starts from the serving version’s weights, for at most warmStart.epochs, and records it', async () => {
    const d = upTo(400);
    const fit = await fitModel(d.bars, d.features, cfg, {
      backend: 'wasm',
      warmStart: warmFrom(first),
    });
    fits.push(fit);
    expect(fit.artifacts.meta.training).toEqual({ warmStart: true, from: 'v-first' });
    expect(fit.params).toMatchObject({ warm_start: 'true', warm_start_from: 'v-first' });
    for (const t of fit.trainings) expect(t.epochsRun).toBeLessThanOrEqual(2);
    // Epoch 0 is the serving version's weights scored on the new validation split: the kept
    // weights are those or an epoch that beat them.
    const scratch = await fitModel(d.bars, d.features, cfg, { backend: 'wasm' });
    fits.push(scratch);
    const w = (f: FitResult) =>
      Array.from(f.artifacts.members[0]?.getWeights()[0]?.dataSync() ?? []);
    expect(w(fit)).not.toEqual(w(scratch));
  });

  it('trains from scratch when warm starts are off or the version does not fit the new inputs', async () => {
    const d = upTo(400);
    const off = loadConfig({
      overrides: {
        lookback: 10,
        horizons: [1, 5],
        model: { ...model, warmStart: { enabled: false, epochs: 2 } },
      },
    });
    const a = await fitModel(d.bars, d.features, off, {
      backend: 'wasm',
      warmStart: warmFrom(first),
    });
    fits.push(a);
    expect(a.artifacts.meta.training?.warmStart).toBe(false);
    const ratio = { ...first.artifacts.meta, target: { kind: 'ratio' as const } };
    const b = await fitModel(d.bars, d.features, cfg, {
      backend: 'wasm',
      warmStart: { members: first.artifacts.members, meta: ratio },
    });
    fits.push(b);
    expect(b.artifacts.meta.training?.warmStart).toBe(false);
    const fewer = { ...first.artifacts.meta, columns: first.artifacts.meta.columns.slice(0, -1) };
    const c = await fitModel(d.bars, d.features, cfg, {
      backend: 'wasm',
      warmStart: { members: first.artifacts.members, meta: fewer },
    });
    fits.push(c);
    expect(c.artifacts.meta.training?.warmStart).toBe(false);
  });
});

describe('keepStartIfBest', () => {
  it('keeps the starting weights when every epoch is worse on validation', async () => {
    const spec = { lookback: 4, nFeatures: 2, units: 4, dropout: 0, horizons: 1, seed: 3 };
    // A learning rate of 50 throws the weights far from a start that already fits the data.
    const net = buildModel({ ...spec, learningRate: 50, zeroOutputKernel: true });
    const x = Array.from({ length: 64 }, (_, i) =>
      [0, 1, 2, 3].map((j) => [Math.sin(i + j), Math.cos(i * j)]),
    );
    const y = x.map(() => [1]);
    const start = net.getWeights().map((w) => Array.from(w.dataSync()));
    const r = await trainModel(
      net,
      { train: { x, y }, validation: { x, y } },
      { epochs: 2, batchSize: 16, patience: 2, seed: 1, keepStartIfBest: true },
    );
    expect(r.bestEpoch).toBe(0);
    expect(net.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(start);
    const out = net.predict(tf.tensor3d(x.slice(0, 3))) as tf.Tensor;
    expect(Array.from(out.dataSync())).toEqual([1, 1, 1]);
    net.dispose();
  });
});
