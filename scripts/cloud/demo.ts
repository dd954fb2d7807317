/**
 * `make cloud-demo` (after `make up`): the scheduler's message through emulated Pub/Sub, the three
 * functions as processes, emulated BigQuery and Cloud Storage, for the demo tickers on one date. Prints
 * the rows read back per table and the objects in the bucket; then delivers the same ticker messages
 * again (same runId, date, ticker: what an at-least-once redelivery is) and shows nothing changed.
 *   tsx scripts/cloud/demo.ts [date]
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { createGcsObjectStore } from '../../pipelines/ports/object-store/gcs.js';
import { createBigQueryWarehouse } from '../../pipelines/ports/warehouse/bigquery.js';
import { startCloudChain } from './harness.js';
import { writeHalfCsv } from './half-csv.js';
import { bucketSnapshot, byPrefix, rowCounts, warehouseSnapshot } from './read-back.js';
import { isDeepStrictEqual } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const ENV_FILE = resolve(ROOT, '.data/emulators.env');
const CONFIG = 'stockops.cloud-demo.json';
const DATE = process.argv[2] ?? '2020-04-17';
const BUCKET = 'stockops-demo';
const DATASET = 'stockops_demo';

if (!existsSync(ENV_FILE)) {
  console.error(
    'cloud-demo: .data/emulators.env is missing: run `make up` first (and `make down` after).',
  );
  process.exit(1);
}
const emu = Object.fromEntries(
  readFileSync(ENV_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
) as Record<string, string>;
const project = emu.GOOGLE_CLOUD_PROJECT ?? 'stockops-local';
const gcsEndpoint = (emu.STORAGE_EMULATOR_HOST ?? '').replace(/\/storage\/v1\/?$/, '');
const bqHost = emu.BIGQUERY_EMULATOR_HOST ?? '';
const psHost = emu.PUBSUB_EMULATOR_HOST ?? '';
process.env.METADATA_SERVER_DETECTION = 'none';

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(0);
const config = JSON.parse(readFileSync(resolve(ROOT, CONFIG), 'utf8')) as {
  watchlist: string[];
  source: { csvDir: string; startDate: string };
};
await new Storage({ apiEndpoint: gcsEndpoint, projectId: project })
  .createBucket(BUCKET)
  .catch((e: { code?: number }) => {
    if (e.code !== 409) throw e;
  });

const LOG = resolve(ROOT, '.data/cloud-demo/functions.log');
// The functions' local state (tracking, model registry) starts empty, like the bucket and dataset
// of a fresh `make up`; otherwise the registry would name versions this bucket never held.
rmSync(resolve(ROOT, '.data/cloud-demo'), { recursive: true, force: true });
mkdirSync(resolve(ROOT, '.data/cloud-demo'), { recursive: true });
await writeHalfCsv(resolve(ROOT, config.source.csvDir), config.source.startDate, DATE);
const chain = await startCloudChain({
  onLog: (line) => appendFileSync(LOG, line),
  pubsubHost: psHost,
  projectId: project,
  topicPrefix: `demo-${Date.now().toString(36)}`,
  env: {
    ...process.env,
    STOCKOPS_CONFIG: CONFIG,
    STOCKOPS_DATA_DIR: '.data/cloud-demo',
    STOCKOPS_WAREHOUSE: 'bigquery',
    STOCKOPS_BQ_DATASET: DATASET,
    BIGQUERY_EMULATOR_HOST: bqHost,
    STOCKOPS_BUCKET: BUCKET,
    STORAGE_EMULATOR_HOST: emu.STORAGE_EMULATOR_HOST,
  },
});
const warehouse = createBigQueryWarehouse({
  projectId: project,
  dataset: DATASET,
  apiEndpoint: bqHost.replace(/\/bigquery\/v2\/?$/, ''),
});
const store = createGcsObjectStore({
  bucket: BUCKET,
  apiEndpoint: gcsEndpoint,
  projectId: project,
});
try {
  const n = config.watchlist.length;
  console.log(
    `publishing {"date":"${DATE}"} to ${chain.topics.schedule} (tickers ${config.watchlist.join(', ')})`,
  );
  await chain.publish(chain.topics.schedule, { date: DATE });
  await chain.waitFor(
    () => chain.done.length >= n,
    () => `${chain.done.length} of ${n} done`,
    900_000,
  );
  console.log(`(the functions' logs: ${LOG})`);
  console.log(`\ndone messages after ${secs()} s:`);
  for (const d of chain.done) {
    const r = d.data;
    console.log(
      `  ${String(r.ticker).padEnd(6)} ${String(r.status)} ${JSON.stringify(r.decision ?? r.failedStage ?? '')} run ${String(r.runId)}`,
    );
  }
  console.log('\nBigQuery rows per table (read back):');
  for (const [t, c] of Object.entries(await rowCounts(warehouse)))
    console.log(`  ${t.padEnd(16)} ${c}`);
  const objects = await bucketSnapshot(store);
  console.log(`\ngs://${BUCKET} objects:`);
  for (const [prefix, keys] of Object.entries(byPrefix(Object.keys(objects)))) {
    console.log(`  ${prefix.padEnd(15)} ${keys.length}  e.g. ${keys.slice(0, 3).join(', ')}`);
  }

  const rows = await warehouseSnapshot(warehouse);
  const runs = (await warehouse.select('pipeline_runs', {})).length;
  const again = chain.done.map((d) => ({
    runId: d.data.runId,
    date: d.data.date,
    ticker: d.data.ticker,
  }));
  console.log(
    `\nredelivering the same ${again.length} ticker messages (same runId, date, ticker) to ${chain.topics.ingest}`,
  );
  for (const m of again) await chain.publish(chain.topics.ingest, m);
  await chain.waitFor(
    () => chain.done.length >= 2 * n,
    () => `${chain.done.length - n} of ${n} redone`,
    900_000,
  );
  const sameRows = isDeepStrictEqual(await warehouseSnapshot(warehouse), rows);
  const sameObjects = isDeepStrictEqual(await bucketSnapshot(store), objects);
  const runsAfter = (await warehouse.select('pipeline_runs', {})).length;
  console.log(
    `  done again: ${chain.done
      .slice(n)
      .map((d) => `${String(d.data.ticker)} ${String(d.data.status)}`)
      .join(', ')}`,
  );
  console.log(
    `  rows (every table but pipeline_runs, ingested_at aside): ${sameRows ? 'unchanged' : 'CHANGED'}`,
  );
  console.log(`  objects (keys and bytes): ${sameObjects ? 'unchanged' : 'CHANGED'}`);
  console.log(`  pipeline_runs (append-only, one row per attempt): ${runs} → ${runsAfter}`);
  console.log(`\ncloud-demo took ${secs()} s`);
  if (!sameRows || !sameObjects || chain.done.some((d) => d.data.status !== 'ok'))
    process.exitCode = 2;
} finally {
  await chain.stop();
  await warehouse.close();
}
