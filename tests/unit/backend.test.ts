/**
 * Backend selection, and parity of the native TensorFlow backend with wasm on the model's own
 * architecture. Whether the native backend is there depends on scripts/native-tf/install.sh having
 * built it; both outcomes are asserted (never skipped): with the addon built, 'auto' must pick it
 * and its predictions must match wasm; without it, 'auto' must fall back to wasm and say why.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selectBackend, tf, type BackendName } from '../../pipelines/model/runtime/backend.js';
import { PipelineError } from '../../pipelines/types.js';

// Present exactly when install.sh built the addon into node_modules (npm ci removes it again).
const ADDON = 'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node';
const nativeExpected = existsSync(ADDON) || process.env.STOCKOPS_REQUIRE_NATIVE_TF === '1';

const LOOKBACK = 30;
const FEATURES = 16;
const UNITS = 200;
const BATCH = 8;

/** Deterministic values in [-scale, scale): a small LCG, so both backends get identical inputs. */
function fill(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

/** The forecast model's architecture with fixed weights; predictions on the active backend. */
function predict(): Float32Array {
  const t = tf();
  const model = t.sequential({
    layers: [
      // Zero initialisers: the weights are overwritten below, and the default orthogonal
      // recurrent initialiser is slow (and warns) at 200 units.
      t.layers.lstm({
        units: UNITS,
        recurrentActivation: 'sigmoid',
        inputShape: [LOOKBACK, FEATURES],
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
      }),
      t.layers.dropout({ rate: 0.2 }),
      t.layers.dense({ units: 1, activation: 'relu' }),
    ],
  });
  const shapes = model.getWeights().map((w) => w.shape);
  const weights = shapes.map((shape, i) =>
    // The dense bias (last) is positive so that relu does not zero most outputs and hide
    // differences between the backends.
    i === shapes.length - 1
      ? t.tensor([0.5], shape, 'float32')
      : t.tensor(
          fill(
            shape.reduce((a, b) => a * b, 1),
            1000 + i,
            0.1,
          ),
          shape,
          'float32',
        ),
  );
  model.setWeights(weights);
  const x = t.tensor3d(fill(BATCH * LOOKBACK * FEATURES, 7, 1), [BATCH, LOOKBACK, FEATURES]);
  const y = model.predict(x);
  if (Array.isArray(y)) throw new Error('expected one output');
  const out = Float32Array.from(y.dataSync());
  t.dispose([...weights, x, y]);
  model.dispose();
  return out;
}

describe('selectBackend', () => {
  it('auto selects the best backend available and reports what it tried', async () => {
    const sel = await selectBackend('auto');
    expect(tf().getBackend()).toBe(sel.name);
    expect(sel.tried.at(-1)).toEqual({ name: sel.name });
    if (nativeExpected) {
      expect(sel.name).toBe('tensorflow');
      expect(sel.detail).toMatch(/^TensorFlow \d+\.\d+/);
    } else {
      // The fallback, with its reason recorded: the native backend was tried first and failed.
      expect(sel.name).toBe('wasm');
      expect(sel.tried[0]?.name).toBe('tensorflow');
      expect(sel.tried[0]?.error).toBeTruthy();
      console.log(`native backend unavailable (${sel.tried[0]?.error}); auto selected wasm`);
    }
    console.log(`auto → ${sel.name}: ${sel.detail}`);
  });

  it.each<BackendName>(['wasm', 'cpu'])('selects %s when asked', async (name) => {
    const sel = await selectBackend(name);
    expect(sel).toMatchObject({ name, tried: [{ name }] });
    expect(tf().getBackend()).toBe(name);
  });

  it('a named native preference either loads or fails loudly', async () => {
    if (nativeExpected) {
      const sel = await selectBackend('tensorflow');
      expect(sel.name).toBe('tensorflow');
    } else {
      await expect(selectBackend('tensorflow')).rejects.toThrow(PipelineError);
      await expect(selectBackend('tensorflow')).rejects.toThrow(
        /backend 'tensorflow' is unavailable/,
      );
    }
  });

  it('native and wasm predict the same with LSTM(200) → Dropout → Dense(relu)', async () => {
    if (!nativeExpected) {
      // Without the native backend there is nothing to compare: assert the fallback instead.
      const sel = await selectBackend('auto');
      expect(sel.name).toBe('wasm');
      return;
    }
    await selectBackend('wasm');
    const onWasm = predict();
    await selectBackend('tensorflow');
    const onNative = predict();

    expect(onNative.length).toBe(BATCH);
    // Not all zero (relu), or the comparison would prove nothing.
    expect(onWasm.some((v) => v > 0)).toBe(true);
    let worst = 0;
    for (let i = 0; i < BATCH; i++) {
      const a = onNative[i] ?? NaN;
      const b = onWasm[i] ?? NaN;
      worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-6));
    }
    console.log(`native vs wasm: worst relative difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
  });
});
