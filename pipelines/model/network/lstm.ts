/**
 * The forecasting network and its training loop: LSTM(units) → Dropout → Dense(H, relu), with
 * Keras's defaults spelled out and every random draw seeded so a run can be repeated exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { PipelineError } from '../../types.js';
import { createRng, deriveSeed, permutation } from '../../stats/random.js';
import { SeededDropout } from './seeded-dropout.js';
import { SequenceLSTM, withSequenceLstm } from './lstm-layer.js';
import { FusedLstmUnavailable, nativeLstm } from './fused-lstm.js';

export interface ModelSpec {
  lookback: number;
  nFeatures: number;
  units: number;
  dropout: number;
  /** Number of outputs: one ratio per forecast horizon. */
  horizons: number;
  learningRate: number;
  seed: number;
  /** L2 penalty on the output kernel; absent or 0: none. */
  l2?: number;
  /**
   * Start the output kernel at 0, so every window's output is the bias (1) until training moves
   * it: with a scaled target (model/target.ts) that is the no-change forecast, and early stopping
   * then keeps only what the validation loss rewards. Absent: Glorot, as Keras would.
   */
  zeroOutputKernel?: boolean;
}

/**
 * How the LSTM layer runs: 'fused', TensorFlow's BlockLSTMV2 kernels (native backend); 'bptt',
 * the whole sequence in plain tfjs ops with a hand-written backward pass; 'layers',
 * tf.layers.lstm's step-by-step cell. All three hold the same weights and save the same files.
 */
export type LstmImplementation = 'fused' | 'bptt' | 'layers';

/**
 * The implementation for the active backend. Native: fused, 4–9× faster to train than the layers
 * path; if tfjs-node's internals changed under it (the backend's detail says so), the BPTT, which
 * still saves most of the per-op overhead. Elsewhere (wasm, cpu): tf.layers.lstm, because on wasm
 * the BPTT measured no faster (the same CPU time per sample: the matmuls dominate there, not the
 * op count) and the library's own layer is the one to keep.
 */
export function lstmImplementation(): LstmImplementation {
  if (forced) return forced;
  if (tf.getBackend() !== 'tensorflow') return 'layers';
  try {
    nativeLstm();
    return 'fused';
  } catch (e) {
    if (e instanceof FusedLstmUnavailable) return 'bptt';
    throw e;
  }
}

let forced: LstmImplementation | undefined;
/** For `make bench`'s before/after: every LSTM this process builds or loads runs as `impl`. */
export function forceLstmImplementation(impl: LstmImplementation | undefined): void {
  forced = impl;
}

/** A saved model topology whose LSTM layers run as `lstmImplementation()` says. */
export function topologyForBackend(topology: Record<string, unknown>): Record<string, unknown> {
  return lstmImplementation() === 'layers' ? topology : withSequenceLstm(topology);
}

export function buildModel(
  spec: ModelSpec,
  impl: LstmImplementation = lstmImplementation(),
): tf.Sequential {
  const { seed } = spec;
  const model = tf.sequential();
  const lstm =
    impl === 'layers'
      ? tf.layers.lstm
      : (a: Parameters<typeof tf.layers.lstm>[0]) => new SequenceLSTM(a);
  model.add(
    lstm({
      units: spec.units,
      inputShape: [spec.lookback, spec.nFeatures],
      // tfjs defaults to hardSigmoid; Keras (and the reference model) use the logistic sigmoid.
      recurrentActivation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'lstm/kernel') }),
      recurrentInitializer: tf.initializers.orthogonal({
        gain: 1,
        seed: deriveSeed(seed, 'lstm/recurrent'),
      }),
      biasInitializer: 'zeros',
      unitForgetBias: true,
    }),
  );
  model.add(new SeededDropout({ rate: spec.dropout, seed: deriveSeed(seed, 'dropout') }));
  model.add(
    tf.layers.dense({
      units: spec.horizons,
      // The targets are price ratios close(t+h)/close(t) > 0, so a ReLU output is never wrong-signed.
      activation: 'relu',
      kernelInitializer: spec.zeroOutputKernel
        ? 'zeros'
        : tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'dense/kernel') }),
      ...(spec.l2 ? { kernelRegularizer: tf.regularizers.l2({ l2: spec.l2 }) } : {}),
      // Keras would start at 0, i.e. forecasting a price of 0 and spending the first epochs
      // learning that ratios sit near 1. Starting at 1 starts from the no-change forecast.
      biasInitializer: 'ones',
    }),
  );
  model.compile({
    optimizer: tf.train.adam(spec.learningRate),
    loss: 'meanSquaredError',
    metrics: ['mse', 'mae'],
  });
  return model;
}

/** Standardised inputs [samples × lookback × features] and targets [samples × horizons]. */
export interface ModelData {
  x: number[][][];
  y: number[][];
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Epochs without a lower validation loss before training stops. */
  patience: number;
  seed: number;
  /**
   * Score the starting weights on validation too (epoch 0) and keep them if no epoch beats them:
   * a warm start never ends worse on validation than the version it started from, and a network
   * that starts at the no-change forecast keeps it when nothing it learns validates.
   */
  keepStartIfBest?: boolean;
  /**
   * Relative improvement of the validation loss an epoch needs to count as better (Keras's
   * min_delta, relative): on a short, overlapping validation window most "improvements" are noise.
   */
  minDelta?: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  valLoss: number;
  mae: number;
  valMae: number;
}

export interface TrainResult {
  epochsRun: number;
  /** 1-based epoch whose weights the model holds after training; 0: the starting weights. */
  bestEpoch: number;
  history: EpochMetrics[];
}

function metric(logs: Record<string, unknown>, name: string, epoch: number): number {
  const raw = logs[name];
  const v = Array.isArray(raw) ? (raw[0] as unknown) : raw;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) {
    throw new PipelineError(
      `training diverged: ${name}=${String(v)} at epoch ${epoch}`,
      undefined,
      'model-train',
    );
  }
  return n;
}

function toTensors(data: ModelData, what: string): { x: tf.Tensor3D; y: tf.Tensor2D } {
  if (data.x.length === 0) throw new PipelineError(`no ${what} samples`, undefined, 'model-train');
  if (data.x.length !== data.y.length) {
    throw new PipelineError(
      `${what}: ${data.x.length} inputs but ${data.y.length} targets`,
      undefined,
      'model-train',
    );
  }
  return {
    x: tf.tensor3d(data.x, undefined, 'float32'),
    y: tf.tensor2d(data.y, undefined, 'float32'),
  };
}

/**
 * Trains with early stopping on validation loss and leaves the model holding the best epoch's
 * weights (what Keras's restore_best_weights does; tfjs's earlyStopping cannot). The training set
 * is reshuffled each epoch from a seeded generator rather than tfjs's Math.random shuffle.
 */
export async function trainModel(
  model: tf.LayersModel,
  split: { train: ModelData; validation: ModelData },
  opts: TrainOptions,
): Promise<TrainResult> {
  const train = toTensors(split.train, 'training');
  const val = toTensors(split.validation, 'validation');
  const rng = createRng(deriveSeed(opts.seed, 'shuffle'));
  const history: EpochMetrics[] = [];
  let best: { epoch: number; valLoss: number; weights: tf.Tensor[] } | undefined;
  try {
    if (opts.keepStartIfBest) {
      const start = tf.tidy(() => {
        const out = model.evaluate(val.x, val.y, { batchSize: 256 });
        return (Array.isArray(out) ? out[0] : out)?.dataSync()[0];
      });
      if (start !== undefined && Number.isFinite(start)) {
        best = { epoch: 0, valLoss: start, weights: model.getWeights().map((w) => w.clone()) };
      }
    }
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const order = tf.tensor1d(permutation(split.train.x.length, rng), 'int32');
      const xs = tf.gather(train.x, order);
      const ys = tf.gather(train.y, order);
      order.dispose();
      let logs: Record<string, unknown>;
      try {
        const h = await model.fit(xs, ys, {
          epochs: 1,
          batchSize: opts.batchSize,
          shuffle: false,
          validationData: [val.x, val.y],
          verbose: 0,
        });
        logs = h.history;
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const row: EpochMetrics = {
        epoch,
        loss: metric(logs, 'loss', epoch),
        valLoss: metric(logs, 'val_loss', epoch),
        mae: metric(logs, 'mae', epoch),
        valMae: metric(logs, 'val_mae', epoch),
      };
      history.push(row);
      if (!best || row.valLoss < best.valLoss * (1 - (opts.minDelta ?? 0))) {
        best?.weights.forEach((w) => w.dispose());
        best = { epoch, valLoss: row.valLoss, weights: model.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= opts.patience) {
        break;
      }
    }
    if (!best) throw new PipelineError('no epoch was run', undefined, 'model-train');
    model.setWeights(best.weights);
    return { epochsRun: history.length, bestEpoch: best.epoch, history };
  } finally {
    best?.weights.forEach((w) => w.dispose());
    for (const t of [train.x, train.y, val.x, val.y]) t.dispose();
  }
}

/** Predicted ratios ŷ = close(t+h)/close(t), one row per input window. */
export function predict(model: tf.LayersModel, x: number[][][]): number[][] {
  if (x.length === 0) return [];
  return tf.tidy(() => {
    const out = model.predict(tf.tensor3d(x, undefined, 'float32'), { batchSize: 256 });
    if (Array.isArray(out)) throw new Error('model has more than one output');
    return out.arraySync() as number[][];
  });
}
