/**
 * A real MLflow tracking server for integration tests: installed on demand (scripts/mlflow/install.sh),
 * bound to a free loopback port, with a throw-away SQLite store and artifact folder. Each server runs in
 * its own process group so stopping it also ends uvicorn's workers.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, sleep } from './net.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MLFLOW_BIN = join(ROOT, '.venv/mlflow/bin/mlflow');
const START_TIMEOUT_MS = 150_000;

export interface MlflowServerOptions {
  /** Start with `--app-name basic-auth` and an admin user whose password is generated here. */
  basicAuth?: boolean;
}

export interface MlflowServer {
  /** http://127.0.0.1:<port> */
  uri: string;
  port: number;
  /** The admin's credentials when started with basicAuth. */
  credentials?: { username: string; password: string };
  /** Stops the process but keeps the store, so `restart()` comes back with the same runs. */
  halt(): Promise<void>;
  /** Starts the server again on the same port and store (halting it first if it runs). */
  restart(): Promise<void>;
  /** Stops the server and deletes its store. */
  stop(): Promise<void>;
  /** The server's output so far, for failure messages. */
  log(): string;
  /** Where that output is written. */
  logPath: string;
}

let installed: Promise<void> | undefined;
function ensureInstalled(): Promise<void> {
  installed ??= promisify(execFile)(join(ROOT, 'scripts/mlflow/install.sh'), [], {
    cwd: ROOT,
    timeout: 600_000,
  }).then(
    () => undefined,
    (e: Error & { stderr?: string }) => {
      installed = undefined;
      throw new Error(`scripts/mlflow/install.sh failed: ${e.stderr?.slice(-2000) ?? e.message}`);
    },
  );
  return installed;
}

async function healthy(uri: string): Promise<boolean> {
  try {
    const res = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

// Servers left behind by a crashed test worker would hold ports and CPU; end their groups on exit.
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export async function startMlflowServer(opts: MlflowServerOptions = {}): Promise<MlflowServer> {
  await ensureInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'stockops-mlflow-'));
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' };
  const args = [
    'server',
    '--backend-store-uri',
    `sqlite:///${join(dir, 'mlflow.db')}`,
    '--artifacts-destination',
    join(dir, 'artifacts'),
    '--serve-artifacts',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    '1',
  ];
  let credentials: MlflowServer['credentials'];
  if (opts.basicAuth) {
    credentials = { username: 'admin', password: `pw-${randomBytes(12).toString('hex')}` };
    const ini = join(dir, 'basic_auth.ini');
    writeFileSync(
      ini,
      [
        '[mlflow]',
        'default_permission = READ',
        `database_uri = sqlite:///${join(dir, 'auth.db')}`,
        `admin_username = ${credentials.username}`,
        `admin_password = ${credentials.password}`,
        'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
        '',
      ].join('\n'),
    );
    env.MLFLOW_AUTH_CONFIG_PATH = ini;
    // The auth app refuses to start without a static key for its CSRF protection.
    env.MLFLOW_FLASK_SERVER_SECRET_KEY = randomBytes(24).toString('hex');
    args.push('--app-name', 'basic-auth');
  }
  const logPath = join(dir, 'server.log');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const log = (): string => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  async function launch(): Promise<void> {
    const fd = openSync(logPath, 'a');
    const proc = spawn(MLFLOW_BIN, args, {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    child = proc;
    if (proc.pid) liveGroups.add(proc.pid);
    let gone = false;
    exited = new Promise((r) => {
      proc.once('exit', () => {
        gone = true;
        r();
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await healthy(uri))) {
      if (gone) throw new Error(`mlflow server exited during start-up:\n${log().slice(-3000)}`);
      if (Date.now() > deadline) {
        await halt();
        throw new Error(
          `mlflow server not healthy after ${START_TIMEOUT_MS} ms:\n${log().slice(-3000)}`,
        );
      }
      await sleep(250);
    }
  }

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
    signal('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
    // SIGKILL the group either way: uvicorn's worker can outlive the CLI process that started it.
    signal('SIGKILL');
    if (timedOut) await exited;
    liveGroups.delete(pgid);
    for (let i = 0; i < 40 && (await healthy(uri)); i++) await sleep(250);
  }

  await launch();
  return {
    uri,
    port,
    credentials,
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
    logPath,
  };
}
