/**
 * The three functions as real processes (scripts/functions/serve.ts) on the Pub/Sub emulator,
 * chained by the Eventarc bridge: schedule → ingest → model → done, with embedded DuckDB (shared
 * by the processes) and a local artifact folder. Tickers: SP500 (bundled), HALF (a CSV made from
 * the bundled series, prices halved) and NOPE (unknown: fails at ingest).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudChain, type CloudChain } from '../../scripts/cloud/harness.js';
import { writeChainTestConfig } from '../../scripts/cloud/half-csv.js';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import type { Warehouse } from '../../pipelines/ports/warehouse/port.js';
import { startPubSubEmulator, type PubSubEmulator } from '../support/emulators/pubsub.js';
import { eventually } from '../contract/bus.contract.js';
import { WALL_CLOCK } from '../support/tables.js';
import { tables, type TableName } from '../../pipelines/ports/warehouse/schema.js';

const DATE = '2020-04-17';
const PROJECT = 'stockops-it';
const PREFIX = `it${Date.now().toString(36)}`;
describe('the functions as processes on Pub/Sub (pstest), chained by the Eventarc bridge', () => {
  let emulator: PubSubEmulator;
  let chain: CloudChain;
  let dbPath = '';

  /** Reads the warehouse between deliveries: shared mode waits while a function holds the file. */
  const withWarehouse = async <R>(fn: (w: Warehouse) => Promise<R>): Promise<R> => {
    const w = await createDuckDbWarehouse({ path: dbPath, shared: true });
    try {
      return await fn(w);
    } finally {
      await w.close();
    }
  };
  const snapshot = () =>
    withWarehouse(async (w) => {
      const out: Record<string, unknown[]> = {};
      for (const name of Object.keys(tables) as TableName[]) {
        if (name === 'pipeline_runs') continue;
        const drop = new Set(WALL_CLOCK[name] ?? []);
        out[name] = (await w.select(name, {})).map((r) =>
          Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k))),
        );
      }
      return out;
    });

  beforeAll(async () => {
    process.env.METADATA_SERVER_DETECTION = 'none';
    emulator = await startPubSubEmulator();
    const dir = await mkdtemp(join(tmpdir(), 'stockops-fnps-'));
    dbPath = join(dir, 'warehouse.duckdb');
    const config = await writeChainTestConfig(dir, DATE);
    chain = await startCloudChain({
      pubsubHost: emulator.host,
      projectId: PROJECT,
      topicPrefix: PREFIX,
      env: {
        ...process.env,
        STOCKOPS_CONFIG: config,
        STOCKOPS_DATA_DIR: dir,
        STOCKOPS_DUCKDB_SHARED: '1',
      },
    });
  }, 300_000);

  afterAll(async () => {
    await chain?.stop();
    await emulator?.stop();
  });

  it('a scheduler message runs every ticker to the done topic; a failing one never blocks the others', async () => {
    await chain.publish(chain.topics.schedule, { date: DATE });
    await eventually(
      () => chain.done.length >= 3,
      () => `${chain.done.length} done; ${chain.logs.join('').slice(-3000)}`,
      540_000,
    );
    const byTicker = new Map(chain.done.map((d) => [d.data.ticker, d]));
    if (byTicker.get('SP500')?.data.status !== 'ok') {
      console.error(JSON.stringify(chain.done, null, 1), chain.logs.join('').slice(-6000));
    }
    expect(byTicker.get('SP500')?.data).toMatchObject({
      status: 'ok',
      asOf: DATE,
      decision: 'train',
    });
    expect(byTicker.get('HALF')?.data).toMatchObject({
      status: 'ok',
      asOf: DATE,
      decision: 'train',
    });
    expect(byTicker.get('NOPE')?.data).toMatchObject({ status: 'failed', failedStage: 'ingest' });
    expect(String(byTicker.get('NOPE')?.data.error)).toMatch(/NOPE: unknown ticker/);
    const runId = byTicker.get('SP500')?.data.runId;
    for (const d of chain.done) {
      expect(d.attributes).toMatchObject({ run_id: runId, ticker: d.data.ticker, date: DATE });
    }

    await withWarehouse(async (w) => {
      const preds = await w.select('predictions', {});
      expect(preds.map((p) => [p.ticker, p.as_of_date, p.run_id]).sort()).toEqual([
        ['HALF', DATE, runId],
        ['SP500', DATE, runId],
      ]);
      // Same prices halved: the forecast for HALF is in HALF's price range, not SP500's.
      const sp = preds.find((p) => p.ticker === 'SP500');
      const hf = preds.find((p) => p.ticker === 'HALF');
      expect(hf?.base_close).toBeCloseTo((sp?.base_close ?? 0) / 2, 3);
      expect((await w.select('model_decisions', {})).map((d) => d.ticker).sort()).toEqual([
        'HALF',
        'SP500',
      ]);
      expect(
        (await w.select('drift_scores', { where: { ticker: 'HALF' } })).length,
      ).toBeGreaterThan(0);
      const runs = await w.select('pipeline_runs', { where: { run_id: String(runId) } });
      const stages = (t: string) =>
        runs
          .filter((r) => r.ticker === t)
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
    });
    // The model ran in its own process, on a backend it logged.
    expect(chain.logs.join('')).toMatch(/stockopsModel: .*TensorFlow\.js backend selected/);
  }, 600_000);

  it('the same message published twice changes no row', async () => {
    const before = await snapshot();
    const first = chain.done.find((d) => d.data.ticker === 'SP500');
    const msg = { runId: first?.data.runId, date: DATE, ticker: 'SP500' };
    const n = chain.done.length;
    await chain.publish(chain.topics.ingest, msg);
    await chain.publish(chain.topics.ingest, msg);
    await eventually(
      () => chain.done.length >= n + 2,
      () => `${chain.done.length - n} of 2 redeliveries done`,
      300_000,
    );
    expect(chain.done.slice(n).map((d) => d.data.status)).toEqual(['ok', 'ok']);
    expect(await snapshot()).toEqual(before);
  }, 400_000);

  it('a poison message ends on the dead-letter topic with the reason, acknowledged, not retried', async () => {
    const posted = chain.bridge.posts.length;
    const id = await chain.publishRaw(chain.topics.ingest, Buffer.from('{not json'));
    await eventually(
      () => chain.dead.length >= 1,
      () => 'nothing on the dead-letter topic',
      60_000,
    );
    expect(chain.dead[0]?.attributes).toMatchObject({ function: 'stockopsIngest' });
    expect(chain.dead[0]?.attributes.reason).toMatch(
      /^stockopsIngest: message data is not base64-encoded JSON/,
    );
    expect(chain.dead[0]?.data).toMatchObject({ message: { messageId: id } });
    // Delivered once and answered 2xx: acknowledged, so Pub/Sub does not redeliver it.
    await new Promise((r) => setTimeout(r, 3000));
    const mine = chain.bridge.posts.slice(posted).filter((p) => p.messageId === id);
    expect(mine).toEqual([{ topic: chain.topics.ingest, messageId: id, status: 204 }]);
  }, 120_000);
});
