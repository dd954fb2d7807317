/**
 * The LSTM over a whole sequence in two native TensorFlow ops: `BlockLSTMV2` forward and
 * `BlockLSTMGradV2` backward (tensorflow/core/kernels/rnn/lstm_ops.cc), wrapped in tf.customGrad.
 * tf.layers.lstm runs the same arithmetic as ~2,000 small ops per training step.
 *
 * tfjs has no public way to run an arbitrary TensorFlow op, so this uses tfjs-node 4.22's
 * internals: the backend's `binding.executeOp(name, attrs, inputIds, numOutputs)`, its
 * `getInputTensorIds` (tfjs tensor → TFE handle id, uploading pending values) and
 * `createOutputTensor` (TFE handle → tfjs tensor, registering its dataId). `nativeLstm()` checks
 * every one of them and runs both ops once, so a tfjs-node that changed them fails with a message
 * saying what changed instead of miscomputing (tests/unit/fused-lstm.test.ts asserts it).
 *
 * With cell_clip 0 and no peepholes, BlockLSTMV2's gates are Keras's order (i, f, c, o), it adds
 * no forget bias, and w = [kernel; recurrent_kernel]: tf.layers.lstm's weights unchanged.
 */
import * as tf from '@tensorflow/tfjs';

/** The tfjs-node version whose internals this was written against (package.json pins it). */
export const TESTED_TFJS_NODE = '4.22.0';

interface OpAttr {
  name: string;
  type: number;
  value: number | boolean;
}
interface TensorMetadata {
  id: number;
  shape: number[];
  dtype: number;
}
interface Binding {
  executeOp(name: string, attrs: OpAttr[], ids: number[], numOutputs: number): TensorMetadata[];
  createTensor(shape: number[], dtype: number, values: Int32Array): number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_FLOAT: number;
  TF_INT64: number;
}
interface NodeBackend {
  binding: Binding;
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  createOutputTensor(metadata: TensorMetadata): tf.Tensor;
}

export class FusedLstmUnavailable extends Error {
  constructor(message: string) {
    super(
      `fused LSTM (BlockLSTMV2) unavailable: ${message} — written for @tensorflow/tfjs-node ` +
        `${TESTED_TFJS_NODE}; check pipelines/model/network/fused-lstm.ts against the installed version`,
    );
    this.name = 'FusedLstmUnavailable';
  }
}

export interface NativeLstm {
  /** Last hidden state [B, U] of an LSTM over x [B, T, F]; differentiable in every input. */
  run(
    x: tf.Tensor3D,
    kernel: tf.Tensor2D,
    recurrentKernel: tf.Tensor2D,
    bias: tf.Tensor1D,
  ): tf.Tensor2D;
}

let probed: { backend: object; lstm: NativeLstm } | undefined;

/**
 * The fused LSTM on the active 'tensorflow' backend, checked once per backend instance.
 * Throws FusedLstmUnavailable naming what is missing or wrong.
 */
export function nativeLstm(): NativeLstm {
  if (tf.getBackend() !== 'tensorflow') {
    throw new FusedLstmUnavailable(`the active backend is '${tf.getBackend()}', not 'tensorflow'`);
  }
  const backend = tf.backend() as unknown as Partial<NodeBackend>;
  if (probed?.backend === backend) return probed.lstm;
  const lstm = makeNativeLstm(checkInternals(backend));
  selfTest(lstm);
  probed = { backend, lstm };
  return lstm;
}

function checkInternals(b: Partial<NodeBackend>): NodeBackend {
  const missing: string[] = [];
  if (typeof b.getInputTensorIds !== 'function') missing.push('backend.getInputTensorIds()');
  if (typeof b.createOutputTensor !== 'function') missing.push('backend.createOutputTensor()');
  const binding = b.binding as Partial<Binding> | undefined;
  if (typeof binding?.executeOp !== 'function') missing.push('backend.binding.executeOp()');
  if (typeof binding?.createTensor !== 'function') missing.push('backend.binding.createTensor()');
  for (const k of [
    'TF_ATTR_FLOAT',
    'TF_ATTR_BOOL',
    'TF_ATTR_TYPE',
    'TF_FLOAT',
    'TF_INT64',
  ] as const) {
    if (typeof binding?.[k] !== 'number') missing.push(`backend.binding.${k}`);
  }
  if (missing.length > 0) throw new FusedLstmUnavailable(`missing ${missing.join(', ')}`);
  return b as NodeBackend;
}

function makeNativeLstm(backend: NodeBackend): NativeLstm {
  const { binding } = backend;
  const typeAttr: OpAttr = { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT };
  const noPeephole: OpAttr = { name: 'use_peephole', type: binding.TF_ATTR_BOOL, value: false };
  const forwardAttrs = [
    { name: 'cell_clip', type: binding.TF_ATTR_FLOAT, value: 0 },
    noPeephole,
    typeAttr,
  ];
  const gradAttrs = [noPeephole, typeAttr];
  // seq_len_max is an int64 scalar, which tfjs cannot hold: one raw TFE handle per length, kept for
  // the process (a handful of lengths at most, 8 bytes each).
  const seqLen = new Map<number, number>();
  const seqLenId = (t: number): number => {
    let id = seqLen.get(t);
    if (id === undefined) {
      id = binding.createTensor([], binding.TF_INT64, new Int32Array([t, 0]));
      seqLen.set(t, id);
    }
    return id;
  };
  const exec = (
    op: string,
    attrs: OpAttr[],
    t: number,
    inputs: tf.Tensor[],
    n: number,
  ): tf.Tensor[] => {
    const ids = [seqLenId(t), ...backend.getInputTensorIds(inputs)];
    const out = binding.executeOp(op, attrs, ids, n);
    if (out.length !== n)
      throw new FusedLstmUnavailable(`${op} returned ${out.length} outputs, expected ${n}`);
    return out.map((m) => backend.createOutputTensor(m));
  };

  const fused = tf.customGrad((...args: unknown[]) => {
    const [x, kernel, recurrentKernel, bias, save] = args as [
      tf.Tensor3D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    const [batch, steps, features] = x.shape;
    const units = recurrentKernel.shape[0];
    const xT = tf.transpose(x, [1, 0, 2]); // BlockLSTM is time-major
    const w = tf.concat([kernel, recurrentKernel], 0);
    const zerosBU = tf.zeros([batch, units]);
    const zerosU = tf.zeros([units]);
    // Inputs: seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b.
    // Outputs [T, B, U]: i, cs, f, o, ci, co, h.
    const outs = exec(
      'BlockLSTMV2',
      forwardAttrs,
      steps,
      [xT, zerosBU, zerosBU, w, zerosU, zerosU, zerosU, bias],
      7,
    );
    const h = outs[6] as tf.Tensor3D;
    save([xT, w, bias, ...outs]);
    const last = tf.reshape(tf.slice(h, [steps - 1, 0, 0], [1, batch, units]), [batch, units]);
    return {
      value: last,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy;
        const [sx, sw, sb, ...gates] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
        const zBU = tf.zeros([batch, units]);
        const zU = tf.zeros([units]);
        // Only the last step's h is an output; the cell states are not.
        const hGrad = tf.pad(tf.reshape(g, [1, batch, units]), [
          [steps - 1, 0],
          [0, 0],
          [0, 0],
        ]);
        const csGrad = tf.zerosLike(hGrad);
        // Outputs: x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad, b_grad.
        const grads = exec(
          'BlockLSTMGradV2',
          gradAttrs,
          steps,
          [sx, zBU, zBU, sw, zU, zU, zU, sb, ...gates, csGrad, hGrad],
          8,
        );
        const [dxT, , , dw, , , , db] = grads;
        const [dKernel, dRecurrent] = tf.split(dw as tf.Tensor, [features, units], 0);
        return [
          tf.transpose(dxT as tf.Tensor, [1, 0, 2]),
          dKernel as tf.Tensor,
          dRecurrent as tf.Tensor,
          db as tf.Tensor,
        ];
      },
    };
  });
  return {
    run: (x, kernel, recurrentKernel, bias) =>
      fused(x, kernel, recurrentKernel, bias) as tf.Tensor2D,
  };
}

/** Both ops once, on a 1-unit LSTM whose result is known in closed form. */
function selfTest(lstm: NativeLstm): void {
  let got: { h: number; dx: number } | undefined;
  try {
    got = tf.tidy(() => {
      const x = tf.ones<tf.Rank.R3>([1, 2, 1]);
      const k = tf.ones<tf.Rank.R2>([1, 4]);
      const r = tf.zeros<tf.Rank.R2>([1, 4]);
      const b = tf.zeros<tf.Rank.R1>([4]);
      const { value, grads } = tf.valueAndGrads((xx: tf.Tensor) =>
        tf.sum(lstm.run(xx as tf.Tensor3D, k, r, b)),
      )([x]);
      return {
        h: value.dataSync()[0] as number,
        dx: tf.sum(grads[0] as tf.Tensor).dataSync()[0] as number,
      };
    });
  } catch (e) {
    throw new FusedLstmUnavailable(
      `running BlockLSTMV2/BlockLSTMGradV2 failed: ${(e as Error).message}`,
    );
  }
  // Step 1: c1 = σ(1)·tanh(1), step 2: c2 = σ(1)·c1 + σ(1)·tanh(1), h2 = σ(1)·tanh(c2).
  const s = 1 / (1 + Math.exp(-1));
  const c1 = s * Math.tanh(1);
  const c2 = s * c1 + s * Math.tanh(1);
  const want = s * Math.tanh(c2);
  if (!(Math.abs(got.h - want) < 1e-5) || !Number.isFinite(got.dx) || got.dx === 0) {
    throw new FusedLstmUnavailable(
      `self-test gave h=${got.h} (expected ${want.toFixed(6)}) and Σdx=${got.dx}: the op semantics or the tensor-id mapping changed`,
    );
  }
}
