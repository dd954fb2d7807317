/**
 * fake-gcs-server for tests: built on demand (scripts/emulators/gcs.sh install, cached), started on
 * a free loopback port, stopped by `stop()`. `halt()`/`restart()` take it down and bring it back on
 * the same port; objects survive that only with `dir` (filesystem backend), not in memory.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Storage } from '@google-cloud/storage';
import { repoRoot } from '../paths.js';
import { freePort, sleep } from '../net.js';

const SCRIPT = join(repoRoot, 'scripts/emulators/gcs.sh');
const START_TIMEOUT_MS = 30_000;

export interface GcsEmulator {
  /** http://127.0.0.1:<port>, the client's `apiEndpoint`. */
  endpoint: string;
  port: number;
  /** Creates a bucket (idempotent) and returns its name. */
  createBucket(name: string): Promise<string>;
  halt(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

let installed: Promise<void> | undefined;
export function ensureGcsEmulatorInstalled(): Promise<void> {
  installed ??= promisify(execFile)(SCRIPT, ['install'], { cwd: repoRoot, timeout: 900_000 }).then(
    () => undefined,
    (e: Error & { stderr?: string }) => {
      installed = undefined;
      throw new Error(
        `scripts/emulators/gcs.sh install failed: ${e.stderr?.slice(-2000) ?? e.message}`,
      );
    },
  );
  return installed;
}

async function ready(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/storage/v1/b`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface GcsEmulatorOptions {
  /** Keep objects in this folder (the filesystem backend) instead of memory. */
  dir?: string;
}

export async function startGcsEmulator(opts: GcsEmulatorOptions = {}): Promise<GcsEmulator> {
  await ensureGcsEmulatorInstalled();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function launch(): Promise<void> {
    const proc = spawn(SCRIPT, ['start', String(port), ...(opts.dir ? [opts.dir] : [])], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    live.add(proc);
    let gone = false;
    exited = new Promise((r) =>
      proc.once('exit', () => {
        gone = true;
        live.delete(proc);
        r();
      }),
    );
    const keep = (b: Buffer): void => {
      output = (output + b.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await ready(endpoint))) {
      if (gone) throw new Error(`fake-gcs-server exited during start-up:\n${output.slice(-3000)}`);
      if (Date.now() > deadline) {
        await halt();
        throw new Error(`fake-gcs-server not ready after ${START_TIMEOUT_MS} ms:\n${output}`);
      }
      await sleep(100);
    }
  }

  async function halt(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc) return;
    // The script execs the server, so this signals the server itself.
    proc.kill('SIGTERM');
    const slow = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
    if (slow) {
      proc.kill('SIGKILL');
      await exited;
    }
  }

  await launch();
  const storage = new Storage({ apiEndpoint: endpoint, projectId: 'stockops-test' });
  return {
    endpoint,
    port,
    async createBucket(name) {
      const [exists] = await storage.bucket(name).exists();
      if (!exists) await storage.createBucket(name);
      return name;
    },
    halt,
    async restart() {
      await halt();
      await launch();
    },
    stop: halt,
    log: () => output,
  };
}
