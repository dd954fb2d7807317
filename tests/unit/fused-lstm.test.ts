/**
 * The fused LSTM (TensorFlow's BlockLSTMV2 / BlockLSTMGradV2 through tfjs-node's internals)
 * against tf.layers.lstm on the native backend: the internals it relies on, forward output and
 * every gradient on small and on the forecaster's real shape, and training loss curves.
 *
 * The native backend is required (make test builds it); STOCKOPS_NATIVE_TF=0 opts out, and then
 * the test asserts the fallback instead.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../pipelines/model/runtime/backend.js';
import {
  FusedLstmUnavailable,
  nativeLstm,
  TESTED_TFJS_NODE,
} from '../../pipelines/model/network/fused-lstm.js';
import { buildModel, lstmImplementation, trainModel } from '../../pipelines/model/network/lstm.js';
import { compare, lstmOutputs, nativeRequired, type Shape } from './lstm-parity-support.js';
import { trainingParity } from './lstm-training-support.js';

let native = false;
beforeAll(async () => {
  const sel = await selectBackend('auto');
  native = sel.name === 'tensorflow';
  if (nativeRequired && !native) {
    throw new Error(
      `the native TensorFlow backend is required here and did not load (${sel.tried[0]?.error ?? '?'}); ` +
        'make test builds it with scripts/native-tf/install.sh; set STOCKOPS_NATIVE_TF=0 to test without it',
    );
  }
});

describe('tfjs-node internals the fused LSTM relies on', () => {
  it('the installed and pinned tfjs-node are the version it was tested with', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      optionalDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.optionalDependencies['@tensorflow/tfjs-node']).toBe(TESTED_TFJS_NODE);
    expect(pkg.dependencies['@tensorflow/tfjs']).toBe(TESTED_TFJS_NODE);
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    expect(lock.packages['node_modules/@tensorflow/tfjs-node']?.version).toBe(TESTED_TFJS_NODE);
    const require = createRequire(import.meta.url);
    const installed = (require('@tensorflow/tfjs-node/package.json') as { version: string })
      .version;
    expect(installed, 'installed @tensorflow/tfjs-node').toBe(TESTED_TFJS_NODE);
  });

  it('executeOp, tensor ids and BlockLSTMV2/BlockLSTMGradV2 work as fused-lstm.ts expects', () => {
    if (!native) {
      expect(() => nativeLstm()).toThrow(FusedLstmUnavailable);
      console.log('STOCKOPS_NATIVE_TF=0: native backend absent, fused LSTM refused as expected');
      return;
    }
    // Throws FusedLstmUnavailable naming the missing internal or the wrong self-test result.
    expect(() => nativeLstm()).not.toThrow();
    expect(lstmImplementation()).toBe('fused');
    const model = buildModel({
      lookback: 4,
      nFeatures: 2,
      units: 3,
      dropout: 0,
      horizons: 1,
      learningRate: 0.01,
      seed: 1,
    });
    // Saved as a plain LSTM whatever runs it.
    expect(model.layers[0]?.getClassName()).toBe('LSTM');
    expect(model.layers[0]?.constructor.name).toBe('SequenceLSTM');
    model.dispose();
  });

  it('a fused forward and backward leak no tensors', () => {
    if (!native) return expect(native).toBe(false);
    const s = { batch: 3, steps: 4, features: 2, units: 5 };
    lstmOutputs('sequence', s); // warm-up: the first call creates the layer's weights
    const before = tf.memory().numTensors;
    lstmOutputs('sequence', s);
    expect(tf.memory().numTensors).toBe(before);
  });
});

const SHAPES: [string, Shape][] = [
  ['small', { batch: 3, steps: 4, features: 2, units: 5 }],
  [
    'tiny: one unit, two steps (one step breaks tf.layers.lstm gradient)',
    { batch: 1, steps: 2, features: 1, units: 1 },
  ],
  ['real (B32 T30 F18 U200)', { batch: 32, steps: 30, features: 18, units: 200 }],
];

describe('fused LSTM against tf.layers.lstm, native backend', () => {
  it.each(SHAPES)('%s: forward output and every gradient agree to float32', (_, shape) => {
    if (!native) return expect(native).toBe(false);
    const diffs = compare(lstmOutputs('sequence', shape), lstmOutputs('layers', shape), 2e-5);
    console.log(`fused vs layers, ${JSON.stringify(shape)}: ${JSON.stringify(diffs)}`);
  });

  it('training: the same seed and data give the same loss curve as the layers path', async () => {
    if (!native) return expect(native).toBe(false);
    const { fused, layers, worst } = await trainingParity('fused', buildModel, trainModel);
    console.log(`loss fused ${fused.join(' ')} | layers ${layers.join(' ')} | worst ${worst}`);
    expect(worst).toBeLessThan(1e-3);
  });
});
