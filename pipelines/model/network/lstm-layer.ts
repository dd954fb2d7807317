/**
 * An LSTM layer that runs a whole sequence at once: TensorFlow's fused kernels on the native
 * backend (fused-lstm.ts), a hand-written BPTT elsewhere (bptt-lstm.ts).
 *
 * It is tf.layers.lstm to everything outside `call`: the same weights under the same names
 * (<layer>/kernel, <layer>/recurrent_kernel, <layer>/bias), the same initialisers, and it saves as
 * class 'LSTM' with tf.layers.lstm's own config, so a saved model loads into a plain
 * tf.layers.lstm model. `withSequenceLstm` rewrites a saved topology the other way.
 *
 * It covers the configuration the forecaster uses (tanh / sigmoid, bias, last output only, no
 * masking, state or in-cell dropout); `supportsConfig` says which others it refuses.
 */
import * as tf from '@tensorflow/tfjs';
import { bpttLstm } from './bptt-lstm.js';
import { nativeLstm } from './fused-lstm.js';

type LstmArgs = Parameters<typeof tf.layers.lstm>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];
type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/** The LSTM options whose value must be the given one (undefined: tf.layers.lstm's default). */
const REQUIRED: Record<string, unknown[]> = {
  activation: [undefined, 'tanh'],
  recurrentActivation: ['sigmoid'],
  useBias: [undefined, true],
  returnSequences: [undefined, false],
  returnState: [undefined, false],
  goBackwards: [undefined, false],
  stateful: [undefined, false],
  unroll: [undefined, false],
  dropout: [undefined, 0],
  recurrentDropout: [undefined, 0],
  kernelRegularizer: [undefined, null],
  recurrentRegularizer: [undefined, null],
  biasRegularizer: [undefined, null],
  activityRegularizer: [undefined, null],
  kernelConstraint: [undefined, null],
  recurrentConstraint: [undefined, null],
  biasConstraint: [undefined, null],
};

/** Why `args` (tf.layers.lstm options or a saved LSTM config) cannot run here, or null. */
export function unsupportedConfig(args: Record<string, unknown>): string | null {
  for (const [k, allowed] of Object.entries(REQUIRED)) {
    const v = args[k];
    if (!allowed.includes(v)) return `${k}=${JSON.stringify(v)}`;
  }
  return null;
}

export class SequenceLSTM extends tf.layers.Layer {
  static readonly className = 'StockopsSequenceLSTM';
  /** tf.layers.lstm with the same options: the source of the config and the initialisers. */
  private readonly twin: tf.layers.Layer;
  private readonly units: number;
  private kernel?: LayerVariable;
  private recurrentKernel?: LayerVariable;
  private bias?: LayerVariable;

  constructor(args: LstmArgs) {
    super(args);
    const why = unsupportedConfig(args as unknown as Record<string, unknown>);
    if (why) throw new Error(`SequenceLSTM does not support ${why}; use tf.layers.lstm`);
    this.units = args.units;
    this.twin = tf.layers.lstm({ ...args, name: this.name });
  }

  /** Saved as a plain LSTM: files it writes need nothing of this module to load. */
  override getClassName(): string {
    return 'LSTM';
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.twin.getConfig(), name: this.name, trainable: this.trainable };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0] ?? null, this.units];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = s[s.length - 1];
    if (typeof inputDim !== 'number') throw new Error('SequenceLSTM needs a known feature count');
    // Loading a saved model (tfjs sets fastWeightInitDuringBuild): the weights are overwritten
    // next, so skip the initialisers (the 200×800 orthogonal one costs seconds) as tf.layers.lstm does.
    const fast = (this as unknown as { fastWeightInitDuringBuild?: boolean })
      .fastWeightInitDuringBuild;
    const u = this.units;
    // Otherwise the twin's cell holds the initialisers exactly as tf.layers.lstm resolved them (the
    // unit forget bias included): build it on a shape-only call and copy its initial values.
    const cell = (this.twin as unknown as { cell: tf.layers.Layer }).cell;
    if (!fast) cell.build([null, inputDim]);
    const [k, r, b] = fast
      ? [tf.zeros([inputDim, 4 * u]), tf.zeros([u, 4 * u]), tf.zeros([4 * u])]
      : cell.getWeights();
    if (!k || !r || !b)
      throw new Error('tf.layers.lstm built without kernel, recurrent kernel or bias');
    const weight = (name: string, value: tf.Tensor): LayerVariable => {
      const v = this.addWeight(name, value.shape, 'float32', tf.initializers.zeros());
      v.write(value);
      return v;
    };
    this.kernel = weight('kernel', k);
    this.recurrentKernel = weight('recurrent_kernel', r);
    this.bias = weight('bias', b);
    for (const w of cell.weights) w.dispose();
    if (fast) tf.dispose([k, r, b]);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D | undefined;
    if (!x) throw new Error('SequenceLSTM got no input');
    if (kwargs['mask'] != null || kwargs['initialState'] != null) {
      throw new Error('SequenceLSTM supports neither masking nor an initial state');
    }
    if (!this.kernel || !this.recurrentKernel || !this.bias)
      throw new Error('SequenceLSTM is not built');
    const args = [
      x,
      this.kernel.read() as tf.Tensor2D,
      this.recurrentKernel.read() as tf.Tensor2D,
      this.bias.read() as tf.Tensor1D,
    ] as const;
    return tf.getBackend() === 'tensorflow' ? nativeLstm().run(...args) : bpttLstm(...args);
  }
}

tf.serialization.registerClass(SequenceLSTM);

interface LayerJson {
  class_name?: unknown;
  config?: Record<string, unknown>;
}

/**
 * A saved tfjs topology with every plain LSTM it can run replaced by SequenceLSTM (a copy; the
 * input is untouched). Saved configs are snake_case, so they are checked in that form.
 */
export function withSequenceLstm(topology: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(topology);
  const layers = (copy.config as { layers?: LayerJson[] } | undefined)?.layers;
  for (const l of layers ?? []) {
    if (l.class_name !== 'LSTM' || !l.config) continue;
    const camel = Object.fromEntries(
      Object.entries(l.config).map(([k, v]) => [
        k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
        v,
      ]),
    );
    if (unsupportedConfig(camel) === null) l.class_name = SequenceLSTM.className;
  }
  return copy;
}
