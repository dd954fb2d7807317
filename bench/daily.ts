/**
 * Child: one day of the real daily batch (runDaily on embedded defaults in a temp folder), timed
 * per phase, with the mean duration of each stage per ticker from `pipeline_runs`.
 *
 * With --clone-to, the champion the first ticker has after the run is registered, unchanged, as the
 * champion of each listed ticker (artifacts copied, registry version and alias created): the batch
 * can then be timed on loaded models without training every ticker.
 *
 *   tsx bench/daily.ts --data-dir <tmp> --csv-dir <tmp/csv> --date 2017-11-02 --tickers S001,S002 \
 *     --epochs 3 [--clone-to S002,S003] [--lstm auto|fused|bptt|layers] [--concurrency 2]
 */
import { openCatalog, type Catalog } from '../pipelines/catalog.js';
import { loadConfig } from '../pipelines/config.js';
import { runDaily } from '../pipelines/daily.js';
import { nullLogger } from '../pipelines/log.js';
import { ensureBackend } from '../pipelines/model/runtime/backend.js';
import { ARTIFACT_KEY_TAG, registeredModelName } from '../pipelines/model/step.js';
import {
  forceLstmImplementation,
  lstmImplementation,
  type LstmImplementation,
} from '../pipelines/model/network/lstm.js';
import { emit, flags, round, threadEnv } from './child.js';

const f = flags({
  'data-dir': undefined,
  'csv-dir': undefined,
  date: undefined,
  tickers: undefined,
  epochs: undefined,
  'clone-to': '',
  lstm: 'auto',
  concurrency: '2',
});
if (f.lstm !== 'auto') forceLstmImplementation(f.lstm as LstmImplementation);
const tickers = f.tickers.split(',');
const cloneTo = f['clone-to'] ? f['clone-to'].split(',') : [];

const config = loadConfig({
  env: { STOCKOPS_DATA_DIR: f['data-dir'] },
  overrides: {
    watchlist: tickers,
    concurrency: Number(f.concurrency),
    source: { kind: 'csv', csvDir: f['csv-dir'] },
    // Fewer epochs keep the one training run short; every run of the bench uses the same value,
    // since it is part of the config hash a loaded champion must match.
    // No drift- or accuracy-driven retrain during the few timed days: each timed day must load.
    model: { epochs: Number(f.epochs), retrainCooldownDays: 3650 },
  },
});

const sinceStart = (): number => performance.now() / 1000;
const startupS = sinceStart();
let t0 = performance.now();
const cat = await openCatalog(config, { log: nullLogger });
const openS = (performance.now() - t0) / 1000;
t0 = performance.now();
const backend = await ensureBackend(config.model.backend);
const backendS = (performance.now() - t0) / 1000;
t0 = performance.now();
const summary = await runDaily(cat, { date: f.date, tickers });
const runS = (performance.now() - t0) / 1000;

const rows = await cat.warehouse.select('pipeline_runs', { where: { run_id: summary.runId } });
const stageMs: Record<string, number> = {};
for (const r of rows) stageMs[r.stage] = (stageMs[r.stage] ?? 0) + r.duration_ms / tickers.length;

async function cloneChampion(c: Catalog, from: string, to: readonly string[]): Promise<void> {
  const champion = await c.tracker.registry.getByAlias(registeredModelName(from), 'champion');
  const key = champion?.tags[ARTIFACT_KEY_TAG];
  if (!champion || !key) throw new Error(`${from} has no champion to clone`);
  const label = key.split('/').at(-1) ?? key;
  const files = await c.store.list(`${key}/`);
  for (const t of to) {
    const target = `models/${t}/${label}`;
    for (const file of files) {
      const bytes = await c.store.get(file);
      if (bytes) await c.store.put(`${target}${file.slice(key.length)}`, bytes);
    }
    const name = registeredModelName(t);
    const v = await c.tracker.registry.createVersion(name, {
      source: c.store.uri(target),
      tags: { ...champion.tags, [ARTIFACT_KEY_TAG]: target, ticker: t },
    });
    await c.tracker.registry.setAlias(name, 'champion', v.version);
  }
}
t0 = performance.now();
if (cloneTo.length) await cloneChampion(cat, tickers[0] ?? '', cloneTo);
const cloneS = (performance.now() - t0) / 1000;
await cat.close();

const ok = summary.results.filter((r) => r.status === 'ok');
const count = (d: string) => ok.filter((r) => r.decision === d).length;
emit({
  date: f.date,
  tickers: tickers.length,
  concurrency: config.concurrency,
  backend: backend.name,
  lstm: lstmImplementation(),
  threads: threadEnv(),
  ok: ok.length,
  failed: summary.results
    .filter((r) => r.status === 'failed')
    .map((r) => `${r.ticker}: ${r.error ?? ''}`)
    .slice(0, 3),
  decisions: { train: count('train'), load: count('load') },
  servingVersion: ok[0]?.modelVersion ?? null,
  startupS: round(startupS),
  openCatalogS: round(openS),
  backendS: round(backendS),
  runS: round(runS),
  perTickerS: round(runS / tickers.length),
  stageMsPerTicker: Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, round(v, 1)])),
  cloned: cloneTo.length,
  cloneS: round(cloneS),
});
