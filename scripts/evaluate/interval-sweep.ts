/**
 * The measurement behind docs/intervals.md: re-scores `make evaluate`'s six series from the forecasts
 * an earlier `stockops evaluate` cached (nothing is trained) under several interval settings, and
 * prints the served coverage overall and in the worst 250-session window of each.
 *
 *   STOCKOPS_DATA_DIR=.data/evaluate tsx scripts/evaluate/interval-sweep.ts CONFIG.json [VARIANTS.json]
 *
 * CONFIG is the config the cache was built with (its model section keys the cache); VARIANTS a JSON
 * object of name → serving overrides (default: today's defaults only).
 */
import { readFileSync } from 'node:fs';
import { loadConfig, type Config } from '../../pipelines/config.js';
import { configHash } from '../../pipelines/model/fit.js';
import { hashBars } from '../../pipelines/model/lineage.js';
import { computeIndicators } from '../../pipelines/features/indicators.js';
import { adjustBars } from '../../pipelines/ingest/adjust.js';
import { checkContract } from '../../pipelines/ingest/contract.js';
import { contractOptionsFor } from '../../pipelines/ingest/step.js';
import { createBundledSource } from '../../pipelines/ports/market-data/bundled.js';
import { createCsvFolderSource } from '../../pipelines/ports/market-data/csv-folder.js';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import { forecastsKey } from '../../pipelines/evaluate/run.js';
import { evaluateRows } from '../../pipelines/evaluate/report.js';
import { walkForward, type DatedForecast } from '../../pipelines/evaluate/walk-forward.js';

const SERIES = [
  { ticker: 'AAPL', from: '2008-01-02', to: '2018-01-19' },
  { ticker: 'GOOG', from: '2008-01-02', to: '2018-01-19' },
  { ticker: 'SPY', from: '2011-01-03', to: '2017-12-29' },
  { ticker: 'INTC', from: '1999-01-04', to: '2004-04-08' },
  { ticker: 'GE', from: '2005-01-03', to: '2015-06-08' },
  { ticker: 'SP500', from: '2005-01-03', to: '2020-04-17', bundled: true },
];

const [configFile, variantsFile] = process.argv.slice(2);
if (!configFile) throw new Error('usage: interval-sweep.ts CONFIG.json [VARIANTS.json]');
const cfg = loadConfig({ env: process.env, file: configFile });
const variants = (
  variantsFile ? JSON.parse(readFileSync(variantsFile, 'utf8')) : { defaults: {} }
) as Record<string, Partial<Config['serving']>>;
if (cfg.objectStore.kind !== 'local') throw new Error('interval-sweep reads a local object store');
const store = createLocalObjectStore({ dir: cfg.objectStore.dir });
const pct = (x: number | null | undefined) => (x == null ? '   – ' : (100 * x).toFixed(1));

for (const s of SERIES) {
  const source = s.bundled
    ? createBundledSource()
    : createCsvFolderSource({ dir: cfg.source.csvDir ?? '' });
  const raw = await source.fetch(s.ticker, { from: cfg.source.startDate, to: s.to });
  const checked = checkContract(s.ticker, raw, contractOptionsFor(s.ticker, s.to, cfg.contract));
  const bars = adjustBars(checked.valid.filter((b) => b.date <= s.to));
  const features = computeIndicators(bars, cfg.indicators);
  const minHistory = cfg.model.trainDays + cfg.lookback + Math.max(...cfg.horizons);
  const input = { from: s.from, to: s.to, retrainEvery: cfg.evaluation.retrainEvery, minHistory };
  const key = forecastsKey(
    s.ticker,
    input,
    configHash(cfg),
    hashBars(bars, bars[0]?.date ?? '', s.to),
  );
  const bytes = await store.get(key);
  if (!bytes) {
    console.log(`${s.ticker}: no cached forecasts at ${key}; run stockops evaluate first`);
    continue;
  }
  const cached = new Map(JSON.parse(new TextDecoder().decode(bytes)) as [string, DatedForecast][]);
  for (const [name, over] of Object.entries(variants)) {
    const rows = await walkForward({
      ...input,
      bars,
      features,
      horizons: cfg.horizons,
      serving: { ...cfg.serving, ...over },
      fit: () => Promise.reject(new Error('interval-sweep re-scores cached forecasts only')),
      cached,
    });
    const served = evaluateRows(s.ticker, rows, cfg.model.seed).find(
      (e) => e.forecaster === 'served',
    )?.card;
    const c80 = served?.coverage['80'];
    const c95 = served?.coverage['95'];
    console.log(
      [
        s.ticker.padEnd(6),
        name.padEnd(12),
        `cover ${pct(c80?.coverage)} ${pct(c95?.coverage)}`,
        `worst ${pct(c80?.worst?.coverage)} ${pct(c95?.worst?.coverage)}`,
        `width ${c80?.widthPct?.toFixed(1)} ${c95?.widthPct?.toFixed(1)}`,
        `MASE ${served?.mase?.toFixed(3)}`,
      ].join('  '),
    );
  }
}
