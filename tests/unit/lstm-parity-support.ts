/** Shared by the LSTM parity tests: seeded inputs and an element-wise comparison. */
import * as tf from '@tensorflow/tfjs';
import { SequenceLSTM } from '../../pipelines/model/network/lstm-layer.js';

/**
 * The native backend is required unless the developer opted out of building it
 * (STOCKOPS_NATIVE_TF=0, as scripts/native-tf/install.sh reads it): `make test` builds it, so a
 * missing addon there is a failure to report, not a reason to skip.
 */
export const nativeRequired = process.env.STOCKOPS_NATIVE_TF !== '0';

export interface Shape {
  batch: number;
  steps: number;
  features: number;
  units: number;
}

export interface LstmOutputs {
  out: Float32Array;
  /** Gradients of Σ(out · w) for a fixed random w: kernel, recurrent kernel, bias, input. */
  grads: Record<'kernel' | 'recurrent_kernel' | 'bias' | 'input', Float32Array>;
}

function lstmArgs(s: Shape, seed: number): Parameters<typeof tf.layers.lstm>[0] {
  return {
    units: s.units,
    inputShape: [s.steps, s.features],
    recurrentActivation: 'sigmoid',
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    // Not orthogonal (the model's): its QR costs more than the whole comparison at 200 units.
    // That both layers initialise identically is shown by the training-parity tests.
    recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    unitForgetBias: true,
  };
}

/** Forward output and every gradient of one LSTM layer, on the active backend. */
export function lstmOutputs(kind: 'layers' | 'sequence', s: Shape, seed = 11): LstmOutputs {
  const layer =
    kind === 'layers' ? tf.layers.lstm(lstmArgs(s, seed)) : new SequenceLSTM(lstmArgs(s, seed));
  const result = tf.tidy(() => {
    const x = tf.randomNormal([s.batch, s.steps, s.features], 0, 1, 'float32', seed + 2);
    const w = tf.randomNormal([s.batch, s.units], 0, 1, 'float32', seed + 3);
    const out = layer.apply(x) as tf.Tensor;
    const loss = (xx: tf.Tensor): tf.Scalar => tf.sum(tf.mul(layer.apply(xx) as tf.Tensor, w));
    const { grads } = tf.variableGrads(() => loss(x));
    const byName = (suffix: string): tf.Tensor => {
      const g = Object.entries(grads).find(([k]) => k.replace(/_\d+$/, '').endsWith(`/${suffix}`));
      if (!g) throw new Error(`no gradient for ${suffix} in ${Object.keys(grads).join(', ')}`);
      return g[1];
    };
    const dx = tf.grad(loss)(x);
    const data = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;
    return {
      out: data(out),
      grads: {
        kernel: data(byName('kernel')),
        recurrent_kernel: data(byName('recurrent_kernel')),
        bias: data(byName('bias')),
        input: data(dx),
      },
    };
  });
  layer.dispose();
  return result;
}

/** Worst |a − b| relative to the largest |b| (at least 1): a float32 accumulation's scale. */
export function worstDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return worst / scale;
}

/** Every output of `got` against `want`; returns the worst differences for the log. */
export function compare(got: LstmOutputs, want: LstmOutputs, tol: number): Record<string, number> {
  const diffs: Record<string, number> = { out: worstDiff(got.out, want.out) };
  for (const k of Object.keys(want.grads) as (keyof LstmOutputs['grads'])[]) {
    diffs[k] = worstDiff(got.grads[k], want.grads[k]);
  }
  for (const [k, d] of Object.entries(diffs)) {
    if (!(d <= tol)) throw new Error(`${k} differs by ${d.toExponential(2)} (tolerance ${tol})`);
  }
  // Not all zero, or agreeing would prove nothing.
  for (const [k, g] of Object.entries(want.grads)) {
    if (!g.some((v) => v !== 0)) throw new Error(`the reference gradient of ${k} is all zero`);
  }
  return diffs;
}
