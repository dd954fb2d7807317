/**
 * `make scale-test [TICKERS=N]`: runs the scale test (scripts/scale/run.ts), prints the report's
 * headline and the cost table, and writes the whole report to .data/scale/report.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runScaleTest } from './run.js';

const tickers = Number(process.env.TICKERS ?? process.argv[2] ?? 20);
if (!Number.isInteger(tickers) || tickers < 1) {
  console.error(`scale-test: TICKERS must be a positive integer, got "${process.env.TICKERS}"`);
  process.exit(1);
}
const out = resolve(import.meta.dirname, '../../.data/scale');
const report = await runScaleTest({ tickers, log: (l) => console.log(l) });
mkdirSync(out, { recursive: true });
writeFileSync(resolve(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
const { per_table, projected, cost, measured, ...head } = report;
console.log(JSON.stringify(head, null, 2));
console.log('\nper table (this run): load_jobs mutating_dml other_jobs');
for (const [t, c] of Object.entries(per_table))
  console.log(`  ${t.padEnd(17)} ${c.load_jobs} ${c.mutating_dml} ${c.other_jobs}`);
console.log(`\nat ${projected.tickers} tickers (staged / old, limit):`);
for (const r of projected.rules)
  console.log(
    `  ${r.rule}: ${r.staged} / ${r.old}, limit ${r.limit} -> staged ${r.staged_within ? 'within' : 'OVER'}, old ${r.old_within ? 'within' : 'OVER'}`,
  );
console.log(`  within_limits: ${projected.within_limits}`);
console.log(`\nmeasured: ${JSON.stringify(measured)}`);
console.log(`\ncost of a day (USD, list prices of ${cost.prices.date}):`);
for (const d of cost.days)
  console.log(
    `  ${String(d.tickers).padStart(5)} ${d.design.padEnd(28)} functions ${d.usd.functions}  BigQuery ${d.usd.bigquery_compute} (${(d.bq_bytes_processed / 1024 ** 3).toFixed(2)} GiB)  storage ${d.usd.storage_per_day}  GCS ops ${d.usd.gcs_ops}  total ${d.usd.total}`,
  );
console.log(`\nwrote ${resolve(out, 'report.json')}`);
// A ticker may fail for good (recorded, reported on the done topic); none may be lost or dead-lettered.
const bad =
  report.ok + report.failed !== tickers ||
  report.dead_lettered > 0 ||
  report.redelivery_changed_rows !== 0 ||
  !projected.within_limits;
process.exitCode = bad ? 2 : 0;
