import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  columnsOf,
  isNullable,
  tables,
  type TableName,
} from '../../pipelines/ports/warehouse/schema.js';
import { renderTablesFile } from '../../scripts/infra/gen-tables.js';
import { definitionOf, TABLES_FILE, type TableDefinition } from '../../scripts/infra/tables.js';
import { block, INFRA_DIR, loadInfra } from './hcl.js';

const root = join(INFRA_DIR, '..');

describe('infra/ BigQuery tables', () => {
  it('are exactly what the schema module generates (run scripts/infra/gen-tables.ts after a schema change)', async () => {
    const committed = await readFile(join(root, TABLES_FILE), 'utf8');
    expect(committed).toBe(await renderTablesFile());
  });

  it('have every schema table, with its columns, types and nullability, partitioned and clustered', async () => {
    const infra = await loadInfra();
    const defs = infra.locals.warehouse_tables as Record<string, TableDefinition>;
    expect(Object.keys(defs).sort()).toEqual(Object.keys(tables).sort());
    for (const name of Object.keys(tables) as TableName[]) {
      const def = defs[name] as TableDefinition;
      const cols = columnsOf(name);
      expect(def.schema.map((f) => f.name)).toEqual(cols.map(([c]) => c));
      expect(def.schema.map((f) => f.mode)).toEqual(
        cols.map(([, t]) => (isNullable(t) ? 'NULLABLE' : 'REQUIRED')),
      );
      const partitionType = Object.fromEntries(cols)[def.partition_field] ?? '';
      expect(partitionType, `${name}.${def.partition_field}`).toMatch(/^(DATE|TIMESTAMP)$/);
      if (cols.some(([c]) => c === 'ticker')) expect(def.clustering).toEqual(['ticker']);
    }
    // The table resource builds from that local, nothing by hand.
    const table = infra.resources.google_bigquery_table?.warehouse ?? {};
    expect(table.for_each).toBe('${local.warehouse_tables}');
    expect(table.schema).toBe('${jsonencode(each.value.schema)}');
    expect(block(table, 'time_partitioning').field).toBe('${each.value.partition_field}');
  });

  it('partition by the main DATE column by default, else the first TIMESTAMP', () => {
    const defs = Object.fromEntries(
      Object.entries(tables).map(([n, d]) => [n, definitionOf(n, d as never)]),
    );
    expect(defs.daily_bars?.partition_field).toBe('date');
    expect(defs.pipeline_runs?.partition_field).toBe('run_date');
    expect(defs.predictions?.partition_field).toBe('as_of_date');
    // quarantine keeps the offending date as text (it may not be a date at all).
    expect(defs.quarantine?.partition_field).toBe('quarantined_at');
  });

  it("follow a table's own partition/cluster declaration when the schema module has one", () => {
    const columns = {
      ticker: 'STRING',
      as_of_date: 'DATE',
      target_date: 'DATE',
      horizon: 'INT64',
    } as const;
    const def = definitionOf('t', {
      description: 'd',
      columns,
      partition: { column: 'target_date', granularity: 'MONTH' },
      cluster: ['ticker', 'horizon'],
    });
    expect([def.partition_field, def.partition_type, def.clustering]).toEqual([
      'target_date',
      'MONTH',
      ['ticker', 'horizon'],
    ]);
    expect(
      definitionOf('t', { description: 'd', columns, partition: 'as_of_date' }).partition_field,
    ).toBe('as_of_date');
    expect(() => definitionOf('t', { description: 'd', columns, partition: 'horizon' })).toThrow(
      /partition column horizon is INT64/,
    );
    expect(() => definitionOf('t', { description: 'd', columns, cluster: ['nope'] })).toThrow(
      /cluster must list up to 4 of its columns/,
    );
    expect(() => definitionOf('t', { description: 'd', columns: { ticker: 'STRING' } })).toThrow(
      /no DATE or TIMESTAMP column/,
    );
  });

  it('create one view per dashboards/views/*.sql file', async () => {
    const infra = await loadInfra();
    expect(infra.locals.views).toMatch(/fileset\(local\.views_dir, "\*\.sql"\)/);
    expect(infra.locals.views_dir).toBe('${path.module}/../dashboards/views');
    const view = infra.resources.google_bigquery_table?.view ?? {};
    expect(view.for_each).toBe('${local.views}');
    expect(block(view, 'view').use_legacy_sql).toBe(false);
  });

  it("fill each view's ${dataset} with the quoted project.dataset path (a stored view has no default project)", async () => {
    const infra = await loadInfra();
    const view = infra.resources.google_bigquery_table?.view ?? {};
    expect(String(block(view, 'view').query)).toContain(
      'dataset = "`${var.project}.${google_bigquery_dataset.stockops.dataset_id}`"',
    );
    // The SQL names no other placeholder, so nothing else is left for templatefile to fill.
    const dir = join(INFRA_DIR, '../dashboards/views');
    for (const f of (await readdir(dir)).filter((x) => x.endsWith('.sql'))) {
      const names = new Set(
        [...(await readFile(join(dir, f), 'utf8')).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]),
      );
      expect([...names], f).toEqual(['dataset']);
    }
  });
});
