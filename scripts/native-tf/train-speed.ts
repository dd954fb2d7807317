/**
 * Training throughput of the forecast model's architecture on one tfjs backend, to set beside
 * bench/keras_reference.py: LSTM(200, sigmoid) → Dropout(0.2) → Dense(1, relu), Adam 1e-3, MSE,
 * batch 32, inputs [30 × 16], synthetic data (throughput does not depend on the values).
 *
 *   npx tsx scripts/native-tf/train-speed.ts --backend tensorflow --samples 2500 --epochs 3
 *
 * Prints one JSON object. The first epoch includes kernel warm-up, so throughput is measured on
 * the epochs after it (all of them when --epochs 1, flagged by "warmup_excluded": false).
 */
import { parseArgs } from 'node:util';
import { selectBackend, tf, type BackendPreference } from '../../pipelines/model/backend.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    samples: { type: 'string', default: '2500' },
    epochs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '32' },
  },
});
const backend = values.backend as BackendPreference;
if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) {
  throw new Error(`--backend must be auto, tensorflow, wasm or cpu, not ${values.backend}`);
}
const int = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const samples = int('samples', values.samples);
const epochs = int('epochs', values.epochs);
const batchSize = int('batch-size', values['batch-size']);
const LOOKBACK = 30;
const FEATURES = 16;
const UNITS = 200;

const sel = await selectBackend(backend);
const t = tf();
const x = t.randomNormal([samples, LOOKBACK, FEATURES], 0, 1, 'float32', 42);
// Price-ratio-like targets near 1, as the real model predicts, so relu is active.
const y = t.tidy(() =>
  t
    .tanh(x.slice([0, LOOKBACK - 1, 0], [samples, 1, 1]).reshape([samples, 1]))
    .mul(0.01)
    .add(1),
);
const model = t.sequential({
  layers: [
    t.layers.lstm({
      units: UNITS,
      recurrentActivation: 'sigmoid',
      inputShape: [LOOKBACK, FEATURES],
    }),
    t.layers.dropout({ rate: 0.2 }),
    t.layers.dense({ units: 1, activation: 'relu' }),
  ],
});
model.compile({ optimizer: t.train.adam(1e-3), loss: 'meanSquaredError' });

const seconds: number[] = [];
let start = 0;
const hist = await model.fit(x, y, {
  batchSize,
  epochs,
  shuffle: true,
  verbose: 0,
  // No yielding to the event loop between batches: nothing else runs here, and Keras does not.
  yieldEvery: 'never',
  callbacks: {
    onEpochBegin: () => {
      start = performance.now();
    },
    onEpochEnd: () => {
      seconds.push((performance.now() - start) / 1000);
    },
  },
});
const measured = seconds.length > 1 ? seconds.slice(1) : seconds;
const secPerEpoch = measured.reduce((a, b) => a + b, 0) / measured.length;
const loss = hist.history.loss?.at(-1);
console.log(
  JSON.stringify({
    framework: 'tfjs',
    backend: sel.name,
    detail: sel.detail,
    tfjs_version: t.version.tfjs,
    node: process.version,
    samples,
    epochs,
    batch_size: batchSize,
    epoch_seconds: seconds.map((s) => Number(s.toFixed(3))),
    warmup_excluded: seconds.length > 1,
    sec_per_epoch: Number(secPerEpoch.toFixed(3)),
    samples_per_s: Number((samples / secPerEpoch).toFixed(1)),
    final_loss: typeof loss === 'number' ? loss : null,
  }),
);
