#!/usr/bin/env python3
"""Keras reference for the training benchmark: the forecast model as the original Python project
would train it, on TensorFlow for Python (tensorflow-cpu, the same version whose C library the
native tfjs backend uses).

Model: LSTM(200, recurrent_activation=sigmoid) -> Dropout(0.2) -> Dense(horizons, relu), Adam
(lr 1e-3), MSE, batch 32, inputs [lookback 30 x 16 features]. Data: synthetic by default (seeded
normal inputs, targets a smooth positive function of them: throughput does not depend on the
values), or real windows from an .npz with arrays x [N, lookback, features] and y [N, horizons], or
from two .npy files (--x, --y: what bench/run.ts writes, the same arrays the tfjs runs train on).

Run it with the venv from scripts/native-tf/keras-venv.sh:
  .venv/keras/bin/python bench/keras_reference.py --samples 2500 --epochs 3
Prints one JSON object. The first epoch includes tracing/compilation, so throughput is measured on
the epochs after it (all of them when --epochs 1, flagged by "warmup_excluded": false).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument('--samples', type=int, default=2500, help='training windows (synthetic data)')
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--lookback', type=int, default=30)
    p.add_argument('--features', type=int, default=16)
    p.add_argument('--horizons', type=int, default=1, help='outputs of the Dense layer')
    p.add_argument('--units', type=int, default=200)
    p.add_argument('--data', help='.npz with x [N, lookback, features] and y [N, horizons]')
    p.add_argument('--x', help='.npy with x [N, lookback, features] (with --y, instead of --data)')
    p.add_argument('--y', help='.npy with y [N, horizons]')
    p.add_argument('--metrics', default='',
                   help='comma-separated extra metrics, e.g. mse,mae (what the pipeline compiles)')
    p.add_argument('--threads', type=int, default=0,
                   help='intra-op threads (0: TensorFlow decides, normally one per core)')
    p.add_argument('--seed', type=int, default=42)
    a = p.parse_args()
    for name in ('samples', 'epochs', 'batch_size', 'lookback', 'features', 'horizons', 'units'):
        if getattr(a, name) < 1:
            p.error(f'--{name.replace("_", "-")} must be at least 1')
    if bool(a.x) != bool(a.y) or (a.x and a.data):
        p.error('give --x and --y together, or --data, not both')
    if a.threads < 0:
        p.error('--threads must be 0 or more')
    return a


def main() -> int:
    args = parse_args()
    # Quiet TensorFlow's C++ INFO logs on stderr; they are not part of the result.
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    import numpy as np
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    tf.keras.utils.set_random_seed(args.seed)

    if args.data or args.x:
        if args.x:
            x = np.load(args.x).astype(np.float32)
            y = np.load(args.y).astype(np.float32)
        else:
            with np.load(args.data) as d:
                x = d['x'].astype(np.float32)
                y = d['y'].astype(np.float32)
        if x.ndim != 3 or y.ndim != 2 or len(x) != len(y):
            print(f'{args.data or args.x}: need x [N, lookback, features] and y [N, horizons], got x '
                  f'{x.shape} and y {y.shape}', file=sys.stderr)
            return 2
        args.samples, args.lookback, args.features = x.shape
        args.horizons = y.shape[1]
        source = args.data or args.x
    else:
        rng = np.random.default_rng(args.seed)
        x = rng.standard_normal((args.samples, args.lookback, args.features), dtype=np.float32)
        # Price-ratio-like targets near 1, as the real model predicts, so relu is active.
        y = (1 + 0.01 * np.tanh(x[:, -1, : args.horizons])).astype(np.float32)
        source = 'synthetic'

    keras = tf.keras
    model = keras.Sequential([
        keras.Input((args.lookback, args.features)),
        keras.layers.LSTM(args.units, recurrent_activation='sigmoid'),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(args.horizons, activation='relu'),
    ])
    metrics = [m for m in args.metrics.split(',') if m]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss='mse', metrics=metrics)

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self._t = 0.0

        def on_epoch_begin(self, epoch, logs=None):  # noqa: ANN001 - Keras's signature
            self._t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):  # noqa: ANN001
            self.seconds.append(time.perf_counter() - self._t)

    timer = EpochTimer()
    hist = model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
                     verbose=0, callbacks=[timer])

    measured = timer.seconds[1:] if len(timer.seconds) > 1 else timer.seconds
    sec_per_epoch = sum(measured) / len(measured)
    intra = tf.config.threading.get_intra_op_parallelism_threads()
    print(json.dumps({
        'framework': 'keras',
        'tf_version': tf.__version__,
        'keras_version': keras.__version__,
        'python': platform.python_version(),
        # TensorFlow's default is one intra-op thread per core this process may run on.
        'threads': intra if intra else len(os.sched_getaffinity(0)),
        'threads_setting': 'explicit' if intra else 'tensorflow default',
        'data': source,
        'samples': args.samples,
        'epochs': args.epochs,
        'batch_size': args.batch_size,
        'input_shape': [args.lookback, args.features],
        'units': args.units,
        'metrics': metrics,
        'epoch_seconds': [round(s, 3) for s in timer.seconds],
        'warmup_excluded': len(timer.seconds) > 1,
        'sec_per_epoch': round(sec_per_epoch, 3),
        'samples_per_s': round(args.samples / sec_per_epoch, 1),
        'final_loss': float(hist.history['loss'][-1]),
        # Peak RSS of this process in MiB (Linux reports ru_maxrss in KiB).
        'peak_rss_mib': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))
    return 0


if __name__ == '__main__':
    sys.exit(main())
