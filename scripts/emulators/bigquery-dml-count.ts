/**
 * Counts what the daily pipeline sends BigQuery per ticker-day: DML statements (MERGE, DELETE),
 * load jobs and query jobs, per table. Runs the real pipeline (bundled SP500, a small model) through
 * the catalog against the emulator on a free port, for two consecutive days: the first trains, the
 * second loads the model. A measurement, not a test.
 *   npx tsx scripts/emulators/bigquery-dml-count.ts [date1 date2]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openCatalog } from '../../pipelines/catalog.js';
import { loadConfig } from '../../pipelines/config.js';
import { runDaily } from '../../pipelines/daily.js';
import { nullLogger } from '../../pipelines/log.js';
import type { BigQueryWarehouse } from '../../pipelines/ports/warehouse/bigquery.js';

const ROOT = resolve(import.meta.dirname, '../..');
const [day1 = '2020-04-16', day2 = '2020-04-17'] = process.argv.slice(2);

const port = await new Promise<number>((res) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const a = srv.address();
    srv.close(() => res(typeof a === 'object' && a ? a.port : 0));
  });
});
const emulator = spawn(join(ROOT, 'scripts/emulators/bigquery.sh'), ['start', String(port)], {
  stdio: 'ignore',
  detached: true,
});
const stop = (): void => {
  if (emulator.pid) process.kill(-emulator.pid, 'SIGKILL');
};
const dir = mkdtempSync(join(tmpdir(), 'stockops-dml-'));
try {
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/bigquery/v2/projects/x/datasets`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error('the emulator did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  const config = loadConfig({
    env: {
      STOCKOPS_DATA_DIR: dir,
      STOCKOPS_WAREHOUSE: 'bigquery',
      GOOGLE_CLOUD_PROJECT: 'stockops-local',
      BIGQUERY_EMULATOR_HOST: `127.0.0.1:${port}`,
    },
    overrides: { model: { units: 16, epochs: 2, trainDays: 200 } },
  });
  const cat = await openCatalog(config, { log: nullLogger });
  const w = cat.warehouse as BigQueryWarehouse;
  for (const date of [day1, day2]) {
    w.resetStats();
    const t0 = Date.now();
    const summary = await runDaily(cat, { date, tickers: ['SP500'] });
    const r = summary.results[0];
    const s = w.stats();
    console.log(
      `${date} SP500 ${r?.status ?? '?'}${r?.error ? ` (${r.error})` : ''}: ` +
        `${s.dmlStatements} DML statements, ${s.loadJobs} load jobs, ${s.queryJobs} query jobs ` +
        `in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const [table, c] of Object.entries(s.byTable)) {
      console.log(`  ${table.padEnd(16)} ${c.dmlStatements} DML, ${c.loadJobs} load jobs`);
    }
  }
  await cat.close();
} finally {
  stop();
  rmSync(dir, { recursive: true, force: true });
}
