/**
 * `make bench`'s training-day cost (issue 19): CPU-seconds of one ticker's training day at the
 * defaults, before and after, cold and warm-started; then on one CPU (`taskset -c 0`, what the
 * 1-vCPU model function has) with TensorFlow's own thread choice and with 1 intra- + 1 inter-op
 * thread, which sets infra/functions.tf's thread env and its memory/timeout comments.
 * Run alone: tsx bench/training-cost.ts (prints the table, writes .data/bench/training-cost-<date>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { formatTable } from '../pipelines/cli/table.js';
import { runChild, type ChildOutcome, type Rss } from './child.js';

export interface TrainingDayResult {
  settings: string;
  asOf: string;
  members: number;
  warmStart: boolean;
  epochsRun: number[];
  cpuS: number;
  wallS: number;
  holdoutMase: (number | null)[];
  memberMase: (number | null)[];
  threads: string;
  rss: Rss;
}

interface Variant {
  key: string;
  args: string[];
  oneCpu?: boolean;
  env?: NodeJS.ProcessEnv;
}
const ONE = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' };
const VARIANTS: Variant[] = [
  { key: 'before, cold', args: ['--settings', 'before'] },
  { key: 'after, cold', args: ['--settings', 'after'] },
  { key: 'after, warm start', args: ['--settings', 'after', '--warm', '1'] },
  {
    key: '1 CPU, after, cold, TF threads',
    // config threads 0: no TF_NUM_* set, TensorFlow sizes its pools itself.
    args: ['--settings', 'after', '--tf-threads', '1'],
    oneCpu: true,
  },
  { key: '1 CPU, after, cold, 1+1 threads', args: ['--settings', 'after'], oneCpu: true, env: ONE },
  {
    key: '1 CPU, after, warm, 1+1 threads',
    args: ['--settings', 'after', '--warm', '1'],
    oneCpu: true,
    env: ONE,
  },
];

export async function runTrainingCost(
  progress: (m: string) => void,
  only?: readonly string[],
): Promise<Record<string, ChildOutcome<TrainingDayResult>>> {
  const out: Record<string, ChildOutcome<TrainingDayResult>> = {};
  const file = resolve(import.meta.dirname, 'training-day.ts');
  for (const v of VARIANTS.filter((x) => !only || only.includes(x.key))) {
    const node = [process.execPath, '--import', 'tsx', file, ...v.args];
    const [cmd, ...args] = v.oneCpu ? ['taskset', '-c', '0', ...node] : node;
    const o = await runChild<TrainingDayResult>(cmd as string, args, { timeoutS: 900, env: v.env });
    out[v.key] = o;
    progress(
      `training day ${v.key}: ${o.ok ? `${o.result.cpuS} CPU-s, ${o.result.wallS} s wall` : o.error}`,
    );
  }
  return out;
}

export function formatTrainingCost(r: Record<string, ChildOutcome<TrainingDayResult>>): string {
  const rows = Object.entries(r).map(([k, o]) =>
    o.ok
      ? [
          k,
          o.result.threads,
          String(o.result.members),
          o.result.epochsRun.join(' '),
          o.result.cpuS.toFixed(1),
          o.result.wallS.toFixed(1),
          `${o.result.rss.peakMiB.toFixed(0)} MiB`,
          o.result.holdoutMase.map((m) => (m === null ? '–' : m.toFixed(3))).join(' '),
        ]
      : [k, `failed: ${o.error}`, '', '', '', '', '', ''],
  );
  return [
    'Training day of one ticker at the defaults (fitModel, bench ticker, bench/training-day.ts):',
    formatTable(
      [
        'variant',
        'threads',
        'members',
        'epochs run',
        'CPU-s',
        'wall s',
        'peak RSS',
        'holdout MASE',
      ],
      rows,
    ),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const only = process.argv.slice(2);
  const t0 = performance.now();
  const log = (m: string) =>
    process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${m}\n`);
  const load0 = loadavg();
  const r = await runTrainingCost(log, only.length ? only : undefined);
  const text = formatTrainingCost(r);
  const dir = resolve(import.meta.dirname, '../.data/bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `training-cost-${new Date().toISOString().slice(0, 10)}.json`);
  const machine = { nproc: availableParallelism(), loadAvgStart: load0, loadAvgEnd: loadavg() };
  writeFileSync(file, `${JSON.stringify({ machine, runs: r }, null, 2)}\n`);
  process.stdout.write(
    `${text}\nload average ${load0.map((v) => v.toFixed(1)).join(' ')} → ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}\nJSON: ${file}\n`,
  );
}
