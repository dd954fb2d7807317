/**
 * The three functions as real processes (scripts/functions/serve.ts) on the Pub/Sub emulator,
 * chained by the Eventarc bridge: schedule → ingest → model → done, with embedded DuckDB (shared
 * by the processes) and a local artifact folder. Tickers: SP500 (bundled), HALF (a CSV made from
 * the bundled series, prices halved) and NOPE (unknown: fails at ingest).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBundledSource } from '../../pipelines/ports/market-data/bundled.js';
import { topicsFor } from '../../pipelines/ports/bus/topics.js';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import type { Warehouse } from '../../pipelines/ports/warehouse/port.js';
import { eventually } from '../contract/bus.contract.js';
import { startPubSubEmulator, freePort, type PubSubEmulator } from '../support/emulators/pubsub.js';
import { repoRoot } from '../support/paths.js';
import { startBridge, type Bridge } from '../support/pubsub-bridge.js';
import { WALL_CLOCK } from '../support/tables.js';
import { tables, type TableName } from '../../pipelines/ports/warehouse/schema.js';

const DATE = '2020-04-17';
const PROJECT = 'stockops-it';
const PREFIX = `it${Date.now().toString(36)}`;
const T = topicsFor({ kind: 'memory', topicPrefix: PREFIX });
const FUNCTIONS = {
  stockopsSchedule: T.schedule,
  stockopsIngest: T.ingest,
  stockopsModel: T.model,
};

interface Received {
  data: Record<string, unknown>;
  attributes: Record<string, string>;
}

describe('the functions as processes on Pub/Sub (pstest), chained by the Eventarc bridge', () => {
  let emulator: PubSubEmulator;
  let bridge: Bridge;
  let client: PubSub;
  const procs: ChildProcess[] = [];
  const logs: string[] = [];
  const done: Received[] = [];
  const dead: Received[] = [];
  let dbPath = '';

  const collect = async (topic: string, into: Received[]) => {
    const t = client.topic(topic);
    if (!(await t.exists())[0]) await t.create();
    const [sub] = await t.createSubscription(`${topic}-test`);
    sub.on('message', (m: Message) => {
      into.push({
        data: JSON.parse(m.data.toString('utf8')) as Record<string, unknown>,
        attributes: m.attributes,
      });
      m.ack();
    });
  };

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
    client = new PubSub({ projectId: PROJECT, apiEndpoint: emulator.host, emulatorMode: true });
    const dir = await mkdtemp(join(tmpdir(), 'stockops-fnps-'));
    dbPath = join(dir, 'warehouse.duckdb');
    const csvDir = join(dir, 'csv');
    const raw = await createBundledSource().fetch('SP500', { from: '2018-06-01', to: DATE });
    const half = (v: number) => Number((v / 2).toFixed(4));
    await import('node:fs/promises').then((fs) => fs.mkdir(csvDir));
    await writeFile(
      join(csvDir, 'HALF.csv'),
      [
        'Date,Open,High,Low,Close,Adj Close,Volume',
        ...raw.map((b) =>
          [
            b.date,
            half(b.open),
            half(b.high),
            half(b.low),
            half(b.close),
            half(b.adjClose ?? b.close),
            b.volume,
          ].join(','),
        ),
      ].join('\n'),
    );
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        watchlist: ['SP500', 'HALF', 'NOPE'],
        source: { kind: 'csv', csvDir, startDate: '2018-06-01' },
        model: { units: 16, epochs: 2, trainDays: 200 },
      }),
    );
    const env = {
      ...process.env,
      STOCKOPS_CONFIG: config,
      STOCKOPS_DATA_DIR: dir,
      STOCKOPS_DUCKDB_SHARED: '1',
      STOCKOPS_BUS: 'pubsub',
      STOCKOPS_TOPIC_PREFIX: PREFIX,
      GOOGLE_CLOUD_PROJECT: PROJECT,
      PUBSUB_EMULATOR_HOST: emulator.host,
      METADATA_SERVER_DETECTION: 'none',
    };
    const routes = [];
    for (const [name, topic] of Object.entries(FUNCTIONS)) {
      const port = await freePort();
      const p = spawn(
        join(repoRoot, 'node_modules', '.bin', 'tsx'),
        ['scripts/functions/serve.ts', name, String(port)],
        {
          cwd: repoRoot,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      procs.push(p);
      let out = '';
      const ready = new Promise<void>((resolve, reject) => {
        p.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          logs.push(`${name}: ${b.toString()}`);
          if (out.includes('listening on')) resolve();
        });
        p.stderr.on('data', (b: Buffer) => logs.push(`${name}: ${b.toString()}`));
        p.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${logs.join('')}`)));
      });
      await ready;
      routes.push({ topic, url: `http://127.0.0.1:${port}/`, deadLetterTopic: T.deadLetter });
    }
    await collect(T.done, done);
    await collect(T.deadLetter, dead);
    bridge = await startBridge({ host: emulator.host, projectId: PROJECT, routes });
  }, 300_000);

  afterAll(async () => {
    await bridge?.stop();
    await client?.close();
    for (const p of procs) {
      if (p.exitCode === null) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await gone;
      }
    }
    await emulator?.stop();
  });

  it('a scheduler message runs every ticker to the done topic; a failing one never blocks the others', async () => {
    await client.topic(T.schedule).publishMessage({ json: { date: DATE } });
    await eventually(
      () => done.length >= 3,
      () => `${done.length} done; ${logs.join('').slice(-3000)}`,
      540_000,
    );
    const byTicker = new Map(done.map((d) => [d.data.ticker, d]));
    if (byTicker.get('SP500')?.data.status !== 'ok') {
      console.error(JSON.stringify(done, null, 1), logs.join('').slice(-6000));
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
    for (const d of done) {
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
    expect(logs.join('')).toMatch(/stockopsModel: .*TensorFlow\.js backend selected/);
  }, 600_000);

  it('the same message published twice changes no row', async () => {
    const before = await snapshot();
    const first = done.find((d) => d.data.ticker === 'SP500');
    const msg = { runId: first?.data.runId, date: DATE, ticker: 'SP500' };
    const n = done.length;
    await client.topic(T.ingest).publishMessage({ json: msg });
    await client.topic(T.ingest).publishMessage({ json: msg });
    await eventually(
      () => done.length >= n + 2,
      () => `${done.length - n} of 2 redeliveries done`,
      300_000,
    );
    expect(done.slice(n).map((d) => d.data.status)).toEqual(['ok', 'ok']);
    expect(await snapshot()).toEqual(before);
  }, 400_000);

  it('a poison message ends on the dead-letter topic with the reason, acknowledged, not retried', async () => {
    const posted = bridge.posts.length;
    const id = await client.topic(T.ingest).publishMessage({ data: Buffer.from('{not json') });
    await eventually(
      () => dead.length >= 1,
      () => 'nothing on the dead-letter topic',
      60_000,
    );
    expect(dead[0]?.attributes).toMatchObject({ function: 'stockopsIngest' });
    expect(dead[0]?.attributes.reason).toMatch(
      /^stockopsIngest: message data is not base64-encoded JSON/,
    );
    expect(dead[0]?.data).toMatchObject({ message: { messageId: id } });
    // Delivered once and answered 2xx: acknowledged, so Pub/Sub does not redeliver it.
    await new Promise((r) => setTimeout(r, 3000));
    const mine = bridge.posts.slice(posted).filter((p) => p.messageId === id);
    expect(mine).toEqual([{ topic: T.ingest, messageId: id, status: 204 }]);
  }, 120_000);
});
