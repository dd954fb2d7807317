/**
 * The fan-out load test (`make scale-test`): the scheduler's message for N synthetic tickers through
 * emulated Pub/Sub, the four functions as real processes (schedule, ingest, model, and the fan-in
 * commit), emulated BigQuery behind the limits model (scripts/emulators/bigquery-limits.ts) and
 * emulated Cloud Storage, writes staged. Then every ticker and done message again (a redelivery of
 * the whole day) must change no row. Returns the report that main.ts writes to .data/scale/.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGcsObjectStore } from '../../pipelines/ports/object-store/gcs.js';
import { createBigQueryWarehouse } from '../../pipelines/ports/warehouse/bigquery.js';
import {
  baseType,
  columnsOf,
  tables,
  type TableName,
} from '../../pipelines/ports/warehouse/schema.js';
import { startBigQueryEmulator } from '../../tests/support/emulators/bigquery.js';
import { startGcsEmulator } from '../../tests/support/emulators/gcs.js';
import { startPubSubEmulator } from '../../tests/support/emulators/pubsub.js';
import { FUNCTION_NAMES, startCloudChain } from '../cloud/harness.js';
import { warehouseSnapshot, type Rows } from '../cloud/read-back.js';
import {
  BIGQUERY_LIMITS,
  startBigQueryLimits,
  type TableCounts,
} from '../emulators/bigquery-limits.js';
import { dayCost, logicalBytes, PRICES, type DayCost, type Measured } from './cost.js';
import { writeSyntheticSeries } from './series.js';
import { projectLimits, type Projection } from './project.js';

const DATE = '2020-04-17';
const FROM = '2018-06-01';
const PROJECT = 'stockops-scale';
const DATASET = 'stockops_scale';
const BUCKET = 'stockops-scale';
const LOG = join(import.meta.dirname, '../../.data/scale/functions.log');
const HALVES = { ingest: ['ingest', 'features'], model: ['model', 'forecast', 'drift', 'record'] };

export interface ScaleReport {
  tickers: number;
  ok: number;
  failed: number;
  dead_lettered: number;
  wall_s: number;
  model: Record<string, unknown>;
  per_table: Record<string, TableCounts>;
  per_table_redelivery: Record<string, TableCounts>;
  refused: Record<string, number>;
  redelivery_changed_rows: number;
  staged_batches_left: number;
  measured: Measured;
  projected: Projection;
  cost: { prices: typeof PRICES; days: DayCost[] };
}

/** Rows in one snapshot and not the other, over every table. */
function changedRows(a: Record<string, Rows>, b: Record<string, Rows>): number {
  let n = 0;
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const left = new Set((a[t] ?? []).map((r) => JSON.stringify(r)));
    const right = new Set((b[t] ?? []).map((r) => JSON.stringify(r)));
    for (const r of left) if (!right.has(r)) n++;
    for (const r of right) if (!left.has(r)) n++;
  }
  return n;
}

export async function runScaleTest(opts: {
  tickers: number;
  log?: (line: string) => void;
}): Promise<ScaleReport> {
  const say = opts.log ?? (() => undefined);
  process.env.METADATA_SERVER_DETECTION = 'none';
  const dir = await mkdtemp(join(tmpdir(), 'stockops-scale-'));
  mkdirSync(join(LOG, '..'), { recursive: true });
  rmSync(LOG, { force: true });
  const [ps, bq, gcs] = await Promise.all([
    startPubSubEmulator(),
    startBigQueryEmulator(),
    startGcsEmulator(),
  ]);
  const limits = await startBigQueryLimits({ target: bq.endpoint });
  const stops: (() => Promise<unknown>)[] = [
    () => Promise.all([ps.stop(), bq.stop(), gcs.stop(), limits.stop()]),
  ];
  try {
    await gcs.createBucket(BUCKET);
    const tickers = await writeSyntheticSeries(join(dir, 'csv'), opts.tickers, FROM, DATE);
    // The smallest model the config allows to train (2 cores cannot train N real LSTMs): said in docs.
    const model = { units: 8, epochs: 1, trainDays: 200 };
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        watchlist: tickers,
        source: { kind: 'csv', csvDir: join(dir, 'csv'), startDate: FROM },
        model,
        serving: { ensembleSize: 1 },
      }),
    );
    const chain = await startCloudChain({
      pubsubHost: ps.host,
      projectId: PROJECT,
      topicPrefix: `scale${Date.now().toString(36)}`,
      functions: [...FUNCTION_NAMES, 'stockopsCommit'],
      onLog: (line) => appendFileSync(LOG, line),
      maxDeliveryAttempts: 5,
      backoffSeconds: { min: 1, max: 2 },
      env: {
        ...process.env,
        STOCKOPS_CONFIG: config,
        STOCKOPS_DATA_DIR: dir,
        STOCKOPS_WAREHOUSE: 'bigquery',
        STOCKOPS_WAREHOUSE_WRITES: 'staged',
        STOCKOPS_BQ_DATASET: DATASET,
        BIGQUERY_EMULATOR_HOST: `${limits.endpoint}/bigquery/v2`,
        STOCKOPS_BUCKET: BUCKET,
        STORAGE_EMULATOR_HOST: `${gcs.endpoint}/storage/v1`,
      },
    });
    stops.unshift(() => chain.stop());
    // Read back past the limits model, so the read-back does not count as the run's jobs.
    const warehouse = createBigQueryWarehouse({
      projectId: PROJECT,
      dataset: DATASET,
      apiEndpoint: bq.endpoint,
    });
    const store = createGcsObjectStore({
      bucket: BUCKET,
      apiEndpoint: gcs.endpoint,
      projectId: PROJECT,
    });
    const commits = () =>
      chain.bridge.posts.filter((p) => p.topic === chain.topics.done && p.status < 300).length;
    // Distinct tickers: a ticker retried after a transient failure may report twice.
    const republished = new Set<string>();
    const tickersIn = (from: number) =>
      new Set([
        ...chain.done
          .slice(from)
          .filter((d) => !republished.has(d.messageId))
          .map((d) => String(d.data.ticker)),
        // Dead-lettered by Pub/Sub: the ticker message itself.
        ...chain.dead.map((d) => (typeof d.data.ticker === 'string' ? d.data.ticker : d.messageId)),
      ]).size;
    const settled = () => tickersIn(0) >= opts.tickers && commits() >= chain.done.length;
    const waitMs = Math.max(600_000, opts.tickers * 30_000);

    const t0 = Date.now();
    limits.reset();
    say(`publishing {"date":"${DATE}"} for ${opts.tickers} tickers`);
    await chain.publish(chain.topics.schedule, { date: DATE });
    const progress = setInterval(
      () => say(`  ${tickersIn(0)}/${opts.tickers} tickers done, ${commits()} reports taken`),
      15_000,
    );
    try {
      await chain.waitFor(settled, () => `${tickersIn(0)} tickers done`, waitMs);
    } finally {
      clearInterval(progress);
    }
    const wallS = (Date.now() - t0) / 1000;
    const run = limits.stats();
    // One done message per ticker (the last): what the redelivery publishes again.
    const first = [...new Map(chain.done.map((d) => [String(d.data.ticker), d])).values()];
    const doneBefore = chain.done.length;
    const before = await warehouseSnapshot(warehouse);
    const runs = await warehouse.select('pipeline_runs', {});

    say('redelivering every ticker message and every done message of the day');
    limits.reset();
    const n = first.length;
    await Promise.all(
      first.map((d) =>
        chain.publish(chain.topics.ingest, {
          runId: d.data.runId,
          date: d.data.date,
          ticker: d.data.ticker,
        }),
      ),
    );
    for (const id of await Promise.all(first.map((d) => chain.publish(chain.topics.done, d.data))))
      republished.add(id);
    await chain.waitFor(
      // chain.done holds every done message, the ones published again here included.
      () => tickersIn(doneBefore) >= n && commits() >= chain.done.length,
      () => `${tickersIn(doneBefore)} of ${n} redone, ${commits()} reports`,
      waitMs,
    );
    // The run was committed once: what the redelivery staged reaches the tables with the flush.
    await chain.publish(chain.topics.done, { flush: true });
    const flushAt = commits();
    await chain.waitFor(
      () => commits() >= flushAt + 1,
      () => 'the follow-up flush',
      waitMs,
    );
    const redelivery = limits.stats();
    const after = await warehouseSnapshot(warehouse);
    const left = (await store.list('warehouse-staging/batches/')).length;

    // Measured: stage seconds per half (first attempts), fan-in seconds, bytes per ticker.
    const seconds = (stages: string[]) =>
      runs
        .filter((r) => stages.includes(r.stage) && r.status === 'ok')
        .reduce((s, r) => s + r.duration_ms / 1000, 0) / Math.max(1, n);
    const commitLine = chain.logs
      .join('')
      .split('\n')
      .map((l) => l.slice(l.indexOf('{')))
      .find((l) => l.includes('fan-in: run complete'));
    const commitSeconds = commitLine
      ? Number((JSON.parse(commitLine) as { seconds: number }).seconds)
      : 0;
    const bytesPerTicker: Record<string, number> = {};
    for (const name of Object.keys(tables) as TableName[]) {
      const rows = name === 'pipeline_runs' ? runs : (before[name] ?? []);
      const types = Object.fromEntries(columnsOf(name).map(([c, t]) => [c, baseType(t)]));
      const bytes = (rows as Record<string, unknown>[]).reduce(
        (s, r) =>
          s + Object.entries(r).reduce((x, [c, v]) => x + logicalBytes(v, types[c] ?? 'STRING'), 0),
        0,
      );
      if (bytes > 0) bytesPerTicker[name] = Math.round(bytes / Math.max(1, n));
    }
    const modelKeys = (await store.list('models/')).filter((k) => !k.endsWith('/'));
    let modelBytes = 0;
    for (const k of modelKeys) modelBytes += (await store.get(k))?.length ?? 0;
    const reads = Object.values(run.perTable).reduce((s, t) => s + t.other_jobs, 0);
    const measured: Measured = {
      ingestSeconds: seconds(HALVES.ingest),
      modelSeconds: seconds(HALVES.model),
      commitSeconds,
      bytesPerTicker,
      readsPerTicker: reads / Math.max(1, n),
      oldWritesPerTicker: 9,
      modelBytesPerTicker: modelBytes / Math.max(1, n),
    };
    const days = [50, 500, 5000].flatMap((t) => [
      dayCost(t, 'old', measured),
      dayCost(t, 'staged', measured),
    ]);
    return {
      tickers: opts.tickers,
      ok: first.filter((d) => d.data.status === 'ok').length,
      failed: first.filter((d) => d.data.status !== 'ok').length,
      dead_lettered: chain.dead.length,
      wall_s: Math.round(wallS * 10) / 10,
      model: { ...model, ensembleSize: 1, history: `${FROM}..${DATE}` },
      per_table: run.perTable,
      per_table_redelivery: redelivery.perTable,
      refused: { ...run.refused, ...redelivery.refused },
      redelivery_changed_rows: changedRows(before, after),
      staged_batches_left: left,
      measured,
      projected: projectLimits(opts.tickers, run, BIGQUERY_LIMITS, wallS),
      cost: { prices: PRICES, days },
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}
