/**
 * The self-contained HTML page: Apache ECharts inlined, the chart options as a JSON block, and a
 * few lines that hand each option to ECharts. Nothing is fetched: the file works offline.
 */
import type { Cell } from '../duckdb-views.js';
import type { Report } from '../report.js';
import type { Panel } from './charts.js';

export interface PageInput {
  report: Report;
  panels: Map<string, Panel>;
  warehouse: string;
  generatedAt: string;
  tickers: string[];
  echartsSource: string;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// Inside <script>, "</script" or "<!--" would end or change the element: escape every "<".
const scriptSafe = (s: string): string => s.replace(/<(?=\/script|!--)/gi, '\\x3C');
const jsonSafe = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

const cellText = (v: Cell): string =>
  v === null
    ? '—'
    : typeof v === 'number' && !Number.isInteger(v)
      ? String(Number(v.toPrecision(4)))
      : String(v);

/** Tables with more columns than this span the grid's full width. */
const WIDE_COLUMNS = 8;
/** Text longer than this wraps (at most three lines, the rest in its tooltip); shorter cells never wrap. */
const LONG_TEXT = 32;

function cellHtml(v: Cell): string {
  const t = esc(cellText(v));
  return t.length > LONG_TEXT
    ? `<td class="text"><div class="clamp" title="${t}">${t}</div></td>`
    : `<td>${t}</td>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1f2328}
header{background:#1f2d3d;color:#fff;padding:12px 20px}
header h1{font-size:20px;margin:0 0 4px}
header p{margin:0;opacity:.85}
nav a{color:#cfe3ff;margin-right:14px}
main{padding:12px 20px}
h2{margin:20px 0 8px;font-size:17px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:14px}
.panel{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:10px 12px}
.panel h3{font-size:14px;margin:0 0 2px}
.panel .source{font-size:12px;color:#667;margin:0 0 6px}
.facets{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:8px}
.facet h4{font-size:12px;margin:2px 0;color:#334}
.chart{height:240px}
.state{padding:28px 12px;text-align:center;border:1px dashed #b7bec7;border-radius:4px;color:#445}
.state.error{border-color:#d73027;color:#a50026;background:#fff5f3}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border-bottom:1px solid #e4e7eb;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f2f5}
thead th{position:sticky;top:0;z-index:1}
td{white-space:nowrap}
td.text{white-space:normal}
.clamp{min-width:18em;max-width:36em;display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
.panel.wide{grid-column:1/-1}
.scroll{max-height:320px;overflow:auto}
`;

const BOOT = `
(function () {
  var options = JSON.parse(document.getElementById('stockops-options').textContent);
  var charts = [];
  document.querySelectorAll('.chart[data-option]').forEach(function (el) {
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(options[Number(el.getAttribute('data-option'))]);
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-ready', 'true');
})();
`;

function panelHtml(p: Panel, options: unknown[]): string {
  const head = `<h3>${esc(p.title)}</h3><p class="source">view: ${esc(p.view)}</p>`;
  const open = `<section class="panel" id="panel-${esc(p.id)}" data-panel="${esc(p.id)}" data-state="${p.state}">`;
  if (p.state !== 'ok') {
    const label = p.state === 'error' ? 'Could not draw this panel: ' : 'No data: ';
    return `${open}${head}<div class="state ${p.state}" role="status">${esc(label + p.message)}</div></section>`;
  }
  if (p.kind === 'table') {
    const th = p.columns.map((c) => `<th>${esc(c)}</th>`).join('');
    const rows = p.rows.map((r) => `<tr>${r.map(cellHtml).join('')}</tr>`).join('');
    // A wide table takes the whole row of the grid; what still does not fit scrolls sideways.
    const section =
      p.columns.length > WIDE_COLUMNS ? open.replace('"panel"', '"panel wide"') : open;
    return `${section}${head}<div class="scroll"><table data-rows="${p.rows.length}"><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
  }
  const facets = p.facets
    .map((f) => {
      options.push(f.option);
      const heading = [f.label, f.note].filter(Boolean).join(' · ');
      const label = heading ? `<h4>${esc(heading)}</h4>` : '';
      const attr = f.label === null ? '' : ` data-facet="${esc(f.label)}"`;
      return `<div class="facet"${attr}>${label}<div class="chart" data-option="${options.length - 1}"></div></div>`;
    })
    .join('');
  return `${open}${head}<div class="facets">${facets}</div></section>`;
}

export function pageHtml(i: PageInput): string {
  const options: unknown[] = [];
  const pages = i.report.pages
    .map((page) => {
      const panels = page.charts.map((c) => {
        const p = i.panels.get(c.id);
        if (!p) throw new Error(`no panel built for chart ${c.id}`);
        return panelHtml(p, options);
      });
      return `<h2 id="page-${esc(page.id)}">${esc(page.name)}</h2><div class="grid">${panels.join('')}</div>`;
    })
    .join('');
  const nav = i.report.pages.map((p) => `<a href="#page-${esc(p.id)}">${esc(p.name)}</a>`).join('');
  const tickers = i.tickers.length ? i.tickers.join(', ') : 'none';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(i.report.reportName)} dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><header><h1>${esc(i.report.reportName)}: local dashboard</h1>
<p>Warehouse <code>${esc(i.warehouse)}</code> · generated ${esc(i.generatedAt)} · tickers <span id="tickers" data-tickers="${esc(i.tickers.join(','))}">${esc(tickers)}</span></p>
<nav>${nav}</nav></header>
<main>${pages}</main>
<script type="application/json" id="stockops-options">${jsonSafe(options)}</script>
<script>${scriptSafe(i.echartsSource)}</script>
<script>${BOOT}</script>
</body></html>
`;
}
