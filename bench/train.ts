/**
 * Child: training throughput of the default model on one backend.
 *
 * 1. model.fit on the ten-year training split with per-epoch timing: the figure set beside Keras,
 *    which also fits without validation. The first epoch (kernel set-up, first allocations) is
 *    reported apart and excluded from samples/s.
 * 2. Optionally the pipeline's own trainModel (validation pass each epoch, seeded reshuffle, best
 *    weights kept) on a fresh model: what a daily training run pays per epoch.
 *
 *   tsx bench/train.ts --backend tensorflow --epochs 4 [--samples 256] [--pipeline-epochs 3] \
 *     [--lstm auto|fused|bptt|layers]
 */
import { selectBackend, type BackendPreference } from '../pipelines/model/runtime/backend.js';
import {
  buildModel,
  lstmImplementation,
  trainModel,
  type LstmImplementation,
} from '../pipelines/model/network/lstm.js';
import { emit, flags, round, threadEnv } from './child.js';
import { benchArrays, defaultConfig } from './data.js';

const f = flags({
  backend: undefined,
  epochs: '4',
  samples: '0',
  'pipeline-epochs': '0',
  lstm: 'auto',
});
const epochs = Number(f.epochs);
const cap = Number(f.samples);
const pipelineEpochs = Number(f['pipeline-epochs']);

const sel = await selectBackend(f.backend as BackendPreference);
const impl = f.lstm === 'auto' ? lstmImplementation() : (f.lstm as LstmImplementation);
const tf = await import('@tensorflow/tfjs');
const cfg = defaultConfig();
const data = await benchArrays(cfg);
// A cap keeps the slow plain-JS backend inside the time budget; 0 means the whole split.
const n = cap > 0 ? Math.min(cap, data.x.length) : data.x.length;
const x = data.x.slice(0, n);
const y = data.y.slice(0, n);
const spec = {
  lookback: cfg.lookback,
  nFeatures: data.columns.length,
  units: cfg.model.units,
  dropout: cfg.model.dropout,
  horizons: cfg.horizons.length,
  learningRate: cfg.model.learningRate,
  seed: cfg.model.seed,
};

// Building includes the orthogonal initialiser of the 200×800 recurrent kernel: slow in plain JS.
const b0 = performance.now();
const model = buildModel(spec, impl);
const buildS = (performance.now() - b0) / 1000;
const xs = tf.tensor3d(x, undefined, 'float32');
const ys = tf.tensor2d(y, undefined, 'float32');
const seconds: number[] = [];
let start = 0;
await model.fit(xs, ys, {
  epochs,
  batchSize: cfg.model.batchSize,
  shuffle: true,
  verbose: 0,
  callbacks: {
    onEpochBegin: () => {
      start = performance.now();
    },
    onEpochEnd: () => {
      seconds.push((performance.now() - start) / 1000);
    },
  },
});
xs.dispose();
ys.dispose();
model.dispose();
const measured = seconds.length > 1 ? seconds.slice(1) : seconds;
const secPerEpoch = measured.reduce((a, b) => a + b, 0) / measured.length;

let pipeline: { epochs: number; seconds: number; secPerEpoch: number } | null = null;
if (pipelineEpochs > 0) {
  const fresh = buildModel(spec, impl);
  const t0 = performance.now();
  const r = await trainModel(
    fresh,
    { train: { x, y }, validation: data.validation },
    {
      epochs: pipelineEpochs,
      batchSize: cfg.model.batchSize,
      // Every epoch runs: early stopping would make the epoch count depend on the data.
      patience: pipelineEpochs,
      seed: cfg.model.seed,
    },
  );
  const s = (performance.now() - t0) / 1000;
  fresh.dispose();
  pipeline = { epochs: r.epochsRun, seconds: round(s), secPerEpoch: round(s / r.epochsRun) };
}

emit({
  backend: sel.name,
  detail: sel.detail,
  lstm: impl,
  threads: threadEnv(),
  samples: n,
  capped: n < data.x.length,
  trainSplit: data.x.length,
  validation: data.validation.x.length,
  inputShape: [cfg.lookback, data.columns.length],
  batchSize: cfg.model.batchSize,
  epochs,
  buildS: round(buildS),
  epochSeconds: seconds.map((s) => round(s)),
  warmupS: round(seconds[0] ?? Number.NaN),
  warmupExcluded: seconds.length > 1,
  secPerEpoch: round(secPerEpoch),
  samplesPerS: round(n / secPerEpoch, 1),
  pipeline,
});
