/**
 * A real server the tests start as a detached process group (an emulator, MLflow): installed once
 * per test process by its own script, launched with its output in a log file, ready when `ready()`
 * says so, and halted by signalling the whole group, so child workers (uvicorn's) go with it.
 * Groups a crashed test worker leaves behind are killed when the process exits.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { sleep } from './net.js';

const live = new Set<number>();
process.once('exit', () => {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Runs an install script at most once at a time; a failure is not remembered, so a later call retries. */
export function installOnce(
  script: string,
  args: string[],
  opts: { cwd: string; timeoutMs: number },
): () => Promise<void> {
  let installed: Promise<void> | undefined;
  return () => {
    installed ??= promisify(execFile)(script, args, {
      cwd: opts.cwd,
      timeout: opts.timeoutMs,
    }).then(
      () => undefined,
      (e: Error & { stderr?: string }) => {
        installed = undefined;
        throw new Error(`${script} failed: ${e.stderr?.slice(-2000) ?? e.message}`);
      },
    );
    return installed;
  };
}

/** True when a GET of the URL answers 2xx within 2 s. */
export async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

export interface DetachedOptions {
  /** For messages: "bigquery emulator", "mlflow server". */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logPath: string;
  ready: () => Promise<boolean>;
  startTimeoutMs: number;
  pollMs: number;
  /** SIGTERM first and wait this long before SIGKILL; 0 kills at once (an outage, not a shutdown). */
  graceMs: number;
  /** After the group is gone, e.g. until the port stops answering. */
  afterHalt?: () => Promise<void>;
}

export interface Detached {
  launch: () => Promise<void>;
  halt: () => Promise<void>;
  /** The process's output so far. */
  log: () => string;
}

export function detached(o: DetachedOptions): Detached {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const log = (): string => (existsSync(o.logPath) ? readFileSync(o.logPath, 'utf8') : '');

  async function halt(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc?.pid) return;
    const pgid = proc.pid;
    const signal = (s: NodeJS.Signals): void => {
      try {
        process.kill(-pgid, s);
      } catch {
        // the group is already gone
      }
    };
    if (o.graceMs > 0) {
      signal('SIGTERM');
      await Promise.race([exited, sleep(o.graceMs)]);
    }
    // SIGKILL the group either way: a worker can outlive the process that started it.
    signal('SIGKILL');
    await exited;
    live.delete(pgid);
    await o.afterHalt?.();
  }

  async function launch(): Promise<void> {
    const fd = openSync(o.logPath, 'a');
    const proc = spawn(o.command, o.args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    child = proc;
    if (proc.pid) live.add(proc.pid);
    let gone = false;
    exited = new Promise((r) => {
      proc.once('exit', () => {
        gone = true;
        r();
      });
    });
    const deadline = Date.now() + o.startTimeoutMs;
    while (!(await o.ready())) {
      if (gone) throw new Error(`${o.name} exited during start-up:\n${log().slice(-3000)}`);
      if (Date.now() > deadline) {
        await halt();
        throw new Error(`${o.name} not ready after ${o.startTimeoutMs} ms:\n${log().slice(-3000)}`);
      }
      await sleep(o.pollMs);
    }
  }

  return { launch, halt, log };
}
