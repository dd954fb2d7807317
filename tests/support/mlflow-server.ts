/**
 * A real MLflow tracking server for integration tests: installed on demand (scripts/mlflow/install.sh),
 * bound to a free loopback port, with a throw-away SQLite store and artifact folder. Each server runs in
 * its own process group so stopping it also ends uvicorn's workers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { answers, detached, installOnce } from './detached.js';
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

const ensureInstalled = installOnce(join(ROOT, 'scripts/mlflow/install.sh'), [], {
  cwd: ROOT,
  timeoutMs: 600_000,
});

const healthy = (uri: string): Promise<boolean> => answers(`${uri}/health`);

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
  const { launch, halt, log } = detached({
    name: 'mlflow server',
    command: MLFLOW_BIN,
    args,
    cwd: dir,
    env,
    logPath,
    ready: () => healthy(uri),
    startTimeoutMs: START_TIMEOUT_MS,
    pollMs: 250,
    graceMs: 10_000,
    // The port answers a little longer than the group lives: wait until it is really down.
    afterHalt: async () => {
      for (let i = 0; i < 40 && (await healthy(uri)); i++) await sleep(250);
    },
  });

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
