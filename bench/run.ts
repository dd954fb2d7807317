/**
 * `make bench`: training throughput, inference time and peak RSS per tfjs backend, the same
 * training in Keras as the reference, and the daily batch on loaded models for growing ticker
 * counts. Every measurement is a child process (child.ts); this one only orchestrates, prints the
 * report and writes it as JSON to .data/bench/<date>.json. A benchmark, not a test: it asserts
 * nothing, it prints PASS/MISS against the targets.
 *
 *   tsx bench/run.ts [--sizes 1,10,50] [--cpu-samples 64 (wasm's training cap)] [--keras-python .venv/keras/bin/python]
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
import { formatTrainingCost, runTrainingCost } from './training-cost.js';
import type * as T from './types.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values: a } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,10,50' },
    'cpu-samples': { type: 'string', default: '64' },
    'keras-python': { type: 'string', default: join(ROOT, '.venv/keras/bin/python') },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = a.sizes.split(',').map(Number);
const maxN = Math.max(...sizes);
/** Epochs per run: the first is warm-up, the rest measured. Sized to keep the run ~15 min. */
const EPOCHS = { fused: 3, layers: 2, threads: 2, wasm: 2 } as const;
const KERAS_EPOCHS = 3;
/** The daily runs' training epochs: part of the config hash, so the same for every daily child. */
const DAILY_EPOCHS = 3;
/** TensorFlow reads its thread pools' sizes from these, once, when the library initialises. */
const ONE = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' };
const INTRA1 = { TF_NUM_INTRAOP_THREADS: '1' };
const INTER1 = { TF_NUM_INTEROP_THREADS: '1' };

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

// 2. Training throughput, back to back in one round so the ratios share the machine's load:
//    Keras, the fused LSTM and the layers path at default threads, then both at one thread, then
//    the fused path with only one of the two pools at 1, then wasm's two candidates (capped).
type Run = {
  key: string;
  backend: 'tensorflow' | 'wasm';
  lstm: string;
  epochs: number;
  env?: NodeJS.ProcessEnv;
  samples?: string;
};
const training: Record<string, ChildOutcome<T.TrainResult>> = {};
const kerasRuns: Record<string, ChildOutcome<T.KerasResult>> = {};
const train = (r: Run): Promise<ChildOutcome<T.TrainResult>> => {
  const args = ['--backend', r.backend, '--epochs', String(r.epochs), '--lstm', r.lstm];
  if (r.samples) args.push('--samples', r.samples);
  return runTs<T.TrainResult>('train.ts', args, { timeoutS: 400, env: r.env });
};
const runTrain = async (r: Run): Promise<void> => {
  const o = await train(r);
  training[r.key] = o;
  progress(`train ${r.key}: ${fmtOutcome(o, o.ok ? `${o.result.samplesPerS} samples/s` : '')}`);
};
const runKeras = async (key: string, threads: number): Promise<void> => {
  const o: ChildOutcome<T.KerasResult> = existsSync(a['keras-python'])
    ? await runChild<T.KerasResult>(
        a['keras-python'],
        [
          join(ROOT, 'bench/keras_reference.py'),
          ...['--x', join(work, 'x.npy'), '--y', join(work, 'y.npy')],
          ...['--epochs', String(KERAS_EPOCHS), '--batch-size', String(cfg.model.batchSize)],
          ...[
            '--units',
            String(cfg.model.units),
            '--metrics',
            'mse,mae',
            '--threads',
            String(threads),
          ],
        ],
        { timeoutS: 300, raw: true },
      )
    : { ok: false, error: `${a['keras-python']} missing: run make keras-venv`, wallS: 0 };
  kerasRuns[key] = o;
  progress(`keras ${key}: ${fmtOutcome(o, o.ok ? `${o.result.samples_per_s} samples/s` : '')}`);
};
await runKeras('default threads', 0);
await runTrain({ key: 'fused', backend: 'tensorflow', lstm: 'fused', epochs: EPOCHS.fused });
await runTrain({ key: 'layers', backend: 'tensorflow', lstm: 'layers', epochs: EPOCHS.layers });
await runKeras('1 thread', 1);
await runTrain({
  key: 'fused, intra 1 inter 1',
  backend: 'tensorflow',
  lstm: 'fused',
  epochs: EPOCHS.fused,
  env: ONE,
});
await runTrain({
  key: 'fused, intra 1',
  backend: 'tensorflow',
  lstm: 'fused',
  epochs: EPOCHS.threads,
  env: INTRA1,
});
await runTrain({
  key: 'fused, inter 1',
  backend: 'tensorflow',
  lstm: 'fused',
  epochs: EPOCHS.threads,
  env: INTER1,
});
// Two trainings at once (two tickers in two processes, as two function instances on one host).
const concurrent: Record<string, ChildOutcome<T.TrainResult>[]> = {};
for (const [key, env] of [
  ['default threads', undefined],
  ['intra 1 inter 1', ONE],
] as const) {
  const r: Run = { key, backend: 'tensorflow', lstm: 'fused', epochs: EPOCHS.threads, env };
  concurrent[key] = await Promise.all([train(r), train(r)]);
  progress(
    `train fused ×2 processes, ${key}: ${concurrent[key].map((o) => (o.ok ? o.result.samplesPerS : o.error)).join(' + ')} samples/s`,
  );
}
const cap = a['cpu-samples'];
await runTrain({
  key: 'wasm layers',
  backend: 'wasm',
  lstm: 'layers',
  epochs: EPOCHS.wasm,
  samples: cap,
});
await runTrain({
  key: 'wasm bptt',
  backend: 'wasm',
  lstm: 'bptt',
  epochs: EPOCHS.wasm,
  samples: cap,
});

// 4. The daily batch in a temp folder: maxN copies of the same real CSV under other names.
const csvDir = join(work, 'csv');
mkdirSync(csvDir);
const names = Array.from({ length: maxN }, (_, i) => `S${String(i + 1).padStart(3, '0')}`);
for (const n of names) copyFileSync(csvFor(BENCH_TICKER.symbol), join(csvDir, `${n}.csv`));
const sessions = (await loadBars(BENCH_TICKER.symbol, '2017-01-01', BENCH_TICKER.to)).map(
  (b) => b.date,
);
// Six consecutive sessions well before the file's end: train, warm up, then one per timed size.
// Consecutive sessions well before the file's end: the training days, a warm-up, then one per
// timed load-only day (sizes × variants).
const LOAD_VARIANTS: {
  label: string;
  lstm: string;
  concurrency: number;
  env?: NodeJS.ProcessEnv;
}[] = [
  { label: 'fused', lstm: 'fused', concurrency: 2 },
  { label: 'layers', lstm: 'layers', concurrency: 2 },
];
const THREAD_VARIANTS: {
  label: string;
  lstm: string;
  concurrency: number;
  env?: NodeJS.ProcessEnv;
}[] = [
  { label: 'fused, concurrency 1', lstm: 'fused', concurrency: 1 },
  { label: 'fused, concurrency 1, intra 1 inter 1', lstm: 'fused', concurrency: 1, env: ONE },
  { label: 'fused, concurrency 2, intra 1 inter 1', lstm: 'fused', concurrency: 2, env: ONE },
];
const nDays = 3 + sizes.length * LOAD_VARIANTS.length + THREAD_VARIANTS.length;
const days = sessions.slice(-nDays - 20, -20);
let dayIx = 0;
const nextDay = (): string => days[dayIx++] as string;
const daily: T.DailyDay[] = [];
const runDay = async (
  role: T.DailyDay['role'],
  label: string,
  dataDir: string,
  date: string,
  tickers: string[],
  o: { clone?: boolean; lstm?: string; concurrency?: number; env?: NodeJS.ProcessEnv } = {},
) => {
  const args = ['--data-dir', dataDir, '--csv-dir', csvDir, '--date', date];
  args.push('--tickers', tickers.join(','), '--epochs', String(DAILY_EPOCHS));
  args.push('--lstm', o.lstm ?? 'auto', '--concurrency', String(o.concurrency ?? cfg.concurrency));
  if (o.clone) args.push('--clone-to', names.slice(1).join(','));
  const outcome = await runTs<T.DailyResult>('daily.ts', args, { timeoutS: 600, env: o.env });
  daily.push({ role, label, tickers: tickers.length, outcome });
  const r = outcome;
  progress(
    `daily ${role} ${label} ${date} ×${tickers.length}: ${fmtOutcome(r, r.ok ? `${r.result.perTickerS} s/ticker, ${JSON.stringify(r.result.decisions)}` : '')}`,
  );
  return outcome;
};
// Training days (a ticker's first day: whole-history ingest, then training): the layers path on
// one ticker, the fused path on one and on TRAIN_N tickers, each in its own folder.
const TRAIN_N = Math.min(10, maxN);
const trainDate = nextDay();
await runDay('train', 'layers', join(work, 'train-layers'), trainDate, names.slice(0, 1), {
  lstm: 'layers',
});
if (TRAIN_N > 1)
  await runDay('train', 'fused', join(work, 'train-fused-n'), trainDate, names.slice(0, TRAIN_N), {
    lstm: 'fused',
  });
// S001 trained with the fused layer, its champion registered for every other ticker.
const dataDir = join(work, 'data');
const trained = await runDay('train', 'fused', dataDir, trainDate, [names[0] as string], {
  clone: maxN > 1,
  lstm: 'fused',
});

// 5. Inference with the version the daily run trained and saved, per LSTM path and thread setting.
const inference: Record<string, ChildOutcome<T.PredictResult>> = {};
const version = trained.ok ? trained.result.servingVersion : null;
const PREDICT: { key: string; backend: string; lstm: string; env?: NodeJS.ProcessEnv }[] = [
  { key: 'fused', backend: 'tensorflow', lstm: 'fused' },
  { key: 'layers', backend: 'tensorflow', lstm: 'layers' },
  { key: 'fused, intra 1 inter 1', backend: 'tensorflow', lstm: 'fused', env: ONE },
  { key: 'fused, intra 1', backend: 'tensorflow', lstm: 'fused', env: INTRA1 },
  { key: 'fused, inter 1', backend: 'tensorflow', lstm: 'fused', env: INTER1 },
  { key: 'wasm layers', backend: 'wasm', lstm: 'layers' },
];
for (const { key, backend: b, lstm, env } of PREDICT) {
  const r: ChildOutcome<T.PredictResult> = version
    ? await runTs<T.PredictResult>(
        'predict.ts',
        [
          ...['--backend', b, '--store', join(dataDir, 'artifacts'), '--lstm', lstm],
          ...['--key', `models/${names[0]}/${version}`, '--symbol', BENCH_TICKER.symbol],
          ...['--as-of', trainDate, '--repeats', '20'],
        ],
        { timeoutS: 300, env },
      )
    : { ok: false, error: 'the daily training run failed: no model version', wallS: 0 };
  inference[key] = r;
  progress(
    `predict ${key}: ${fmtOutcome(r, r.ok ? `${r.result.oneWindow.medianMs} ms/window, peak ${r.result.rss.peakMiB} MiB` : '')}`,
  );
}

// 6. A first loaded day for every ticker (the clones' first ingest: whole history), then one
//    timed load-only day per size and variant, each the next session; then the thread variants
//    on 10 tickers.
await runDay('warm-up', 'fused', dataDir, nextDay(), names, { lstm: 'fused' });
for (const n of sizes)
  for (const v of LOAD_VARIANTS)
    await runDay('timed', v.label, dataDir, nextDay(), names.slice(0, n), v);
const midN = sizes.find((n) => n >= 10) ?? maxN;
for (const v of THREAD_VARIANTS)
  await runDay('timed', v.label, dataDir, nextDay(), names.slice(0, midN), v);

// 7. The training day's cost at the defaults, before/after, cold/warm, and on one CPU.
const trainingDay = await runTrainingCost(progress);

machine.loadAvgEnd = loadavg().map((v) => Number(v.toFixed(2)));
const report: T.BenchReport = {
  machine,
  settings: {
    epochs_fused: EPOCHS.fused,
    epochs_layers: EPOCHS.layers,
    epochs_threads: EPOCHS.threads,
    epochs_wasm: EPOCHS.wasm,
    wasm_samples_cap: Number(a['cpu-samples']),
    keras_epochs: KERAS_EPOCHS,
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
  keras: kerasRuns,
  concurrent,
  inference,
  daily,
  trainingDay,
  durationS: Math.round((performance.now() - began) / 1000),
};
const out = join(ROOT, '.data/bench', `${machine.date.slice(0, 10)}.json`);
mkdirSync(join(ROOT, '.data/bench'), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(
  `${formatReport(report)}\n\n${formatTrainingCost(trainingDay)}\nJSON: ${out}\n`,
);
if (!a.keep) rmSync(work, { recursive: true, force: true });
