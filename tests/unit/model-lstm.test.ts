import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildModel,
  predict,
  trainModel,
  type ModelData,
} from '../../pipelines/model/network/lstm.js';
import { createRng } from '../../pipelines/stats/random.js';
import { SeededDropout } from '../../pipelines/model/network/seeded-dropout.js';
import { useWasmBackend } from './model-fixtures.js';

const LOOKBACK = 6;
const FEATURES = 3;
const spec = {
  lookback: LOOKBACK,
  nFeatures: FEATURES,
  units: 8,
  dropout: 0.2,
  horizons: 2,
  learningRate: 0.01,
  seed: 7,
};

/** Targets that depend on the inputs (ratio ≈ 1 + a trend read from feature 0). */
function syntheticData(n: number, seed: number): ModelData {
  const rng = createRng(seed);
  const x: number[][][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const w = Array.from({ length: LOOKBACK }, () =>
      Array.from({ length: FEATURES }, () => rng() * 2 - 1),
    );
    const trend = w.reduce((a, row) => a + (row[0] as number), 0) / LOOKBACK;
    x.push(w);
    y.push([1 + 0.05 * trend, 1 + 0.1 * trend]);
  }
  return { x, y };
}

const train = syntheticData(160, 1);
const validation = syntheticData(40, 2);
const trainOpts = { epochs: 3, batchSize: 16, patience: 2, seed: 7 };

async function trainedWeights(seed: number): Promise<{ weights: Float32Array[]; loss: number[] }> {
  const model = buildModel({ ...spec, seed });
  const result = await trainModel(model, { train, validation }, { ...trainOpts, seed });
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return { weights, loss: result.history.map((h) => h.loss) };
}

beforeAll(useWasmBackend);

describe('buildModel', () => {
  it('is LSTM → Dropout → Dense(relu) with Keras defaults', () => {
    const model = buildModel(spec);
    const [lstm, drop, dense] = model.layers;
    const cfg = lstm?.getConfig() ?? {};
    expect(lstm?.getClassName()).toBe('LSTM');
    expect(cfg.units).toBe(8);
    expect(cfg.recurrentActivation).toBe('sigmoid');
    expect(cfg.unitForgetBias).toBe(true);
    expect(drop?.getClassName()).toBe('SeededDropout');
    expect(dense?.getConfig().activation).toBe('relu');
    expect(model.outputs[0]?.shape).toEqual([null, 2]);
    // Keras's unit_forget_bias: the forget gate's bias (second block of four) starts at 1.
    const bias = Array.from(lstm?.getWeights()[2]?.dataSync() ?? []);
    expect(bias.slice(0, 8)).toEqual(new Array(8).fill(0));
    expect(bias.slice(8, 16)).toEqual(new Array(8).fill(1));
    expect(bias.slice(16)).toEqual(new Array(16).fill(0));
    // The output starts from the no-change forecast (ratio 1), not from a price of 0.
    expect(Array.from(dense?.getWeights()[1]?.dataSync() ?? [])).toEqual([1, 1]);
    model.dispose();
  });

  it('initialises identically from the same seed and differently from another', () => {
    const w = (seed: number): number[][] => {
      const m = buildModel({ ...spec, seed });
      const out = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return out;
    };
    expect(w(3)).toEqual(w(3));
    expect(w(3)).not.toEqual(w(4));
  });
});

describe('trainModel', () => {
  it('is reproducible: same seed → bitwise identical weights and losses', async () => {
    const a = await trainedWeights(11);
    const b = await trainedWeights(11);
    expect(b.loss).toEqual(a.loss);
    a.weights.forEach((w, i) =>
      expect(Buffer.from(b.weights[i]!.buffer)).toEqual(Buffer.from(w.buffer)),
    );
    const c = await trainedWeights(12);
    expect(c.weights.map((w) => Array.from(w))).not.toEqual(a.weights.map((w) => Array.from(w)));
  });

  it('learns, stops early and restores the best epoch', async () => {
    const model = buildModel(spec);
    const result = await trainModel(
      model,
      { train, validation },
      { epochs: 25, batchSize: 16, patience: 2, seed: 7 },
    );
    const val = result.history.map((h) => h.valLoss);
    expect(result.history.map((h) => h.epoch)).toEqual(val.map((_, i) => i + 1));
    expect(result.bestEpoch).toBe(val.indexOf(Math.min(...val)) + 1);
    expect(result.epochsRun).toBeLessThanOrEqual(result.bestEpoch + 2);
    expect(Math.min(...val)).toBeLessThan(val[0] as number);
    // The model holds the best epoch's weights: its validation loss now is that epoch's.
    const xs = tf.tensor3d(validation.x);
    const ys = tf.tensor2d(validation.y);
    const evaluated = model.evaluate(xs, ys) as tf.Scalar[];
    const loss = (await evaluated[0]!.data())[0] as number;
    expect(loss).toBeCloseTo(result.history[result.bestEpoch - 1]!.valLoss, 5);
    tf.dispose([xs, ys, ...evaluated]);
    model.dispose();
  });

  it('stops after `patience` epochs without improvement', async () => {
    // A learning rate this large makes validation loss stall or rise early.
    const model = buildModel({ ...spec, learningRate: 5 });
    const result = await trainModel(
      model,
      { train, validation },
      { epochs: 30, batchSize: 16, patience: 1, seed: 7 },
    );
    expect(result.epochsRun).toBe(result.bestEpoch + 1);
    expect(result.epochsRun).toBeLessThan(30);
    model.dispose();
  });

  it('rejects mismatched inputs and targets', async () => {
    const model = buildModel(spec);
    await expect(
      trainModel(model, { train: { x: train.x, y: train.y.slice(1) }, validation }, trainOpts),
    ).rejects.toThrow(/160 inputs but 159 targets/);
    model.dispose();
  });
});

describe('predict', () => {
  it('returns one non-negative ratio per horizon and window', () => {
    const model = buildModel(spec);
    const out = predict(model, validation.x);
    expect(out).toHaveLength(40);
    for (const row of out) {
      expect(row).toHaveLength(2);
      for (const v of row) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(predict(model, [])).toEqual([]);
    model.dispose();
  });
});

describe('SeededDropout', () => {
  it('draws a new mask each training step, the same sequence for the same seed, none at inference', () => {
    const ones = tf.ones([4, 50]);
    const masks = (seed: number): number[][] => {
      const layer = new SeededDropout({ rate: 0.5, seed });
      return [0, 1, 2].map(() =>
        Array.from((layer.apply(ones, { training: true }) as tf.Tensor).dataSync()),
      );
    };
    const a = masks(1);
    expect(a[1]).not.toEqual(a[0]);
    expect(masks(1)).toEqual(a);
    expect(a[0]!.filter((v) => v === 0).length).toBeGreaterThan(50);
    const layer = new SeededDropout({ rate: 0.5, seed: 1 });
    expect(Array.from((layer.apply(ones) as tf.Tensor).dataSync())).toEqual(new Array(200).fill(1));
    ones.dispose();
  });
});
