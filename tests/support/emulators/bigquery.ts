/**
 * The BigQuery emulator (bqemulator, scripts/emulators/bigquery.sh) for tests: installed if needed,
 * started on a free loopback port, ready when its REST API answers, stopped by the test that started
 * it. In memory by default; `persistent` keeps its DuckDB file across `restart()`, so an outage test
 * can stop the service and find the same tables when it comes back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { answers, detached, installOnce } from '../detached.js';
import { freePort } from '../net.js';

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

export const ensureBigQueryEmulatorInstalled = installOnce(SCRIPT, ['install'], {
  cwd: ROOT,
  timeoutMs: 900_000,
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
  const { launch, halt, log } = detached({
    name: 'bigquery emulator',
    command: SCRIPT,
    args,
    cwd: ROOT,
    logPath: join(dir, 'emulator.log'),
    ready: () => answers(`${endpoint}/bigquery/v2/projects/ready-check/datasets`),
    startTimeoutMs: START_TIMEOUT_MS,
    pollMs: 200,
    graceMs: 0,
  });

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
