/** The Looker Studio description: every chart's fields exist in its view; the Linking API URL. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runView } from '../../dashboards/duckdb-views.js';
import { linkingUrl, type LinkingTarget } from '../../dashboards/looker/linking-url.js';
import { fieldsOf, loadReport } from '../../dashboards/report.js';
import { viewNames } from '../../dashboards/views.js';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';

const report = loadReport();
const dir = mkdtempSync(join(tmpdir(), 'stockops-looker-'));
const columns = new Map<string, string[]>();

beforeAll(async () => {
  // The columns of each view, from running it on an empty warehouse of the schema's tables.
  const path = join(dir, 'empty.duckdb');
  const wh = await createDuckDbWarehouse({ path });
  await wh.init();
  await wh.close();
  const db = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  for (const v of viewNames()) columns.set(v, (await runView(conn, v)).columns);
  conn.closeSync();
  db.closeSync();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target: LinkingTarget = {
  templateReportId: '1a2b3c4d-5e6f-7a8b-9c0d-ef1234567890',
  projectId: 'my-stockops-project',
  datasetId: 'stockops_prod',
};

describe('the report description', () => {
  const charts = report.pages.flatMap((p) => p.charts);

  it.each(charts.map((c) => [c.id, c] as const))(
    'chart %s reads only columns of its view',
    (_, c) => {
      const cols = columns.get(c.view);
      expect(cols, `view ${c.view}`).toBeDefined();
      for (const f of fieldsOf(c)) expect(cols, `${c.id}: ${c.view}.${f}`).toContain(f);
    },
  );

  it('page controls are columns of the views their charts read', () => {
    for (const p of report.pages) {
      for (const ctl of p.controls) {
        expect(
          p.charts.some((c) => columns.get(c.view)?.includes(ctl)),
          `${p.id} control ${ctl}`,
        ).toBe(true);
      }
    }
  });

  it('has one data source per view, and every chart reads one of them', () => {
    expect(report.dataSources.map((d) => d.view).sort()).toEqual(viewNames());
    const sourced = new Set(report.dataSources.map((d) => d.view));
    for (const c of charts) expect(sourced.has(c.view), c.id).toBe(true);
    expect(new Set(charts.map((c) => c.id)).size).toBe(charts.length);
  });
});

describe('the Linking API URL', () => {
  it('creates the report from the template with one BigQuery table source per view', () => {
    const url = new URL(linkingUrl(report, target));
    expect(`${url.origin}${url.pathname}`).toBe('https://lookerstudio.google.com/reporting/create');
    const p = url.searchParams;
    expect(p.get('c.reportId')).toBe(target.templateReportId);
    expect(p.get('r.reportName')).toBe('StockOps');
    const aliases = [
      ...new Set([...p.keys()].filter((k) => k.startsWith('ds.')).map((k) => k.split('.')[1])),
    ];
    expect(aliases.sort()).toEqual(report.dataSources.map((d) => d.alias).sort());
    for (const { alias, view } of report.dataSources) {
      expect(p.get(`ds.${alias}.connector`)).toBe('bigQuery');
      expect(p.get(`ds.${alias}.type`)).toBe('TABLE');
      expect(p.get(`ds.${alias}.projectId`)).toBe('my-stockops-project');
      expect(p.get(`ds.${alias}.datasetId`)).toBe('stockops_prod');
      expect(p.get(`ds.${alias}.tableId`)).toBe(view);
      expect(p.has(`ds.${alias}.billingProjectId`)).toBe(false);
    }
    // Every parameter once: 2 report parameters and 5 per data source.
    expect([...p.keys()].length).toBe(2 + 5 * report.dataSources.length);
    expect(new Set(p.keys()).size).toBe([...p.keys()].length);
  });

  it('percent-encodes values and is the same for the same inputs', () => {
    const name = 'StockOps & friends: 10/12 #1 é';
    const raw = linkingUrl(report, {
      ...target,
      reportName: name,
      billingProjectId: 'example.com:billing-proj',
    });
    expect(raw).toContain(`r.reportName=${encodeURIComponent(name)}`);
    expect(raw).not.toMatch(/[ #é]/);
    const p = new URL(raw).searchParams;
    expect(p.get('r.reportName')).toBe(name);
    expect(p.get('ds.ds0.billingProjectId')).toBe('example.com:billing-proj');
    expect(linkingUrl(report, target)).toBe(linkingUrl(report, target));
  });

  it('names the bad input', () => {
    expect(() => linkingUrl(report, { ...target, projectId: '' })).toThrow(
      /project id is required/,
    );
    expect(() => linkingUrl(report, { ...target, projectId: 'My Project' })).toThrow(
      /project id "My Project" is not valid/,
    );
    expect(() => linkingUrl(report, { ...target, datasetId: 'stock-ops' })).toThrow(
      /dataset id "stock-ops"/,
    );
    expect(() => linkingUrl(report, { ...target, templateReportId: 'a&b' })).toThrow(
      /template report id/,
    );
    const twice = {
      ...report,
      dataSources: [...report.dataSources, { alias: 'ds0', view: 'accuracy' }],
    };
    expect(() => linkingUrl(twice, target)).toThrow(/alias ds0 is used twice/);
  });
});
