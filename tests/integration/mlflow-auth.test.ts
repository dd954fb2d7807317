/**
 * A tracking server started with `--app-name basic-auth`: the right credentials work, wrong ones get a
 * clear error that never repeats the password, and the tracker still does not throw.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowClient } from '../../pipelines/ports/tracking/mlflow-client.js';
import { MlflowError } from '../../pipelines/ports/tracking/mlflow-error.js';
import { createMlflowTracker, OUTBOX_PREFIX } from '../../pipelines/ports/tracking/mlflow.js';
import type { RunRecord } from '../../pipelines/ports/tracking/port.js';
import { startMlflowServer, type MlflowServer } from '../support/mlflow-server.js';

const WRONG_PASSWORD = 'not-the-password-7f3a9c';

function record(key: string): RunRecord {
  return {
    key,
    experiment: 'stockops-auth-test',
    name: 'predict SPY',
    status: 'FINISHED',
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_001_000,
    params: { horizon: 10 },
    tags: { ticker: 'SPY' },
    metrics: [{ key: 'yhat', value: 471.2, step: 0, timestamp: 1_700_000_001_000 }],
    artifacts: [{ path: 'forecast.json', data: new TextEncoder().encode('[471.2]') }],
  };
}

async function errorOf(p: Promise<unknown>): Promise<MlflowError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MlflowError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('MLflow with basic auth', () => {
  let server: MlflowServer;
  let username: string;
  let password: string;
  let outboxDir: string;

  beforeAll(async () => {
    server = await startMlflowServer({ basicAuth: true });
    ({ username, password } = server.credentials!);
    outboxDir = mkdtempSync(join(tmpdir(), 'stockops-outbox-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (outboxDir) rmSync(outboxDir, { recursive: true, force: true });
  });

  it('accepts the right credentials for runs, artifacts and the registry', async () => {
    const tracker = createMlflowTracker({
      uri: server.uri,
      experimentName: 'stockops',
      username,
      password,
      outboxDir,
      timeoutMs: 10_000,
    });
    const r = record(`predict:SPY:${Date.now()}`);
    const runId = await tracker.logRun(r);
    expect(runId.startsWith(OUTBOX_PREFIX)).toBe(false);
    const run = await tracker.client.getRun(runId);
    const got = await tracker.client.downloadArtifact(run.info.artifact_uri, 'forecast.json');
    expect(new TextDecoder().decode(got)).toBe('[471.2]');
    const v = await tracker.registry.createVersion('stockops-SPY', {
      source: 'gs://m/SPY/v1',
      runId,
      tags: {},
    });
    await tracker.registry.setAlias('stockops-SPY', 'champion', v.version);
    expect((await tracker.registry.getByAlias('stockops-SPY', 'champion'))?.version).toBe(
      v.version,
    );
  });

  it('credentials in the URI userinfo work too and are not kept in the printable base URL', async () => {
    const u = new URL(server.uri);
    u.username = username;
    u.password = password;
    const client = new MlflowClient({ uri: u.href });
    expect(client.baseUrl).toBe(server.uri);
    expect(await client.ensureExperiment('stockops-userinfo')).toMatch(/^\d+$/);
  });

  it('refuses a wrong password with a clear error that does not contain it', async () => {
    const client = new MlflowClient({ uri: server.uri, username, password: WRONG_PASSWORD });
    const e = await errorOf(client.ensureExperiment('stockops-denied'));
    expect(e.status).toBe(401);
    expect(e.unauthorized).toBe(true);
    expect(e.retryable).toBe(false);
    expect(e.endpoint).toBe('GET /api/2.0/mlflow/experiments/get-by-name');
    expect(e.message).toMatch(/HTTP 401/);
    expect(e.message).toMatch(/MLFLOW_TRACKING_USERNAME/);
    const everything = `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}`;
    expect(everything).not.toContain(WRONG_PASSWORD);
    expect(everything).not.toContain(
      Buffer.from(`${username}:${WRONG_PASSWORD}`).toString('base64'),
    );
  });

  it('refuses a request without credentials', async () => {
    const e = await errorOf(new MlflowClient({ uri: server.uri }).ensureExperiment('x'));
    expect(e.status).toBe(401);
  });

  it('a tracker with a wrong password does not throw: the run waits in the outbox, unlogged secrets', async () => {
    const logged: string[] = [];
    const box = mkdtempSync(join(tmpdir(), 'stockops-outbox-'));
    try {
      const tracker = createMlflowTracker({
        uri: server.uri,
        experimentName: 'stockops',
        username,
        password: WRONG_PASSWORD,
        outboxDir: box,
        timeoutMs: 10_000,
        log: { warn: (m) => logged.push(m) },
      });
      const r = record(`predict:QQQ:${Date.now()}`);
      expect(await tracker.logRun(r)).toBe(`${OUTBOX_PREFIX}${r.key}`);
      expect(readdirSync(box).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      expect(logged.join('\n')).toMatch(/401/);
      expect(logged.join('\n')).not.toContain(WRONG_PASSWORD);
      expect(await tracker.syncOutbox()).toEqual({ delivered: 0, remaining: 1 });

      // The same outbox, read by a tracker with the right password, delivers it.
      const fixed = createMlflowTracker({
        uri: server.uri,
        experimentName: 'stockops',
        username,
        password,
        outboxDir: box,
        timeoutMs: 10_000,
        log: { warn: (m) => logged.push(m) },
      });
      expect(await fixed.syncOutbox()).toEqual({ delivered: 1, remaining: 0 });
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });

  it('a network failure names the endpoint and not the credentials in the URI', async () => {
    const dead = new URL(server.uri);
    dead.port = '9'; // discard port: nothing listens there on loopback
    dead.username = username;
    dead.password = WRONG_PASSWORD;
    const client = new MlflowClient({ uri: dead.href, timeoutMs: 2_000 });
    const e = await errorOf(client.ensureExperiment('x'));
    expect(e.status).toBeUndefined();
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/cannot reach the tracking server at http:\/\/127\.0\.0\.1:9/);
    expect(`${e.message}\n${e.stack ?? ''}`).not.toContain(WRONG_PASSWORD);
  });
});
