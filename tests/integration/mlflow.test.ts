/**
 * The MLflow adapter against a real tracking server: what a run looks like in MLflow, batching past
 * MLflow's per-request limits, artifacts through the proxy, the outbox across a server outage.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import { DeliveryClaims } from '../../pipelines/ports/tracking/delivery-claims.js';
import { LOG_BATCH_LIMITS, planLogBatches } from '../../pipelines/ports/tracking/mlflow-batch.js';
import type { MlflowRun } from '../../pipelines/ports/tracking/mlflow-client.js';
import {
  createMlflowTracker,
  KEY_HASH_TAG,
  keyHash,
  OUTBOX_PREFIX,
  type MlflowTracker,
} from '../../pipelines/ports/tracking/mlflow.js';
import type { MetricPoint, RunRecord } from '../../pipelines/ports/tracking/port.js';
import type { MlflowServer } from '../support/mlflow-server.js';
import { sharedMlflowServer } from '../support/mlflow-shared.js';

let seq = 0;
const unique = (p: string): string => `${p}-${process.pid}-${Date.now()}-${seq++}`;
const T0 = 1_700_000_000_000;

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    key: unique('train:SPY:2024-01-02'),
    experiment: 'stockops-mlflow-test',
    name: 'train SPY',
    status: 'FINISHED',
    startTime: T0,
    endTime: T0 + 90_000,
    params: { units: 200, dropout: 0.2, lookback: 30, ticker: 'SPY' },
    tags: { ticker: 'SPY', stage: 'train' },
    metrics: [
      ...[0.9, 0.6, 0.45, 0.4].map((value, i) => ({
        key: 'loss',
        value,
        step: i + 1,
        timestamp: T0 + (i + 1) * 1000,
      })),
      ...[1.0, 0.7, 0.5, 0.48].map((value, i) => ({
        key: 'val_loss',
        value,
        step: i + 1,
        timestamp: T0 + (i + 1) * 1000,
      })),
      { key: 'mase', value: 0.87, step: 0, timestamp: T0 + 90_000 },
    ],
    artifacts: [],
    ...over,
  };
}

const tagsOf = (run: MlflowRun): Record<string, string> =>
  Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const paramsOf = (run: MlflowRun): Record<string, string> =>
  Object.fromEntries(run.data.params.map((t) => [t.key, t.value]));

async function runsWithKey(
  tracker: MlflowTracker,
  experiment: string,
  key: string,
): Promise<MlflowRun[]> {
  const exp = await tracker.client.getExperimentByName(experiment);
  if (!exp) return [];
  const { runs } = await tracker.client.searchRuns({
    experimentIds: [exp.experiment_id],
    filter: `tags.\`${KEY_HASH_TAG}\` = '${keyHash(key)}'`,
    runViewType: 'ALL',
  });
  return runs;
}

describe('planLogBatches', () => {
  it('keeps every request within MLflow limits and sends each entity exactly once', () => {
    const metrics = Array.from({ length: 2345 }, (_, i) => ({
      key: `m${i % 7}`,
      value: i,
      step: i,
      timestamp: i,
    }));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 130 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    const batches = planLogBatches({ metrics, params, tags });
    for (const b of batches) {
      expect(b.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
      expect(b.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
      expect(b.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.tags);
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(
        LOG_BATCH_LIMITS.total,
      );
    }
    expect(batches.flatMap((b) => b.metrics)).toEqual(metrics);
    expect(batches.flatMap((b) => b.params)).toEqual(params);
    expect(batches.flatMap((b) => b.tags)).toEqual(tags);
    // 2345 metrics + 380 others need at least ceil(2725 / 1000) requests; the plan should not waste many.
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.length).toBeLessThanOrEqual(4);
  });

  it('sends nothing for an empty run', () => {
    expect(planLogBatches({ metrics: [], params: [], tags: [] })).toEqual([]);
  });
});

describe('MLflow tracker against a real server', () => {
  let server: MlflowServer;
  let tracker: MlflowTracker;
  let outboxDir: string;
  const logged: string[] = [];
  const outboxFiles = (): string[] => readdirSync(outboxDir).filter((f) => f.endsWith('.json'));

  beforeAll(async () => {
    server = await sharedMlflowServer();
    outboxDir = mkdtempSync(join(tmpdir(), 'stockops-outbox-'));
    tracker = createMlflowTracker({
      uri: server.uri,
      experimentName: 'stockops',
      outboxDir,
      timeoutMs: 5_000,
      retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      log: { warn: (m) => logged.push(m) },
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (outboxDir) rmSync(outboxDir, { recursive: true, force: true });
  });

  it('records params, tags, per-epoch metric history, status and times', async () => {
    const r = record();
    const runId = await tracker.logRun(r);
    const run = await tracker.client.getRun(runId);
    expect(run.info).toMatchObject({
      status: 'FINISHED',
      start_time: r.startTime,
      end_time: r.endTime,
    });
    expect(run.info.run_name).toBe('train SPY');
    expect(paramsOf(run)).toEqual({ units: '200', dropout: '0.2', lookback: '30', ticker: 'SPY' });
    expect(tagsOf(run)).toMatchObject({ ticker: 'SPY', stage: 'train', 'stockops.key': r.key });
    const loss = await tracker.client.getMetricHistory(runId, 'loss');
    expect(loss.map((m) => [m.step, m.value, m.timestamp])).toEqual(
      r.metrics.filter((m) => m.key === 'loss').map((m) => [m.step, m.value, m.timestamp]),
    );
    const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(latest).toEqual({ loss: 0.4, val_loss: 0.48, mase: 0.87 });
  });

  it('records a failed run as FAILED and keeps non-finite metric values', async () => {
    const r = record({
      status: 'FAILED',
      metrics: [{ key: 'val_loss', value: Number.NaN, step: 3, timestamp: T0 + 3000 }],
    });
    const runId = await tracker.logRun(r);
    expect((await tracker.client.getRun(runId)).info.status).toBe('FAILED');
    const hist = await tracker.client.getMetricHistory(runId, 'val_loss');
    expect(hist).toHaveLength(1);
    expect(Number.isNaN(hist[0]?.value)).toBe(true);
  });

  it('uploads artifacts that download byte-identical', async () => {
    const weights = new Uint8Array(randomBytes(300_000));
    const r = record({
      artifacts: [
        { path: 'model/model.json', data: new TextEncoder().encode('{"format":"layers-model"}') },
        { path: 'model/group1-shard1of1.bin', data: weights },
        { path: 'reports/drift report.html', data: new TextEncoder().encode('<p>ok é</p>') },
      ],
    });
    const runId = await tracker.logRun(r);
    const run = await tracker.client.getRun(runId);
    expect(run.info.artifact_uri).toMatch(
      new RegExp(`^mlflow-artifacts:/\\d+/${runId}/artifacts$`),
    );
    for (const a of r.artifacts) {
      const got = await tracker.client.downloadArtifact(run.info.artifact_uri, a.path);
      expect(Buffer.from(got).equals(Buffer.from(a.data))).toBe(true);
    }
  });

  it('chunks more than 1000 metric points and more than 100 params and tags', async () => {
    const epochs = 700;
    const metrics: MetricPoint[] = [];
    for (let e = 1; e <= epochs; e++) {
      metrics.push({ key: 'loss', value: 1 / e, step: e, timestamp: T0 + e });
      metrics.push({ key: 'val_loss', value: 2 / e, step: e, timestamp: T0 + e });
    }
    const params = Object.fromEntries(Array.from({ length: 234 }, (_, i) => [`p${i}`, i * 3]));
    const tags = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`t${i}`, `v${i}`]));
    const r = record({ metrics, params, tags });
    const runId = await tracker.logRun(r);
    const run = await tracker.client.getRun(runId);
    expect(paramsOf(run)).toEqual(
      Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    );
    expect(tagsOf(run)).toMatchObject(tags);
    const loss = await tracker.client.getMetricHistory(runId, 'loss');
    const val = await tracker.client.getMetricHistory(runId, 'val_loss');
    expect(loss).toHaveLength(epochs);
    expect(val).toHaveLength(epochs);
    expect(new Set(val.map((m) => m.step))).toEqual(
      new Set(Array.from({ length: epochs }, (_, i) => i + 1)),
    );
    expect(val.find((m) => m.step === 350)?.value).toBeCloseTo(2 / 350, 12);
  });

  it('finishes a run that an earlier delivery left RUNNING instead of creating another', async () => {
    const r = record({ artifacts: [{ path: 'a.txt', data: new TextEncoder().encode('A') }] });
    // The earlier delivery claimed the key, created the run, then stopped (its instance recycled).
    expect(
      await new DeliveryClaims(createLocalObjectStore({ dir: outboxDir })).claimFirst(r.key),
    ).toBe(true);
    const expId = await tracker.client.ensureExperiment(r.experiment);
    const partial = await tracker.client.createRun({
      experimentId: expId,
      runName: r.name,
      startTime: r.startTime,
      tags: [
        { key: 'stockops.key', value: r.key },
        { key: KEY_HASH_TAG, value: keyHash(r.key) },
      ],
    });
    await tracker.client.logBatch(partial.info.run_id, {
      params: [{ key: 'units', value: '200' }],
      metrics: [{ key: 'loss', value: 0.9, step: 1, timestamp: T0 + 1000 }],
    });
    const runId = await tracker.logRun(r);
    expect(runId).toBe(partial.info.run_id);
    expect((await tracker.client.getRun(runId)).info.status).toBe('FINISHED');
    expect(await runsWithKey(tracker, r.experiment, r.key)).toHaveLength(1);
    expect(await tracker.client.getMetricHistory(runId, 'loss')).toHaveLength(4);
  });

  it("searches for a key's run only when a delivery of it started before", async () => {
    const search = vi.spyOn(tracker.client, 'searchRuns');
    try {
      const r = record();
      const id = await tracker.logRun(r);
      expect(search).not.toHaveBeenCalled();
      // The same record again (a redelivered message, a second instance): found, not duplicated.
      const again = createMlflowTracker({ uri: server.uri, experimentName: 'stockops', outboxDir });
      const searchAgain = vi.spyOn(again.client, 'searchRuns');
      expect(await again.logRun(r)).toBe(id);
      expect(searchAgain).toHaveBeenCalledTimes(1);
      expect(await runsWithKey(tracker, r.experiment, r.key)).toHaveLength(1);

      // Claimed, then cut off before the run was created: the next delivery searches, finds none,
      // and creates exactly one.
      const cut = record();
      await new DeliveryClaims(createLocalObjectStore({ dir: outboxDir })).claimFirst(cut.key);
      search.mockClear();
      const cutId = await tracker.logRun(cut);
      expect(search).toHaveBeenCalledTimes(1);
      expect(
        (await runsWithKey(tracker, cut.experiment, cut.key)).map((x) => x.info.run_id),
      ).toEqual([cutId]);
    } finally {
      search.mockRestore();
    }
  });

  it('keeps runs in the outbox while the server is down and delivers them exactly once after', async () => {
    const r = record({
      artifacts: [{ path: 'model/w.bin', data: new Uint8Array(randomBytes(2048)) }],
    });
    await server.halt();
    const warnings = logged.length;
    const id = await tracker.logRun(r);
    expect(id).toBe(`${OUTBOX_PREFIX}${r.key}`);
    expect(outboxFiles()).toHaveLength(1);
    expect(logged.slice(warnings).join('\n')).toMatch(/outbox/);
    // A second record while still down waits beside the first; delivery later must not duplicate either.
    const r2 = record();
    expect(await tracker.logRun(r2)).toBe(`${OUTBOX_PREFIX}${r2.key}`);
    expect(await tracker.logRun(r2)).toBe(`${OUTBOX_PREFIX}${r2.key}`);
    expect(outboxFiles()).toHaveLength(2);
    expect(await tracker.syncOutbox()).toEqual({ delivered: 0, remaining: 2 });

    await server.restart();
    // The next logRun delivers what waits in the outbox before its own record.
    const r3 = record();
    const id3 = await tracker.logRun(r3);
    expect(id3.startsWith(OUTBOX_PREFIX)).toBe(false);
    expect(outboxFiles()).toHaveLength(0);
    expect(await tracker.syncOutbox()).toEqual({ delivered: 0, remaining: 0 });
    const runs = await runsWithKey(tracker, r.experiment, r.key);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.info.status).toBe('FINISHED');
    expect(await tracker.client.getMetricHistory(run.info.run_id, 'val_loss')).toHaveLength(4);
    const w = await tracker.client.downloadArtifact(run.info.artifact_uri, 'model/w.bin');
    expect(Buffer.from(w).equals(Buffer.from(r.artifacts[0]!.data))).toBe(true);
    // Logging the same record again now finds the delivered run.
    expect(await tracker.logRun(r)).toBe(run.info.run_id);
    expect(await runsWithKey(tracker, r.experiment, r.key)).toHaveLength(1);
    expect(await runsWithKey(tracker, r2.experiment, r2.key)).toHaveLength(1);
    expect(await runsWithKey(tracker, r3.experiment, r3.key)).toHaveLength(1);
  });
});
