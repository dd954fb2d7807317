/**
 * Dropout whose masks are reproducible and still differ from step to step.
 *
 * tfjs's Dropout either draws from Math.random (no seed: runs differ) or, given a seed, reseeds
 * the generator identically on every call, so every training step drops the same units. This
 * layer seeds each training call with (seed, step) instead: a new mask per step, the same
 * sequence of masks in every run with the same seed.
 */
import * as tf from '@tensorflow/tfjs';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Kwargs = Parameters<tf.layers.Layer['call']>[1];

export interface SeededDropoutArgs extends LayerArgs {
  rate: number;
  seed: number;
}

export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'SeededDropout';
  private readonly rate: number;
  private readonly seed: number;
  private step = 0;

  constructor(args: SeededDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new RangeError(`dropout rate must be in [0, 1), got ${args.rate}`);
    }
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!x) throw new Error('SeededDropout got no input');
    if (kwargs['training'] !== true || this.rate === 0) return x;
    const seed = `${this.seed}:${this.step}`;
    this.step += 1;
    return tf.tidy(() => tf.dropout(x, this.rate, undefined, seed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

// Registered on import, so a saved model that contains the layer can be loaded again.
tf.serialization.registerClass(SeededDropout);
