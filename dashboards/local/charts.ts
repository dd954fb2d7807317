/**
 * Pure: a chart of the report and its view's rows → what the local page draws (ECharts options,
 * or a table), or the visible empty/error state. No IO here.
 */
import type { Cell, ViewResult, ViewRow } from '../duckdb-views.js';
import { facetFields, references, type Chart } from '../report.js';

/** ECharts option objects, JSON only (no functions), so they travel inside the page as data. */
export type EChartsOption = Record<string, unknown>;

export type Panel = {
  id: string;
  title: string;
  view: string;
} & (
  | { state: 'empty' | 'error'; message: string }
  | {
      state: 'ok';
      kind: 'chart';
      /** label: the facet's value (a ticker); note: what every series of it shares (horizon 10). */
      facets: { label: string | null; note: string; option: EChartsOption }[];
    }
  | { state: 'ok'; kind: 'table'; columns: string[]; rows: Cell[][] }
);

const text = (v: Cell | undefined): string => (v === null || v === undefined ? '' : String(v));
const num = (v: Cell | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;
const uniqueSorted = (xs: string[]): string[] => [...new Set(xs)].sort();

function filtered(c: Chart, rows: ViewRow[]): ViewRow[] {
  const w = c.where;
  if (!w) return rows;
  return rows.filter((r) =>
    'equals' in w ? text(r[w.field]) === w.equals : text(r[w.field]) !== w.not,
  );
}

// Text values read alone ("failed", "AAPL"); numbers need their field's name ("horizon 10").
const splitLabel = (field: string, v: Cell | undefined): string =>
  typeof v === 'number' ? `${field} ${v}` : text(v);

function groupBy(rows: ViewRow[], fields: string[]): Map<string, ViewRow[]> {
  const out = new Map<string, ViewRow[]>();
  for (const r of rows) {
    const k = fields.map((f) => splitLabel(f, r[f])).join(' · ');
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
}

function aggregateOf(c: Extract<Chart, { type: 'line' | 'bar' }>, rows: ViewRow[]): number | null {
  const a = c.aggregate;
  if (!a) return null;
  if (a.fn === 'count') return rows.length;
  const xs = rows.map((r) => num(r[a.field])).filter((x): x is number => x !== null);
  if (!xs.length) return null;
  const s = xs.reduce((p, q) => p + q, 0);
  return a.fn === 'sum' ? s : s / xs.length;
}

const common = (xs: string[]): EChartsOption => ({
  animation: false,
  tooltip: { trigger: 'axis' },
  xAxis: { type: 'category', data: xs, boundaryGap: false },
  yAxis: { type: 'value', scale: true },
});

interface Drawn {
  option: EChartsOption;
  note: string;
}

const BAND_COLOUR = '#2166ac';

/**
 * A band as ECharts draws one: an invisible base at the lower bound and the width stacked on it,
 * filled. Only where both bounds exist (an unbounded side has no band, and no invisible 0 that
 * would stretch the axis). The filled width is left out of the tooltip, which shows the bounds.
 */
function bandSeries(
  c: Extract<Chart, { type: 'line' }>,
  xs: string[],
  at: (x: string) => ViewRow | undefined,
  group: string,
  named: (name: string, icon?: EChartsOption) => string,
): EChartsOption[] {
  return (c.bands ?? []).flatMap((b, i) => {
    const pairs = xs.map((x) => {
      const r = at(x);
      const lo = num(r?.[b.lower]);
      const hi = num(r?.[b.upper]);
      return lo === null || hi === null ? null : [lo, hi];
    });
    const name = [b.label, group].filter(Boolean).join(' · ');
    const stack = `band ${name}`;
    // The second band (the 80 % inside the 95 %) darker: where both overlap reads darkest.
    const opacity = i % 2 ? 0.24 : 0.14;
    const invisible = { showSymbol: false, lineStyle: { opacity: 0 }, silent: true };
    return [
      {
        name: `${name} lower`,
        type: 'line',
        data: pairs.map((p) => p?.[0] ?? null),
        stack,
        ...invisible,
      },
      {
        // A filled square in the legend, the band's colour (a line's icon would be invisible).
        name: named(name, {
          icon: 'rect',
          itemStyle: { color: BAND_COLOUR, opacity: 0.3 + opacity },
        }),
        type: 'line',
        data: pairs.map((p) => (p ? (p[1] ?? 0) - (p[0] ?? 0) : null)),
        stack,
        ...invisible,
        areaStyle: { opacity, color: BAND_COLOUR },
        itemStyle: { color: BAND_COLOUR },
        tooltip: { show: false },
      },
      { name: `${name} upper`, type: 'line', data: pairs.map((p) => p?.[1] ?? null), ...invisible },
    ];
  });
}

function seriesOption(c: Extract<Chart, { type: 'line' | 'bar' }>, rows: ViewRow[]): Drawn {
  const xs = uniqueSorted(rows.map((r) => text(r[c.x])));
  // A split field with one value here names no series: it goes in the note above the chart.
  // Unless a series would be left without a name (one metric, nothing else varying).
  const split = c.split ?? [];
  const metrics = c.type === 'line' && c.y ? c.y : [null];
  const changing = split.filter((f) => new Set(rows.map((r) => text(r[f]))).size > 1);
  const varying = metrics.length > 1 || changing.length ? changing : split;
  const constant = split.filter((f) => !varying.includes(f));
  const note = constant.map((f) => splitLabel(f, rows[0]?.[f])).join(' · ');
  const label = (f: string): string => c.labels?.[f] ?? f;
  const series: EChartsOption[] = [];
  /** Helper series (a band's stacked base, its bounds for the tooltip) stay out of the legend. */
  const legend: (string | EChartsOption)[] = [];
  const named = (name: string, icon?: EChartsOption): string => {
    legend.push(icon ? { name, ...icon } : name);
    return name;
  };
  for (const [group, members] of groupBy(rows, varying)) {
    const byX = new Map<string, ViewRow[]>();
    for (const r of members) {
      const x = text(r[c.x]);
      byX.set(x, [...(byX.get(x) ?? []), r]);
    }
    const at = (x: string): ViewRow | undefined => byX.get(x)?.[0];
    if (c.type === 'line') series.push(...bandSeries(c, xs, at, group, named));
    for (const y of metrics) {
      const data = xs.map((x) => {
        const at = byX.get(x) ?? [];
        if (!at.length) return null;
        return y === null ? aggregateOf(c, at) : num(at[0]?.[y]);
      });
      const name = [y && (metrics.length > 1 || !group) ? label(y) : '', group]
        .filter(Boolean)
        .join(' · ');
      // A field's fixed colour only where one group is drawn: two horizons in one colour would blur.
      const color =
        c.type === 'bar'
          ? c.colors?.[group]
          : y === null || varying.length
            ? undefined
            : c.colors?.[y];
      const dashed = c.type === 'line' && y !== null && c.dashed?.includes(y);
      series.push({
        name: named(name || (c.aggregate ? c.aggregate.fn : 'value')),
        type: c.type,
        data,
        ...(c.type === 'line' ? { connectNulls: true, showSymbol: xs.length < 40 } : {}),
        ...(c.type === 'bar' && c.stacked ? { stack: 'total' } : {}),
        ...(color ? { itemStyle: { color } } : {}),
        ...(color || dashed
          ? { lineStyle: { ...(color ? { color } : {}), ...(dashed ? { type: 'dashed' } : {}) } }
          : {}),
      });
    }
  }
  const refs =
    c.type === 'line'
      ? references(c)
          .map((r) => (typeof r === 'number' ? r : num(rows[0]?.[r])))
          .filter((r): r is number => r !== null)
      : [];
  // On the first series drawn in the legend (a band's helper series may be hidden).
  const shown = new Set(legend.map((l) => (typeof l === 'string' ? l : String(l.name))));
  const host = series.find((x) => shown.has(String(x.name)));
  if (refs.length && host) {
    host.markLine = {
      silent: true,
      symbol: 'none',
      lineStyle: { type: 'dashed', color: '#555' },
      label: { formatter: '{c}' },
      data: refs.map((r) => ({ yAxis: r })),
    };
  }
  const option = common(xs);
  // A wrapping legend, two entries a row in a small chart, with the plot below it.
  option.legend = { type: 'plain', top: 0, itemGap: 8, data: legend };
  option.grid = {
    left: 28,
    right: 44, // room for the first and last date labels, centred on the edges
    top: 12 + 22 * Math.ceil(legend.length / 2),
    bottom: 8,
    containLabel: true,
  };
  if (c.type === 'line' && c.range) {
    option.yAxis = { type: 'value', min: c.range[0], max: c.range[1] };
  }
  if (c.type === 'bar') {
    option.xAxis = { type: 'category', data: xs };
    option.tooltip = { trigger: 'axis', axisPointer: { type: 'shadow' } };
    option.yAxis = { type: 'value', minInterval: 1 };
  }
  return { option: { ...option, series }, note };
}

function heatmapOption(c: Extract<Chart, { type: 'heatmap' }>, rows: ViewRow[]): Drawn {
  const [yField] = c.y;
  const xs = uniqueSorted(rows.map((r) => text(r[c.x])));
  const ys = uniqueSorted(rows.map((r) => text(r[yField])));
  const data = rows
    .map((r) => [xs.indexOf(text(r[c.x])), ys.indexOf(text(r[yField])), num(r[c.value])])
    .filter((d) => d[2] !== null);
  const option = {
    animation: false,
    tooltip: { position: 'top' },
    grid: { left: 8, right: 24, top: 8, bottom: 48, containLabel: true },
    xAxis: { type: 'category', data: xs, splitArea: { show: true } },
    yAxis: { type: 'category', data: ys, splitArea: { show: true } },
    visualMap: {
      min: 0,
      max: 2,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      itemWidth: 10,
      text: ['2 (drifted)', '0 (stable)'],
      inRange: { color: ['#1a9850', '#ffffbf', '#d73027'] },
    },
    series: [{ name: c.value, type: 'heatmap', data, label: { show: false } }],
  };
  return { option, note: '' };
}

/** The panel for one chart: its data, or the visible reason why there is none. */
export function panelFor(c: Chart, result: ViewResult | { error: string } | undefined): Panel {
  const head = { id: c.id, title: c.title, view: c.view };
  if (!result) return { ...head, state: 'error', message: `view ${c.view} does not exist` };
  if ('error' in result)
    return { ...head, state: 'error', message: `view ${c.view} failed: ${result.error}` };
  const rows = filtered(c, result.rows);
  if (!rows.length) return { ...head, state: 'empty', message: c.empty };
  if (c.type === 'table') {
    return {
      ...head,
      state: 'ok',
      kind: 'table',
      columns: c.columns.map((k) => c.labels?.[k] ?? k),
      rows: rows.map((r) => c.columns.map((k) => r[k] ?? null)),
    };
  }
  const facetBy = facetFields(c);
  const facets = facetBy.length
    ? [...groupBy(rows, facetBy)].map(([label, members]) => ({ label, members }))
    : [{ label: null, members: rows }];
  return {
    ...head,
    state: 'ok',
    kind: 'chart',
    facets: facets.map(({ label, members }) => ({
      label,
      ...(c.type === 'heatmap' ? heatmapOption(c, members) : seriesOption(c, members)),
    })),
  };
}
