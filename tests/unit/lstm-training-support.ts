/** Training parity: one model per LSTM implementation, the same seed, data and loop. */
import type {
  buildModel as Build,
  trainModel as Train,
  LstmImplementation,
  ModelData,
} from '../../pipelines/model/network/lstm.js';
import { createRng } from '../../pipelines/stats/random.js';

const LOOKBACK = 10;
const FEATURES = 4;

function data(n: number, seed: number): ModelData {
  const rng = createRng(seed);
  const x: number[][][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const w = Array.from({ length: LOOKBACK }, () =>
      Array.from({ length: FEATURES }, () => rng() * 2 - 1),
    );
    const trend =
      w.reduce((a, row) => a + (row[0] as number) - 0.5 * (row[1] as number), 0) / LOOKBACK;
    x.push(w);
    y.push([1 + 0.05 * trend]);
  }
  return { x, y };
}

/** Loss per epoch for `impl` and for the layers path, and their worst relative difference. */
export async function trainingParity(
  impl: LstmImplementation,
  buildModel: typeof Build,
  trainModel: typeof Train,
): Promise<{ fused: number[]; layers: number[]; worst: number; bestEpochs: [number, number] }> {
  // Dropout on: the seeded masks must line up step for step too.
  const spec = {
    lookback: LOOKBACK,
    nFeatures: FEATURES,
    units: 16,
    dropout: 0.2,
    horizons: 1,
    learningRate: 0.01,
    seed: 5,
  };
  const split = { train: data(192, 1), validation: data(48, 2) };
  const opts = { epochs: 4, batchSize: 32, patience: 4, seed: 5 };
  const run = async (i: LstmImplementation): Promise<{ loss: number[]; best: number }> => {
    const model = buildModel(spec, i);
    try {
      const r = await trainModel(model, split, opts);
      return { loss: r.history.flatMap((h) => [h.loss, h.valLoss]), best: r.bestEpoch };
    } finally {
      model.dispose();
    }
  };
  const a = await run(impl);
  const b = await run('layers');
  const worst = Math.max(
    ...a.loss.map((v, k) => Math.abs(v - (b.loss[k] as number)) / Math.abs(b.loss[k] as number)),
  );
  return { fused: a.loss, layers: b.loss, worst, bestEpochs: [a.best, b.best] };
}
