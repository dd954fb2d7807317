/**
 * The cloud chain on all three emulators: scheduler message → Pub/Sub (pstest) → the three functions
 * as processes → BigQuery (bqemulator, persistent so it can be halted and restarted) and Cloud
 * Storage (fake-gcs-server on a data folder, which survives a restart). Tickers: SP500 (bundled),
 * HALF (a CSV made from it) and NOPE (unknown). Then redelivery, a poison message, and outages.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcsObjectStore } from '../../pipelines/ports/object-store/gcs.js';
import {
  createBigQueryWarehouse,
  type BigQueryWarehouse,
} from '../../pipelines/ports/warehouse/bigquery.js';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';
import { startCloudChain, type CloudChain, type Received } from '../../scripts/cloud/harness.js';
import { writeChainTestConfig } from '../../scripts/cloud/half-csv.js';
import { bucketSnapshot, warehouseSnapshot } from '../../scripts/cloud/read-back.js';
import { startBigQueryEmulator, type BigQueryEmulator } from '../support/emulators/bigquery.js';
import { startGcsEmulator, type GcsEmulator } from '../support/emulators/gcs.js';
import { startPubSubEmulator, type PubSubEmulator } from '../support/emulators/pubsub.js';

const DATE = '2020-04-17';
const PROJECT = 'stockops-e2e';
const DATASET = 'stockops_e2e';
const BUCKET = 'stockops-e2e';

describe('the cloud chain on Pub/Sub, BigQuery and Cloud Storage emulators', () => {
  let ps: PubSubEmulator;
  let bq: BigQueryEmulator;
  let gcs: GcsEmulator;
  let chain: CloudChain;
  let warehouse: BigQueryWarehouse;
  let store: ObjectStore;
  const doneFor = (runId: unknown, ticker: string): Received[] =>
    chain.done.filter((d) => d.data.runId === runId && d.data.ticker === ticker);

  beforeAll(async () => {
    process.env.METADATA_SERVER_DETECTION = 'none';
    const dir = await mkdtemp(join(tmpdir(), 'stockops-e2e-'));
    [ps, bq, gcs] = await Promise.all([
      startPubSubEmulator(),
      startBigQueryEmulator({ persistent: true }),
      startGcsEmulator({ dir: join(dir, 'gcs') }),
    ]);
    await gcs.createBucket(BUCKET);
    const config = await writeChainTestConfig(dir, DATE);
    chain = await startCloudChain({
      pubsubHost: ps.host,
      projectId: PROJECT,
      topicPrefix: `e2e${Date.now().toString(36)}`,
      maxDeliveryAttempts: 8,
      backoffSeconds: { min: 1, max: 2 },
      env: {
        ...process.env,
        STOCKOPS_CONFIG: config,
        STOCKOPS_DATA_DIR: dir,
        STOCKOPS_WAREHOUSE: 'bigquery',
        STOCKOPS_BQ_DATASET: DATASET,
        BIGQUERY_EMULATOR_HOST: `${bq.endpoint}/bigquery/v2`,
        STOCKOPS_BUCKET: BUCKET,
        STORAGE_EMULATOR_HOST: `${gcs.endpoint}/storage/v1`,
      },
    });
    warehouse = createBigQueryWarehouse({
      projectId: PROJECT,
      dataset: DATASET,
      apiEndpoint: bq.endpoint,
      retries: 0,
    });
    store = createGcsObjectStore({ bucket: BUCKET, apiEndpoint: gcs.endpoint, projectId: PROJECT });
  }, 600_000);

  afterAll(async () => {
    await chain?.stop();
    await warehouse?.close();
    await Promise.all([ps?.stop(), bq?.stop(), gcs?.stop()]);
  });

  it('a scheduler message ends in BigQuery rows and bucket objects; a failing ticker blocks no other', async () => {
    await chain.publish(chain.topics.schedule, { date: DATE });
    await chain.waitFor(
      () => chain.done.length >= 3,
      () => `${chain.done.length} of 3 done`,
      900_000,
    );
    const by = new Map(chain.done.map((d) => [d.data.ticker, d.data]));
    expect(by.get('SP500')).toMatchObject({ status: 'ok', asOf: DATE, decision: 'train' });
    expect(by.get('HALF')).toMatchObject({ status: 'ok', asOf: DATE, decision: 'train' });
    expect(by.get('NOPE')).toMatchObject({ status: 'failed', failedStage: 'ingest' });
    const runId = by.get('SP500')?.runId;
    for (const d of chain.done) {
      expect(d.attributes).toMatchObject({ run_id: runId, ticker: d.data.ticker, date: DATE });
    }

    const preds = await warehouse.select('predictions', {});
    expect(
      [
        ...new Set(
          preds.map((p) => `${String(p.ticker)} ${String(p.as_of_date)} ${String(p.run_id)}`),
        ),
      ].sort(),
    ).toEqual([`HALF ${DATE} ${String(runId)}`, `SP500 ${DATE} ${String(runId)}`]);
    const sp = preds.find((p) => p.ticker === 'SP500');
    const hf = preds.find((p) => p.ticker === 'HALF' && p.target_date === sp?.target_date);
    expect(Number(hf?.base_close)).toBeCloseTo(Number(sp?.base_close) / 2, 3);
    const decisions = await warehouse.select('model_decisions', {});
    expect(decisions.map((d) => `${d.ticker} ${d.decision}`).sort()).toEqual([
      'HALF train',
      'SP500 train',
    ]);
    for (const t of ['SP500', 'HALF']) {
      expect(
        (await warehouse.select('daily_bars', { where: { ticker: t } })).length,
      ).toBeGreaterThan(150);
      expect(
        (await warehouse.select('drift_scores', { where: { ticker: t } })).length,
      ).toBeGreaterThan(0);
    }
    const runs = await warehouse.select('pipeline_runs', { where: { run_id: String(runId) } });
    const stages = (t: string) =>
      runs
        .filter((r) => r.ticker === t && r.status !== 'started')
        .map((r) => `${r.stage}:${r.status}`)
        .sort();
    for (const t of ['SP500', 'HALF']) {
      expect(stages(t)).toEqual([
        'drift:ok',
        'features:ok',
        'forecast:ok',
        'ingest:ok',
        'model:ok',
        'record:ok',
      ]);
    }
    expect(stages('NOPE')).toEqual(['ingest:failed']);

    const keys = await store.list('');
    for (const t of ['SP500', 'HALF']) {
      expect(keys).toContain(`raw/${t}/${DATE}.json`);
      const versions = keys.filter(
        (k) => k.startsWith(`models/${t}/`) && k.endsWith('/manifest.json'),
      );
      expect(versions).toHaveLength(1);
      const version = versions[0]?.split('/')[2];
      const manifest = JSON.parse(
        Buffer.from((await store.get(versions[0] ?? '')) ?? []).toString('utf8'),
      ) as { files: Record<string, { sha256: string }> };
      // Every file the manifest names is in the version's folder.
      for (const f of Object.keys(manifest.files))
        expect(keys).toContain(`models/${t}/${version}/${f}`);
      // A single network's files, and each further ensemble member's pair (5 members by default).
      expect(Object.keys(manifest.files).sort()).toEqual(
        [
          'meta.json',
          'model.json',
          'reference.json',
          'weights.bin',
          ...[1, 2, 3, 4].flatMap((k) => [`member-${k}/model.json`, `member-${k}/weights.bin`]),
        ].sort(),
      );
      expect(decisions.find((d) => d.ticker === t)?.model_version).toBe(version);
    }
    expect(keys.filter((k) => k.startsWith('mlflow-outbox/'))).toEqual([]);
  }, 1_000_000);

  it('the same ticker messages again (an at-least-once redelivery) change no row and no object', async () => {
    const rows = await warehouseSnapshot(warehouse);
    const objects = await bucketSnapshot(store);
    const first = chain.done.slice(0, 3);
    const n = chain.done.length;
    for (const d of first) {
      await chain.publish(chain.topics.ingest, {
        runId: d.data.runId,
        date: d.data.date,
        ticker: d.data.ticker,
      });
    }
    await chain.waitFor(
      () => chain.done.length >= n + 3,
      () => `${chain.done.length - n} of 3 redone`,
      600_000,
    );
    expect(
      chain.done
        .slice(n)
        .map((d) => `${String(d.data.ticker)} ${String(d.data.status)}`)
        .sort(),
    ).toEqual(['HALF ok', 'NOPE failed', 'SP500 ok']);
    expect(isDeepStrictEqual(await warehouseSnapshot(warehouse), rows)).toBe(true);
    expect(await bucketSnapshot(store)).toEqual(objects);
    // The second day loaded its models from the bucket: the functions printed no listener-leak
    // warnings (the storage client's own download printed two per object read).
    expect(chain.logs.join('')).not.toMatch(/MaxListenersExceededWarning/);
  }, 700_000);

  it('a poison message ends on the dead-letter topic', async () => {
    const id = await chain.publishRaw(chain.topics.model, Buffer.from('{"runId": 1'));
    await chain.waitFor(
      () => chain.dead.some((d) => (d.data.message as { messageId?: string })?.messageId === id),
      () => `no dead letter for ${id}`,
      120_000,
    );
    const dl = chain.dead.find((d) => (d.data.message as { messageId?: string })?.messageId === id);
    expect(dl?.attributes).toMatchObject({ function: 'stockopsModel' });
    expect(dl?.attributes.reason).toMatch(/^stockopsModel: /);
  }, 200_000);

  /** Publishes SP500's ingest message for `date`; `cut` runs once the chain reaches the outage point. */
  const runThroughOutage = async (
    date: string,
    cut: { when?: () => boolean; down: () => Promise<void>; up: () => Promise<void> },
  ) => {
    const runId = `${date}-outage`;
    const nacks = () => chain.bridge.posts.filter((p) => p.status < 200 || p.status >= 300).length;
    const before = nacks();
    // Without `when`, the service is down before the message is published.
    if (!cut.when) await cut.down();
    await chain.publish(chain.topics.ingest, { runId, date, ticker: 'SP500' });
    if (cut.when) {
      await chain.waitFor(cut.when, () => 'the outage point was never reached', 300_000);
      await cut.down();
    }
    await chain.waitFor(
      () => nacks() > before,
      () => 'no function answered non-2xx during the outage',
      300_000,
    );
    await cut.up();
    await chain.waitFor(
      () => doneFor(runId, 'SP500').length >= 1,
      () => 'no done message after the outage',
      600_000,
    );
    expect(doneFor(runId, 'SP500').map((d) => d.data.status)).toEqual(['ok']);
    expect(doneFor(runId, 'SP500')[0]?.data.asOf).toBe(date);
    const preds = (await warehouse.select('predictions', { where: { ticker: 'SP500' } })).filter(
      (p) => p.as_of_date === date,
    );
    const horizons = new Set(preds.map((p) => p.horizon));
    expect(preds.length).toBeGreaterThan(0);
    expect(horizons.size).toBe(preds.length);
    expect(preds.every((p) => p.run_id === runId)).toBe(true);
    const runs = await warehouse.select('pipeline_runs', { where: { run_id: runId } });
    for (const stage of ['ingest', 'features', 'model', 'forecast', 'drift', 'record']) {
      expect(runs.filter((r) => r.stage === stage && r.status === 'ok').length, stage).toBe(1);
    }
    return runs;
  };

  it('a BigQuery outage while the model function works: non-2xx, redelivery, success, no duplicate', async () => {
    const marks = () => chain.logs.join('').split('model stage done').length;
    const seen = marks();
    await runThroughOutage('2020-04-15', {
      when: () => marks() > seen,
      down: () => bq.halt(),
      up: () => bq.restart(),
    });
    expect(
      (await warehouse.select('model_decisions', { where: { ticker: 'SP500' } })).filter(
        (d) => d.as_of_date === '2020-04-15',
      ).length,
    ).toBe(1);
  }, 1_000_000);

  it('a Cloud Storage outage when the ingest function archives: non-2xx, redelivery, success, objects kept', async () => {
    const before = await store.list('models/');
    await runThroughOutage('2020-04-16', {
      down: () => gcs.halt(),
      up: () => gcs.restart(),
    });
    const keys = await store.list('');
    for (const k of before) expect(keys).toContain(k);
    expect(keys).toContain('raw/SP500/2020-04-16.json');
  }, 1_000_000);
});
