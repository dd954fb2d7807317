/**
 * The BigQuery emulator (bqemulator, scripts/emulators/bigquery.sh) for tests: installed if needed,
 * started on a free loopback port, ready when its REST API answers, stopped by the test that started
 * it. In memory by default; `persistent` keeps its DuckDB file across `restart()`, so an outage test
 * can stop the service and find the same tables when it comes back.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, sleep } from '../net.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/emulators/bigquery.sh');
const START_TIMEOUT_MS = 60_000;

export interface BigQueryEmulator {
  /** http://127.0.0.1:<port>, the client's apiEndpoint. */
  endpoint: string;
  /** 127.0.0.1:<port>, as BIGQUERY_EMULATOR_HOST takes it. */
  host: string;
  /** Kills the process (SIGKILL: an outage, not a shutdown); the data survives only if persistent. */
  halt(): Promise<void>;
  /** Starts it again on the same port (and data folder). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

let installed: Promise<void> | undefined;
export function ensureBigQueryEmulatorInstalled(): Promise<void> {
  installed ??= promisify(execFile)(SCRIPT, ['install'], { cwd: ROOT, timeout: 900_000 }).then(
    () => undefined,
    (e: Error & { stderr?: string }) => {
      installed = undefined;
      throw new Error(`bigquery.sh install failed: ${e.stderr?.slice(-2000) ?? e.message}`);
    },
  );
  return installed;
}

async function ready(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/bigquery/v2/projects/ready-check/datasets`, {
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

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

export async function startBigQueryEmulator(
  opts: { persistent?: boolean } = {},
): Promise<BigQueryEmulator> {
  await ensureBigQueryEmulatorInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'stockops-bq-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = [
    'start',
    String(port),
    ...(opts.persistent ? ['--data-dir', join(dir, 'data')] : []),
  ];
  const logPath = join(dir, 'emulator.log');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const log = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };

  async function launch(): Promise<void> {
    const fd = openSync(logPath, 'a');
    const proc = spawn(SCRIPT, args, { cwd: ROOT, detached: true, stdio: ['ignore', fd, fd] });
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
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await ready(endpoint))) {
      if (gone) throw new Error(`bigquery emulator exited during start-up:\n${log().slice(-3000)}`);
      if (Date.now() > deadline) {
        await halt();
        throw new Error(`bigquery emulator not ready after ${START_TIMEOUT_MS} ms:\n${log()}`);
      }
      await sleep(200);
    }
  }

  async function halt(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc?.pid) return;
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
    await exited;
    live.delete(proc.pid);
  }

  await launch();
  return {
    endpoint,
    host: `127.0.0.1:${port}`,
    halt,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    log,
  };
}

/** The name CLOUD-DESIGN.md gives (`start<Name>Emulator` for `bigquery`). */
export const startBigqueryEmulator = startBigQueryEmulator;
