/**
 * The local dashboard as a person sees it: Debian's Chromium (scripts/browser/install.sh) opens the
 * generated file and the test counts what ECharts drew, listens for errors and requests, and
 * saves a screenshot per panel under .data/dashboard-screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboard } from '../../dashboards/local/render.js';
import { loadReport } from '../../dashboards/report.js';
import { writeFixtureWarehouse } from './fixture-warehouse.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = resolve('.data/dashboard-screenshots');
const dir = mkdtempSync(join(tmpdir(), 'stockops-dashboard-'));
const report = loadReport();
const chartIds = report.pages.flatMap((p) => p.charts.map((c) => c.id));

let context: BrowserContext;

interface Seen {
  page: Page;
  errors: string[];
  requests: string[];
}

async function open(html: string): Promise<Seen> {
  const page = await context.newPage();
  const seen: Seen = { page, errors: [], requests: [] };
  page.on('console', (m) => m.type() === 'error' && seen.errors.push(m.text()));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('request', (r) => seen.requests.push(r.url()));
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return seen;
}

interface Drawn {
  id: string;
  state: string | null;
  message: string | null;
  facets: { label: string | null; series: { name: string; points: number }[]; canvas: boolean }[];
  tableRows: number | null;
}

// The few DOM members the page-side function uses (the project compiles without the DOM lib).
interface El {
  getAttribute(name: string): string | null;
  querySelector(sel: string): El | null;
  querySelectorAll(sel: string): Iterable<El>;
  parentElement: El | null;
  textContent: string | null;
  width?: number;
  height?: number;
}
type Opt = { series?: { name?: string; data?: unknown[] }[] };
interface PageGlobals {
  document: El;
  echarts: { getInstanceByDom(el: El): { getOption(): Opt } | undefined };
}

/** What each panel holds, read from ECharts' own instances (not from the containers). */
const drawn = (page: Page): Promise<Drawn[]> =>
  page.evaluate(() => {
    const { document, echarts } = globalThis as unknown as PageGlobals;
    return [...document.querySelectorAll('section.panel')].map((s) => ({
      id: s.getAttribute('data-panel') ?? '',
      state: s.getAttribute('data-state'),
      message: s.querySelector('.state')?.textContent ?? null,
      facets: [...s.querySelectorAll('.chart')].map((el) => {
        const series = echarts.getInstanceByDom(el)?.getOption().series ?? [];
        const canvas = el.querySelector('canvas');
        return {
          label: el.parentElement?.getAttribute('data-facet') ?? null,
          canvas: !!canvas && (canvas.width ?? 0) > 0 && (canvas.height ?? 0) > 0,
          series: series.map((x) => ({
            name: x.name ?? '',
            points: (x.data ?? []).filter((d) => d !== null && d !== undefined).length,
          })),
        };
      }),
      tableRows: s.querySelector('table') ? [...s.querySelectorAll('tbody tr')].length : null,
    }));
  });

interface TableFit {
  id: string;
  panelRight: number;
  scrollRight: number;
  scrollWidth: number;
  tableWidth: number;
  overflowX: string;
  rows: number;
  tallestRow: number;
}
interface Box {
  getBoundingClientRect(): { right: number; height: number };
  clientWidth: number;
  scrollWidth: number;
}
interface LayoutGlobals {
  document: { querySelectorAll(sel: string): Iterable<El & Box> };
  getComputedStyle(el: unknown): { overflowX: string };
}
const tableIds = report.pages
  .flatMap((p) => p.charts)
  .filter((c) => c.type === 'table')
  .map((c) => c.id)
  .sort();

/** Each table panel's geometry: its panel, its scroll container, the table and its rows. */
const tableFit = (page: Page): Promise<TableFit[]> =>
  page.evaluate(() => {
    const g = globalThis as unknown as LayoutGlobals;
    return [...g.document.querySelectorAll('section.panel')].flatMap((s) => {
      const scroll = s.querySelector('.scroll') as (El & Box) | null;
      const table = s.querySelector('table') as (El & Box) | null;
      if (!scroll || !table) return [];
      const rows = [...table.querySelectorAll('tbody tr')] as unknown as Box[];
      return [
        {
          id: s.getAttribute('data-panel') ?? '',
          panelRight: s.getBoundingClientRect().right,
          scrollRight: scroll.getBoundingClientRect().right,
          scrollWidth: scroll.clientWidth,
          tableWidth: table.scrollWidth,
          overflowX: g.getComputedStyle(scroll).overflowX,
          rows: rows.length,
          tallestRow: Math.max(0, ...rows.map((r) => r.getBoundingClientRect().height)),
        },
      ];
    });
  });

const pages: Record<'full' | 'empty' | 'broken', string> = {
  full: join(dir, 'full.html'),
  empty: join(dir, 'empty.html'),
  broken: join(dir, 'broken.html'),
};
let warehouseTickers: string[] = [];

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} (scripts/browser/install.sh installs it)`).toBe(true);
  const full = join(dir, 'full.duckdb');
  await writeFixtureWarehouse(full, { appendOnly: true });
  await renderDashboard({ warehouse: full, out: pages.full });
  const db = await DuckDBInstance.create(full, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  const r = await conn.runAndReadAll('SELECT DISTINCT ticker FROM predictions ORDER BY ticker');
  warehouseTickers = r.getRows().map(([t]) => (typeof t === 'string' ? t : JSON.stringify(t)));
  conn.closeSync();
  db.closeSync();

  const empty = join(dir, 'empty.duckdb');
  await writeFixtureWarehouse(empty, { only: {} });
  await renderDashboard({ warehouse: empty, out: pages.empty });

  // A warehouse missing a table: the views that read it fail, the others still draw.
  const broken = join(dir, 'broken.duckdb');
  await writeFixtureWarehouse(broken);
  const bdb = await DuckDBInstance.create(broken);
  const bconn = await bdb.connect();
  await bconn.run('DROP TABLE outcomes');
  bconn.closeSync();
  bdb.closeSync();
  await renderDashboard({ warehouse: broken, out: pages.broken });

  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local dashboard in Chromium', () => {
  it('draws every panel with data, logs no error and requests nothing but the page', async () => {
    const { page, errors, requests } = await open(pages.full);
    const panels = await drawn(page);
    expect(panels.map((p) => p.id)).toEqual(chartIds);
    for (const p of panels) {
      expect(p.state, `${p.id}: ${p.message}`).toBe('ok');
      if (p.tableRows !== null) {
        expect(p.tableRows, p.id).toBeGreaterThan(0);
        continue;
      }
      expect(p.facets.length, p.id).toBeGreaterThan(0);
      for (const f of p.facets) {
        expect(f.canvas, `${p.id} ${f.label} canvas`).toBe(true);
        expect(Math.max(...f.series.map((s) => s.points)), `${p.id} ${f.label}`).toBeGreaterThan(0);
      }
    }
    // The fixtures' exact counts: AAA has 30 predictions at horizon 10, 25 of them resolved; the
    // LSTM's own forecast from day 3 (27), the 80 % interval from day 3, the 95 % from day 5 (25).
    const pva = panels.find((p) => p.id === 'predicted-vs-actual');
    expect(pva?.facets.map((f) => f.label)).toEqual([
      'AAA · horizon 10',
      'BBB · horizon 5',
      'BBB · horizon 10',
    ]);
    const aaa = pva?.facets.find((f) => f.label === 'AAA · horizon 10');
    expect(aaa?.series).toEqual([
      { name: '95% interval lower', points: 25 },
      { name: '95% interval', points: 25 },
      { name: '95% interval upper', points: 25 },
      { name: '80% interval lower', points: 27 },
      { name: '80% interval', points: 27 },
      { name: '80% interval upper', points: 27 },
      { name: 'actual', points: 25 },
      { name: 'served forecast', points: 30 },
      { name: 'LSTM forecast', points: 27 },
    ]);
    expect(
      await page
        .locator('[data-panel="predicted-vs-actual"] [data-facet="AAA · horizon 10"] h4')
        .textContent(),
    ).toBe('AAA · horizon 10');
    // Coverage: one point per resolved prediction with an interval (AAA days 3-24, BBB days 1-4).
    const coverage = panels.find((p) => p.id === 'interval-coverage');
    const both = (n: number) => [
      { name: '80% coverage', points: n },
      { name: '95% coverage', points: n },
    ];
    expect(coverage?.facets.map((f) => [f.label, f.series])).toEqual([
      ['AAA · horizon 10', both(22)],
      ['BBB · horizon 5', both(4)],
      ['BBB · horizon 10', both(4)],
    ]);
    const lstm = panels
      .find((p) => p.id === 'lstm-vs-served')
      ?.facets.find((f) => f.label === 'AAA');
    expect(lstm?.series).toEqual([
      { name: 'served MASE', points: 25 },
      { name: 'LSTM MASE', points: 22 },
    ]);
    expect(panels.find((p) => p.id === 'policy-now')?.tableRows).toBe(3);
    expect(panels.find((p) => p.id === 'promotions')?.tableRows).toBe(2);
    expect(panels.find((p) => p.id === 'scorecard')?.tableRows).toBe(8);
    const heat = panels
      .find((p) => p.id === 'feature-drift')
      ?.facets.find((f) => f.label === 'AAA');
    expect(heat?.series[0]?.points).toBe(7); // 8 feature cells over two days, one untested
    expect(panels.find((p) => p.id === 'failures')?.tableRows).toBe(3);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(pages.full).href]);

    mkdirSync(SHOTS, { recursive: true });
    for (const id of chartIds) {
      await page.locator(`[data-panel="${id}"]`).screenshot({ path: join(SHOTS, `${id}.png`) });
    }
    await page.close();
  });

  it('fits every table in its panel: whole at 1400 px, scrolling sideways at 800, short rows', async () => {
    const { page } = await open(pages.full);
    for (const width of [1400, 800]) {
      await page.setViewportSize({ width, height: 1000 });
      const tables = await tableFit(page);
      expect(tables.map((t) => t.id).sort()).toEqual(tableIds);
      for (const t of tables) {
        const at = `${t.id} at ${width} px: ${JSON.stringify(t)}`;
        // The scroll container never reaches past its panel's edge...
        expect(t.scrollRight, at).toBeLessThanOrEqual(t.panelRight);
        // ...and holds the whole table, or lets it scroll sideways.
        if (width === 1400) expect(t.tableWidth, at).toBeLessThanOrEqual(t.scrollWidth);
        else if (t.tableWidth > t.scrollWidth)
          expect(['auto', 'scroll'], at).toContain(t.overflowX);
        // Long text wraps to at most three lines: no row is a tall, mostly empty band.
        expect(t.tallestRow, at).toBeLessThanOrEqual(60);
        expect(t.rows, at).toBeGreaterThan(0);
      }
      await page.screenshot({ path: join(SHOTS, `tables-${width}.png`), fullPage: true });
    }
    await page.close();
  });

  it("shows the warehouse's tickers, and only those", async () => {
    const { page } = await open(pages.full);
    expect(warehouseTickers).toEqual(['AAA', 'BBB']);
    expect(await page.locator('#tickers').getAttribute('data-tickers')).toBe(
      warehouseTickers.join(','),
    );
    for (const id of [
      'predicted-vs-actual',
      'interval-coverage',
      'mase',
      'lstm-vs-served',
      'direction',
      'feature-drift',
    ]) {
      const labels = await page
        .locator(`[data-panel="${id}"] [data-facet]`)
        .evaluateAll((els) => els.map((e) => (e as unknown as El).getAttribute('data-facet')));
      // A facet by ticker and horizon is labelled "AAA · horizon 10": its ticker comes first.
      const tickers = new Set(labels.map((l) => l?.split(' · ')[0]).filter((t) => t !== undefined));
      expect([...tickers].sort(), id).toEqual(warehouseTickers);
    }
    await page.close();
  });

  it('says so on every panel when the warehouse is empty, drawing no chart', async () => {
    const { page, errors } = await open(pages.empty);
    const panels = await drawn(page);
    for (const p of panels) {
      expect(p.state, p.id).toBe('empty');
      const chart = report.pages.flatMap((x) => x.charts).find((c) => c.id === p.id);
      expect(p.message).toBe(`No data: ${chart?.empty}`);
      expect(p.facets).toEqual([]);
    }
    expect(await page.locator('canvas').count()).toBe(0);
    expect(await page.locator('#tickers').textContent()).toBe('none');
    expect(errors).toEqual([]);
    await page.locator('[data-panel="mase"]').screenshot({ path: join(SHOTS, 'empty-state.png') });
    await page.close();
  });

  it('shows a failing view as an error on its panels and still draws the others', async () => {
    const { page, errors } = await open(pages.broken);
    const panels = await drawn(page);
    const failing = panels.filter((p) => p.state === 'error').map((p) => p.id);
    expect(failing.sort()).toEqual([
      'direction',
      'interval-coverage',
      'interval-width',
      'lstm-vs-served',
      'mape',
      'mase',
      'predicted-vs-actual',
    ]);
    for (const p of panels.filter((x) => x.state === 'error')) {
      expect(p.message).toMatch(
        /^Could not draw this panel: view (accuracy|interval_coverage|predicted_vs_actual) failed: .*outcomes/,
      );
    }
    for (const id of ['feature-drift', 'policy-now', 'shrinkage', 'scorecard'])
      expect(panels.find((p) => p.id === id)?.state, id).toBe('ok');
    expect(errors).toEqual([]);
    await page.locator('[data-panel="mase"]').screenshot({ path: join(SHOTS, 'error-state.png') });
    await page.close();
  });
});
