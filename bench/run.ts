/**
 * `make bench`: training throughput, inference time and peak RSS per tfjs backend, the same
 * training in Keras as the reference, and the daily batch on loaded models for growing ticker
 * counts. Every measurement is a child process (child.ts); this one only orchestrates, prints the
 * report and writes it as JSON to .data/bench/<date>.json. A benchmark, not a test: it asserts
 * nothing, it prints PASS/MISS against the targets.
 *
 *   tsx bench/run.ts [--sizes 1,10,50,100] [--cpu-samples 128] [--keras-python .venv/keras/bin/python]
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runChild, runTs, type ChildOutcome } from './child.js';
import { benchArrays, BENCH_TICKER, csvFor, defaultConfig, loadBars } from './data.js';
import { writeNpy } from './npy.js';
import { formatReport } from './report.js';
import type * as T from './types.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values: a } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,10,50,100' },
    'cpu-samples': { type: 'string', default: '128' },
    'keras-python': { type: 'string', default: join(ROOT, '.venv/keras/bin/python') },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = a.sizes.split(',').map(Number);
const maxN = Math.max(...sizes);
/** Epochs per backend: the first is warm-up, the rest measured. Sized to keep the run ~10 min. */
const EPOCHS: Record<string, number> = { tensorflow: 5, wasm: 3, cpu: 3 };
const KERAS_EPOCHS = 5;
/** The pipeline's own trainModel loop, on the native backend only (the default). */
const PIPELINE_EPOCHS = 3;
/** The daily runs' training epochs: part of the config hash, so the same for every daily child. */
const DAILY_EPOCHS = 3;
const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;

const began = performance.now();
const progress = (m: string): void => {
  process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(0)} s] ${m}\n`);
};
const fmtOutcome = (o: ChildOutcome<unknown>, ok: string): string =>
  o.ok ? `${ok} (${o.wallS} s)` : `failed: ${o.error}`;

const cpuModel =
  /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
const machine: T.Machine = {
  date: new Date().toISOString(),
  cpuModel,
  nproc: availableParallelism(),
  loadAvgStart: loadavg().map((v) => Number(v.toFixed(2))),
  loadAvgEnd: [],
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
const work = mkdtempSync(join(tmpdir(), 'stockops-bench-'));
progress(`temp folder ${work}; load average ${machine.loadAvgStart.join(' ')}`);

// 1. The ten-year arrays, also written for Keras: the same numbers reach both trainers.
const cfg = defaultConfig();
const arrays = await benchArrays(cfg);
writeNpy(join(work, 'x.npy'), arrays.x);
writeNpy(join(work, 'y.npy'), arrays.y);

// 2. Training per backend, plus the native backend with one intra-op thread: on a small, shared
//    machine TensorFlow's thread pool costs more than it gains on these small per-step ops.
const ONE_THREAD = 'tensorflow, 1 intra-op thread';
const runs: { key: string; backend: (typeof BACKENDS)[number]; env?: NodeJS.ProcessEnv }[] = [
  ...BACKENDS.map((b) => ({ key: b, backend: b })),
  { key: ONE_THREAD, backend: 'tensorflow', env: { TF_NUM_INTRAOP_THREADS: '1' } },
];
const training: Record<string, ChildOutcome<T.TrainResult>> = {};
for (const { key, backend: b, env } of runs) {
  const args = ['--backend', b, '--epochs', String(EPOCHS[b])];
  if (b === 'cpu') args.push('--samples', a['cpu-samples']);
  if (key === 'tensorflow') args.push('--pipeline-epochs', String(PIPELINE_EPOCHS));
  const r = await runTs<T.TrainResult>('train.ts', args, { timeoutS: 300, env });
  training[key] = r;
  progress(`train ${key}: ${fmtOutcome(r, r.ok ? `${r.result.samplesPerS} samples/s` : '')}`);
}

// 3. Keras on the same arrays, epochs and batch size, with the metrics the pipeline compiles.
const keras: ChildOutcome<T.KerasResult> = existsSync(a['keras-python'])
  ? await runChild<T.KerasResult>(
      a['keras-python'],
      [
        join(ROOT, 'bench/keras_reference.py'),
        ...['--x', join(work, 'x.npy'), '--y', join(work, 'y.npy')],
        ...['--epochs', String(KERAS_EPOCHS), '--batch-size', String(cfg.model.batchSize)],
        ...['--units', String(cfg.model.units), '--metrics', 'mse,mae'],
      ],
      { timeoutS: 300, raw: true },
    )
  : { ok: false, error: `${a['keras-python']} missing: run make keras-venv`, wallS: 0 };
progress(`keras: ${fmtOutcome(keras, keras.ok ? `${keras.result.samples_per_s} samples/s` : '')}`);

// 4. The daily batch in a temp folder: maxN copies of the same real CSV under other names.
const csvDir = join(work, 'csv');
mkdirSync(csvDir);
const names = Array.from({ length: maxN }, (_, i) => `S${String(i + 1).padStart(3, '0')}`);
for (const n of names) copyFileSync(csvFor(BENCH_TICKER.symbol), join(csvDir, `${n}.csv`));
const sessions = (await loadBars(BENCH_TICKER.symbol, '2017-01-01', BENCH_TICKER.to)).map(
  (b) => b.date,
);
// Six consecutive sessions well before the file's end: train, warm up, then one per timed size.
const days = sessions.slice(-(sizes.length + 2) - 20, -20);
const dataDir = join(work, 'data');
const daily: T.DailyDay[] = [];
const runDay = async (role: T.DailyDay['role'], date: string, tickers: string[], clone = false) => {
  const args = ['--data-dir', dataDir, '--csv-dir', csvDir, '--date', date];
  args.push('--tickers', tickers.join(','), '--epochs', String(DAILY_EPOCHS));
  if (clone) args.push('--clone-to', names.slice(1).join(','));
  const outcome = await runTs<T.DailyResult>('daily.ts', args, { timeoutS: 600 });
  daily.push({ role, tickers: tickers.length, outcome });
  const r = outcome;
  progress(
    `daily ${role} ${date} ×${tickers.length}: ${fmtOutcome(r, r.ok ? `${r.result.perTickerS} s/ticker, ${JSON.stringify(r.result.decisions)}` : '')}`,
  );
  return outcome;
};
// One real training run (S001), whose champion is then registered for every other ticker.
const trained = await runDay('train', days[0] as string, [names[0] as string], maxN > 1);

// 5. Inference per backend with the version the daily run trained and saved.
const inference: Record<string, ChildOutcome<T.PredictResult>> = {};
const version = trained.ok ? trained.result.servingVersion : null;
for (const { key, backend: b, env } of runs) {
  const r: ChildOutcome<T.PredictResult> = version
    ? await runTs<T.PredictResult>(
        'predict.ts',
        [
          ...['--backend', b, '--store', join(dataDir, 'artifacts')],
          ...['--key', `models/${names[0]}/${version}`, '--symbol', BENCH_TICKER.symbol],
          ...['--as-of', days[0] as string, '--repeats', b === 'cpu' ? '4' : '20'],
        ],
        { timeoutS: 300, env },
      )
    : { ok: false, error: 'the daily training run failed: no model version', wallS: 0 };
  inference[key] = r;
  progress(
    `predict ${key}: ${fmtOutcome(r, r.ok ? `${r.result.oneWindow.medianMs} ms/window` : '')}`,
  );
}

// 6. A first loaded day for every ticker (the clones' first ingest: whole history), then one
//    timed loaded day per size, each the next session.
await runDay('warm-up', days[1] as string, names);
for (const [i, n] of sizes.entries())
  await runDay('timed', days[i + 2] as string, names.slice(0, n));

machine.loadAvgEnd = loadavg().map((v) => Number(v.toFixed(2)));
const report: T.BenchReport = {
  machine,
  settings: {
    epochs_tensorflow: EPOCHS.tensorflow as number,
    epochs_wasm: EPOCHS.wasm as number,
    epochs_cpu: EPOCHS.cpu as number,
    cpu_samples_cap: Number(a['cpu-samples']),
    keras_epochs: KERAS_EPOCHS,
    pipeline_epochs: PIPELINE_EPOCHS,
    daily_epochs: DAILY_EPOCHS,
    concurrency: cfg.concurrency,
    daily_dates: days.join(','),
  },
  data: {
    ticker: BENCH_TICKER.symbol,
    from: arrays.firstDate,
    to: arrays.lastDate,
    bars: arrays.bars,
    trainSplit: arrays.x.length,
  },
  training,
  keras,
  inference,
  daily,
  durationS: Math.round((performance.now() - began) / 1000),
};
const out = join(ROOT, '.data/bench', `${machine.date.slice(0, 10)}.json`);
mkdirSync(join(ROOT, '.data/bench'), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${formatReport(report)}\nJSON: ${out}\n`);
if (!a.keep) rmSync(work, { recursive: true, force: true });
