/**
 * The LSTM over a whole sequence in plain tfjs ops, with a hand-written backward pass (BPTT) in
 * tf.customGrad: the portable twin of fused-lstm.ts for backends without TensorFlow's kernels.
 *
 * Against tf.layers.lstm's autodiff it hoists x·W out of the time loop (one matmul for all steps,
 * forward and backward), computes the weight gradients as one matmul each over all steps, and
 * records no tape per step. Same maths, gates in Keras's order (i, f, c, o).
 */
import * as tf from '@tensorflow/tfjs';

type Grads = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];

export const bpttLstm = tf.customGrad((...args: unknown[]) => {
  const [x, kernel, recurrent, bias, save] = args as [
    tf.Tensor3D,
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor1D,
    tf.GradSaveFunc,
  ];
  const [batch, steps, features] = x.shape;
  const units = recurrent.shape[0];
  const xT = tf.transpose(x, [1, 0, 2]); // time-major, so each step is one contiguous slice
  const xw = tf.reshape(
    tf.add(tf.matMul(tf.reshape(xT, [steps * batch, features]), kernel), bias),
    [steps, batch, 4 * units],
  );
  const zs = tf.unstack(xw);
  let h: tf.Tensor2D = tf.zeros([batch, units]);
  let c: tf.Tensor2D = tf.zeros([batch, units]);
  // Per step: the previous h, the previous c, the gate activations [i f g o] and tanh(c).
  const hs: tf.Tensor2D[] = [];
  const cs: tf.Tensor2D[] = [];
  const acts: tf.Tensor2D[] = [];
  const tcs: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const z = tf.add<tf.Tensor2D>(zs[t] as tf.Tensor2D, tf.matMul(h, recurrent));
    const [zifo, zg] = [tf.sigmoid(z), tf.tanh(z)];
    const i = tf.slice(zifo, [0, 0], [batch, units]);
    const f = tf.slice(zifo, [0, units], [batch, units]);
    const g = tf.slice(zg, [0, 2 * units], [batch, units]);
    const o = tf.slice(zifo, [0, 3 * units], [batch, units]);
    hs.push(h);
    cs.push(c);
    acts.push(tf.concat([i, f, g, o], 1));
    c = tf.add<tf.Tensor2D>(tf.mul(f, c), tf.mul(i, g));
    const tc = tf.tanh(c);
    tcs.push(tc);
    h = tf.mul(o, tc);
  }
  save([xT, kernel, recurrent, ...hs, ...cs, ...acts, ...tcs]);
  return {
    value: h,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): Grads => {
      const g0 = Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy;
      const [sxT, sk, sr] = saved as [tf.Tensor, tf.Tensor2D, tf.Tensor2D];
      const at = (k: number, t: number): tf.Tensor2D => saved[3 + k * steps + t] as tf.Tensor2D;
      let dh = g0 as tf.Tensor2D;
      let dc: tf.Tensor2D = tf.zeros([batch, units]);
      const dzs: tf.Tensor2D[] = new Array<tf.Tensor2D>(steps);
      for (let t = steps - 1; t >= 0; t--) {
        const a = at(2, t);
        const tc = at(3, t);
        const [i, f, g, o] = tf.split(a, 4, 1) as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
        ];
        const dOut = tf.mul(dh, tc);
        dc = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))));
        // d/dz of σ is σ(1−σ), of tanh is 1−tanh²: applied to [i f g o] at once with a mask.
        const dAct = tf.concat([tf.mul(dc, g), tf.mul(dc, at(1, t)), tf.mul(dc, i), dOut], 1);
        const dSig = tf.mul(a, tf.sub(1, a));
        const dTanh = tf.sub(1, tf.square(a));
        const gate = tf.concat(
          [
            dSig.slice([0, 0], [batch, 2 * units]),
            dTanh.slice([0, 2 * units], [batch, units]),
            dSig.slice([0, 3 * units], [batch, units]),
          ],
          1,
        );
        const dz = tf.mul<tf.Tensor2D>(dAct, gate);
        dzs[t] = dz;
        dc = tf.mul(dc, f);
        dh = tf.matMul(dz, sr, false, true);
      }
      const dZ = tf.reshape(tf.stack(dzs), [steps * batch, 4 * units]);
      const hPrev = tf.reshape(tf.stack(Array.from({ length: steps }, (_, t) => at(0, t))), [
        steps * batch,
        units,
      ]);
      const xFlat = tf.reshape(sxT, [steps * batch, features]);
      const dx = tf.transpose(
        tf.reshape(tf.matMul(dZ, sk, false, true), [steps, batch, features]),
        [1, 0, 2],
      );
      return [
        dx,
        tf.matMul(xFlat, dZ, true, false),
        tf.matMul(hPrev, dZ, true, false),
        tf.sum(dZ, 0),
      ];
    },
  };
}) as (
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  bias: tf.Tensor1D,
) => tf.Tensor2D;
