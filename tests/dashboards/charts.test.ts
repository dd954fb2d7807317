/** The local page's chart building (pure): aggregation, filters, series names, empty and error states. */
import { describe, expect, it } from 'vitest';
import { panelFor, type Panel } from '../../dashboards/local/charts.js';
import { loadReport, type Chart } from '../../dashboards/report.js';
import { expectedRows, S } from './views.cases.js';

const charts = new Map(loadReport().pages.flatMap((p) => p.charts.map((c) => [c.id, c] as const)));
const chart = (id: string): Chart => {
  const c = charts.get(id);
  if (!c) throw new Error(`no chart ${id}`);
  return c;
};
const rows = expectedRows(true);
const result = (view: string) => ({
  columns: Object.keys(rows[view]?.[0] ?? {}),
  rows: rows[view] ?? [],
});

type Series = { name: string; data: (number | null)[]; itemStyle?: { color: string } };
function series(p: Panel, facet = 0): Series[] {
  if (p.state !== 'ok' || p.kind !== 'chart') throw new Error(`${p.id} is ${p.state}`);
  return (p.facets[facet]?.option.series ?? []) as Series[];
}

describe('panelFor', () => {
  it('counts stage outcomes per run day, one coloured series per outcome', () => {
    const s = series(panelFor(chart('stage-outcomes'), result('pipeline_health')));
    expect(s.map((x) => [x.name, x.data, x.itemStyle?.color])).toEqual([
      ['failed', [1, null], '#d73027'],
      ['interrupted', [null, 2], '#fc8d59'],
      ['ok', [4, 2], '#1a9850'],
    ]);
  });

  it('filters to the model stage before counting decisions', () => {
    const s = series(panelFor(chart('decisions'), result('pipeline_health')));
    expect(s.map((x) => [x.name, x.data])).toEqual([['load', [1, 2]]]);
  });

  it('averages durations per stage and day', () => {
    const s = series(panelFor(chart('durations'), result('pipeline_health')));
    const ingest = s.find((x) => x.name === 'ingest');
    expect(ingest?.data).toEqual([1500, 2000]); // day 28: 2 s and 1 s; day 29: 2 s and 2 s
  });

  it('lists only failed and interrupted stages, with display labels', () => {
    const p = panelFor(chart('failures'), result('pipeline_health'));
    if (p.state !== 'ok' || p.kind !== 'table') throw new Error(p.state);
    expect(p.columns).toEqual(['run_date', 'ticker', 'stage', 'outcome', 'attempts', 'reason']);
    expect(p.rows.map((r) => [r[0], r[1], r[2], r[3]]).sort()).toEqual([
      [S[28], 'BBB', 'features', 'failed'],
      [S[29], 'AAA', 'model', 'interrupted'],
      [S[29], 'BBB', 'model', 'interrupted'],
    ]);
  });

  it('names a split shared by the whole facet once, above it, not in every series', () => {
    const p = panelFor(chart('mase'), result('accuracy'));
    if (p.state !== 'ok' || p.kind !== 'chart') throw new Error(p.state);
    expect(p.facets.map((f) => [f.label, f.note])).toEqual([
      ['AAA', 'horizon 10'],
      ['BBB', ''],
    ]);
    expect(series(p, 1).map((x) => x.name)).toEqual([
      'MASE rolling 20 · horizon 5',
      'MASE cumulative · horizon 5',
      'MASE rolling 20 · horizon 10',
      'MASE cumulative · horizon 10',
    ]);
  });

  it('draws the served and the LSTM forecast with the 80 and 95 % bands, one chart per ticker and horizon', () => {
    const p = panelFor(chart('predicted-vs-actual'), result('predicted_vs_actual'));
    if (p.state !== 'ok' || p.kind !== 'chart') throw new Error(p.state);
    expect(p.facets.map((f) => f.label)).toEqual([
      'AAA · horizon 10',
      'BBB · horizon 5',
      'BBB · horizon 10',
    ]);
    const s = series(p) as (Series & { stack?: string; lineStyle?: { type?: string } })[];
    const count = (name: string) =>
      s.find((x) => x.name === name)?.data.filter((d) => d !== null).length;
    // AAA: 30 predictions, 25 resolved; days 0-2 have no LSTM column, days 3-4 no upper 95 % bound.
    expect(s.map((x) => [x.name, count(x.name)])).toEqual([
      ['95% interval lower', 25],
      ['95% interval', 25],
      ['95% interval upper', 25],
      ['80% interval lower', 27],
      ['80% interval', 27],
      ['80% interval upper', 27],
      ['actual', 25],
      ['served forecast', 30],
      ['LSTM forecast', 27],
    ]);
    const rows = result('predicted_vs_actual').rows.filter((r) => r.ticker === 'AAA');
    const last = rows.find((r) => r.as_of_date === S[29]);
    const at = (name: string) => s.find((x) => x.name === name)?.data.at(-1);
    // The band is the lower bound with the width stacked on it.
    expect(at('80% interval lower')).toBe(last?.lower_80);
    expect(at('80% interval')).toBeCloseTo(Number(last?.upper_80) - Number(last?.lower_80), 9);
    expect(s.find((x) => x.name === '80% interval')?.stack).toBe('band 80% interval');
    expect(s.find((x) => x.name === 'LSTM forecast')?.lineStyle?.type).toBe('dashed');
    const legend = (p.facets[0]?.option.legend as { data: (string | { name: string })[] }).data;
    expect(legend.map((l) => (typeof l === 'string' ? l : l.name))).toEqual([
      '95% interval',
      '80% interval',
      'actual',
      'served forecast',
      'LSTM forecast',
    ]);
  });

  it('draws rolling coverage against both nominal levels on a 0-1 axis', () => {
    const p = panelFor(chart('interval-coverage'), result('interval_coverage'));
    if (p.state !== 'ok' || p.kind !== 'chart') throw new Error(p.state);
    const s = series(p) as unknown as { name: string; markLine?: { data: { yAxis: number }[] } }[];
    expect(s.map((x) => x.name)).toEqual(['80% coverage', '95% coverage']);
    expect(s[0]?.markLine?.data).toEqual([{ yAxis: 0.8 }, { yAxis: 0.95 }]);
    expect(p.facets[0]?.option.yAxis).toEqual({ type: 'value', min: 0, max: 1 });
  });

  it('lists the policy serving now and the promotions', () => {
    const now = panelFor(chart('policy-now'), result('serving_policy'));
    if (now.state !== 'ok' || now.kind !== 'table') throw new Error(now.state);
    expect(now.rows.map((r) => [r[0], r[1], r[3]])).toEqual([
      ['AAA', 10, 'naive'],
      ['BBB', 5, 'shrunk'],
      ['BBB', 10, 'drift'],
    ]);
    const promoted = panelFor(chart('promotions'), result('serving_policy'));
    if (promoted.state !== 'ok' || promoted.kind !== 'table') throw new Error(promoted.state);
    expect(promoted.rows.map((r) => [r[0], r[1], r[3], r[4]])).toEqual([
      [S[27], 'AAA', 'shrunk', 'naive'],
      [S[3], 'BBB', 'shrunk', 'drift'],
    ]);
  });

  it('draws the reference line of a field from the data', () => {
    const s = series(panelFor(chart('drift-share'), result('drift_share')));
    expect((s[0] as unknown as { markLine: { data: { yAxis: number }[] } }).markLine.data).toEqual([
      { yAxis: 0.5 },
    ]);
  });

  it('shows the chart’s message when its view has no rows, and the error when it failed', () => {
    const c = chart('mase');
    expect(panelFor(c, { columns: [], rows: [] })).toMatchObject({
      state: 'empty',
      message: c.empty,
    });
    expect(panelFor(c, { error: 'Table outcomes does not exist' })).toMatchObject({
      state: 'error',
      message: 'view accuracy failed: Table outcomes does not exist',
    });
    expect(panelFor(c, undefined)).toMatchObject({
      state: 'error',
      message: 'view accuracy does not exist',
    });
  });
});
