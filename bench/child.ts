/**
 * Every measurement runs in a child process of its own, so its peak RSS is its own (not the sum of
 * everything the bench did before) and a backend registered in one cannot leak into another.
 * A child prints one marker line with its result; everything else it prints is noise to the parent.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const MARK = '@@bench-result ';

export interface Rss {
  /** Peak resident set size of the whole process (getrusage ru_maxrss). */
  peakMiB: number;
  /** The same from the kernel's VmHWM, as a cross-check (Linux only). */
  vmHwmMiB: number | null;
  /**
   * Resident now (at the end), split: anonymous memory (heap, tensors) and file-backed pages
   * (mostly shared-library code, clean and reclaimable: libtensorflow alone maps ~800 MB).
   */
  anonMiB: number | null;
  fileMiB: number | null;
}

export function peakRss(): Rss {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Not Linux: ru_maxrss alone.
  }
  const kib = (field: string): number | null => {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return m?.[1] ? round(Number(m[1]) / 1024, 1) : null;
  };
  return {
    peakMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    vmHwmMiB: kib('VmHWM'),
    anonMiB: kib('RssAnon'),
    fileMiB: kib('RssFile'),
  };
}

/** TensorFlow's thread settings as this process got them ('default': TensorFlow decides). */
export function threadEnv(): string {
  const v = (k: string): string => process.env[k] ?? 'default';
  return `intra ${v('TF_NUM_INTRAOP_THREADS')}, inter ${v('TF_NUM_INTEROP_THREADS')}`;
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Child side: the result, with the process's peak RSS at the very end. */
export function emit(result: object): void {
  process.stdout.write(`${MARK}${JSON.stringify({ ...result, rss: peakRss() })}\n`);
}

/** Child side: string flags, all required unless given a default. */
export function flags<K extends string>(names: Record<K, string | undefined>): Record<K, string> {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(names).map((k) => [k, { type: 'string' as const }])),
  });
  const out = {} as Record<K, string>;
  for (const k of Object.keys(names) as K[]) {
    const v = (values as Record<string, string | undefined>)[k] ?? names[k];
    if (v === undefined) throw new Error(`--${k} is required`);
    out[k] = v;
  }
  return out;
}

export type ChildOutcome<T> =
  { ok: true; result: T; wallS: number } | { ok: false; error: string; wallS: number };

/** Parent side: runs a TypeScript child under this Node with tsx as its loader. */
export function runTs<T>(
  script: string,
  args: string[],
  opts: { timeoutS: number; env?: NodeJS.ProcessEnv },
): Promise<ChildOutcome<T>> {
  const file = resolve(import.meta.dirname, script);
  return runChild<T>(process.execPath, ['--import', 'tsx', file, ...args], opts);
}

export function runChild<T>(
  cmd: string,
  args: string[],
  opts: { timeoutS: number; env?: NodeJS.ProcessEnv; raw?: boolean },
): Promise<ChildOutcome<T>> {
  const start = performance.now();
  return new Promise((done) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallS = round((performance.now() - start) / 1000, 2);
      // The Keras script prints its JSON bare; our children mark theirs.
      const line = out
        .split('\n')
        .reverse()
        .find((l) => (opts.raw ? l.startsWith('{') : l.startsWith(MARK)));
      if (code === 0 && line) {
        const json = opts.raw ? line : line.slice(MARK.length);
        done({ ok: true, result: JSON.parse(json) as T, wallS });
        return;
      }
      const why =
        signal === 'SIGKILL' ? `killed after the ${opts.timeoutS} s limit` : `exit ${code}`;
      const tail = err.trim().split('\n').slice(-3).join(' | ');
      done({ ok: false, error: `${why}: ${tail || out.trim().slice(-300)}`, wallS });
    });
  });
}
