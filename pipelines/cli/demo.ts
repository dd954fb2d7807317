/**
 * `stockops demo`: the whole daily batch on embedded defaults with no network. Backfills the last
 * sessions of each ticker's data so the ledger has outcomes, then runs as of the last date in the data.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderDashboard } from '../../dashboards/local/render.js';
import { backfill } from '../backfill.js';
import { openCatalog } from '../catalog.js';
import { loadConfig, type Config } from '../config.js';
import type { TickerResult } from '../daily.js';
import type { ProgressDisplay } from './progress-display.js';
import { addTradingDays, exchangeFor } from '../calendar/exchange.js';
import type { Logger } from '../log.js';
import { createBundledSource } from '../ports/market-data/bundled.js';

export interface DemoOptions {
  configFile: string;
  backfillSessions: number;
  env: NodeJS.ProcessEnv;
  log: Logger;
  progress?: Pick<ProgressDisplay, 'plan' | 'ticker' | 'day'>;
}

export interface DemoResult {
  results: TickerResult[];
  config: Config;
  seconds: number;
  /** The local dashboard's HTML file, or why it could not be drawn. */
  dashboard: { path: string } | { error: string };
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  let config = loadConfig({
    env: { STOCKOPS_DATA_DIR: '.data/demo', ...o.env },
    file: o.configFile,
  });
  const csvDir = config.source.csvDir && resolve(config.source.csvDir);
  if (config.source.kind === 'csv' && (!csvDir || !existsSync(csvDir))) {
    o.log.warn('demo: no shared CSV folder; running the bundled S&P 500 series only', { csvDir });
    config = { ...config, source: { ...config.source, kind: 'bundled' } };
  }
  const cat = await openCatalog(config, { log: o.log });
  const results: TickerResult[] = [];
  try {
    const tickers = cat.market.tickers ? await cat.market.tickers() : [];
    if (!tickers.length) tickers.push(...((await createBundledSource().tickers?.()) ?? []));
    // Each series ends on its own date: group tickers by their last bar and replay each group.
    const groups = new Map<string, string[]>();
    for (const t of tickers) {
      const last = (await cat.market.fetch(t, {})).reduce((m, b) => (b.date > m ? b.date : m), '');
      groups.set(last, [...(groups.get(last) ?? []), t]);
    }
    for (const [last, group] of [...groups].sort()) {
      const from = addTradingDays(last, -o.backfillSessions, exchangeFor(group[0] ?? ''));
      o.log.info('demo: backfill', { tickers: group.join(','), from, to: last });
      const p = o.progress;
      const days = await backfill(
        cat,
        { from, to: last, tickers: group },
        p && ((s) => p.day(s)),
        p && ((r, done, total) => p.ticker(r, done, total)),
        p && ((dates) => p.plan(dates)),
      );
      results.push(...(days.at(-1)?.results ?? []));
    }
  } finally {
    await cat.close();
  }
  const seconds = (Date.now() - started) / 1000;
  return { results, config, seconds, dashboard: await dashboardOf(config) };
}

// After the catalog has closed the warehouse: the dashboard opens the same file read-only.
async function dashboardOf(config: Config): Promise<DemoResult['dashboard']> {
  if (config.warehouse.kind !== 'duckdb')
    return { error: `the ${config.warehouse.kind} warehouse has no local file` };
  try {
    return { path: (await renderDashboard({ warehouse: config.warehouse.path })).path };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
