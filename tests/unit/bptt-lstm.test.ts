/**
 * The portable LSTM (whole sequence in plain tfjs ops, hand-written BPTT) against tf.layers.lstm:
 * forward output and every gradient, on wasm (where it runs in production) at small shapes and on
 * the forecaster's real shape, and training loss curves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../pipelines/model/runtime/backend.js';
import { buildModel, lstmImplementation, trainModel } from '../../pipelines/model/network/lstm.js';
import { compare, lstmOutputs, type Shape } from './lstm-parity-support.js';
import { trainingParity } from './lstm-training-support.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const SHAPES: [string, Shape][] = [
  ['small', { batch: 3, steps: 4, features: 2, units: 5 }],
  [
    'tiny: one unit, two steps (one step breaks tf.layers.lstm gradient)',
    { batch: 1, steps: 2, features: 1, units: 1 },
  ],
  ['real (B32 T30 F18 U200)', { batch: 32, steps: 30, features: 18, units: 200 }],
];

describe('BPTT LSTM against tf.layers.lstm, wasm backend', () => {
  it('is not what buildModel uses on wasm: the layers path measured as fast there', () => {
    expect(lstmImplementation()).toBe('layers');
  });

  it.each(SHAPES)('%s: forward output and every gradient agree to float32', (_, shape) => {
    const diffs = compare(lstmOutputs('sequence', shape), lstmOutputs('layers', shape), 2e-5);
    console.log(`bptt vs layers, ${JSON.stringify(shape)}: ${JSON.stringify(diffs)}`);
  });

  it('training: the same seed and data give the same loss curve as the layers path', async () => {
    const { fused, layers, worst, bestEpochs } = await trainingParity(
      'bptt',
      buildModel,
      trainModel,
    );
    console.log(`loss bptt ${fused.join(' ')} | layers ${layers.join(' ')} | worst ${worst}`);
    expect(worst).toBeLessThan(1e-3);
    expect(bestEpochs[0]).toBe(bestEpochs[1]);
  });
});
