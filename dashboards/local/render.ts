/** `make dashboard`: the local warehouse's views drawn into one self-contained HTML file. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runAllViews, type ViewResult } from '../duckdb-views.js';
import { loadReport } from '../report.js';
import { panelFor, type Panel } from './charts.js';
import { pageHtml } from './page.js';

export interface RenderOptions {
  /** The DuckDB warehouse file. */
  warehouse: string;
  /** The HTML file to write; beside the warehouse by default. */
  out?: string;
  now?: Date;
}

export interface RenderResult {
  path: string;
  panels: Panel[];
  tickers: string[];
}

const echartsSource = (): string =>
  readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');

/** The tickers the warehouse knows, from every view that has a ticker column. */
function tickersOf(results: Record<string, ViewResult | { error: string }>): string[] {
  const out = new Set<string>();
  for (const r of Object.values(results)) {
    if ('rows' in r)
      for (const row of r.rows) if (typeof row.ticker === 'string') out.add(row.ticker);
  }
  return [...out].sort();
}

export async function renderDashboard(o: RenderOptions): Promise<RenderResult> {
  const warehouse = resolve(o.warehouse);
  if (!existsSync(warehouse)) {
    throw new Error(
      `no DuckDB warehouse at ${warehouse}: run the pipeline first (make demo), or pass --warehouse`,
    );
  }
  const report = loadReport();
  // Read-only: the dashboard never writes to the warehouse, and works beside a reader.
  const db = await DuckDBInstance.create(warehouse, { access_mode: 'READ_ONLY' });
  let results: Record<string, ViewResult | { error: string }>;
  try {
    const conn = await db.connect();
    try {
      results = await runAllViews(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    db.closeSync();
  }
  const panels = new Map<string, Panel>();
  for (const page of report.pages)
    for (const c of page.charts) panels.set(c.id, panelFor(c, results[c.view]));
  const tickers = tickersOf(results);
  const path = resolve(o.out ?? `${dirname(warehouse)}/dashboard.html`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    pageHtml({
      report,
      panels,
      warehouse,
      generatedAt: (o.now ?? new Date()).toISOString().replace('T', ' ').slice(0, 19) + ' UTC',
      tickers,
      echartsSource: echartsSource(),
    }),
  );
  return { path, panels: [...panels.values()], tickers };
}
