/**
 * One-off measurement: one ticker through the ingest function's handler, then the model
 * function's (as stockopsModel runs it: bars and features read back), on the default model config.
 * Prints the training time and the process's peak RSS.   tsx scripts/functions/measure-model.ts [TICKER] [DATE]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onIngest, onModel } from '../../functions/handlers.js';
import { openCatalog } from '../../pipelines/catalog.js';
import { loadConfig } from '../../pipelines/config.js';
import { createLogger } from '../../pipelines/log.js';

const [ticker = 'SP500', date = '2020-04-17'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'stockops-measure-'));
const cat = await openCatalog(loadConfig({ env: { ...process.env, STOCKOPS_DATA_DIR: dir } }), {
  log: createLogger({ json: true }),
});
const msg = { runId: `measure-${date}`, date, ticker };
const t0 = Date.now();
const ingested = await onIngest(msg, cat);
const t1 = Date.now();
const rssAfterIngest = process.resourceUsage().maxRSS / 1024;
const result = await onModel(msg, cat);
const t2 = Date.now();
console.log(
  JSON.stringify({
    ticker,
    date,
    ingest: ingested.status,
    model: result.status,
    decision: result.decision,
    backend: result.backend,
    ingestSeconds: (t1 - t0) / 1000,
    modelHalfSeconds: (t2 - t1) / 1000,
    peakRssMiBAfterIngest: Math.round(rssAfterIngest),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await cat.close();
