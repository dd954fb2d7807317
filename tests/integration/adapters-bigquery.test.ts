/**
 * The BigQuery warehouse against the emulator, with the real client: the port's contract suite
 * unchanged, then what only BigQuery has (partitioning, clustering, load jobs, DML counts, the
 * transaction around a multi-table batch).
 */
import { randomUUID } from 'node:crypto';
import { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarehouseError } from '../../pipelines/ports/warehouse/port.js';
import {
  createBigQueryWarehouse,
  type BigQueryWarehouse,
} from '../../pipelines/ports/warehouse/bigquery.js';
import { tables, type RowOf, type TableName } from '../../pipelines/ports/warehouse/schema.js';
import { warehouseContract } from '../contract/warehouse.contract.js';
import { committingEachWrite } from '../support/staged.js';
import { createStagedWarehouse } from '../../pipelines/ports/warehouse/staged.js';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBigQueryEmulator, type BigQueryEmulator } from '../support/emulators/bigquery.js';

const PROJECT = 'stockops-test';
let emu: BigQueryEmulator;
beforeAll(async () => {
  emu = await startBigQueryEmulator();
});
afterAll(() => emu?.stop());

const newDataset = (): string => `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const open = (
  dataset: string,
  extra: Partial<Parameters<typeof createBigQueryWarehouse>[0]> = {},
): BigQueryWarehouse =>
  createBigQueryWarehouse({ projectId: PROJECT, dataset, apiEndpoint: emu.endpoint, ...extra });

warehouseContract('bigquery (emulator)', () => Promise.resolve(open(newDataset())));
// The staged write path's commit on BigQuery: one load + one MERGE per table, in one transaction.
warehouseContract('staged on bigquery (emulator), committed after each write', () =>
  Promise.resolve(
    committingEachWrite(
      createStagedWarehouse({
        committed: open(newDataset()),
        store: createLocalObjectStore({ dir: mkdtempSync(join(tmpdir(), 'stockops-staged-')) }),
      }),
    ),
  ),
);

const bar = (ticker: string, date: string, close: number): RowOf<'daily_bars'> => ({
  ticker,
  date,
  open: close,
  high: close + 1,
  low: close - 1,
  close,
  adj_close: null,
  volume: 100,
  source: 'test',
  ingested_at: '2026-01-02T03:04:05.678Z',
});
const feature = (ticker: string, date: string, value: number): RowOf<'features'> => ({
  ticker,
  date,
  feature: 'rsi_14',
  value,
});

describe('bigquery warehouse: what only BigQuery has', () => {
  const dataset = newDataset();
  let w: BigQueryWarehouse;
  let raw: BigQuery;
  beforeAll(async () => {
    w = open(dataset);
    await w.init();
    raw = new BigQuery({ projectId: PROJECT, apiEndpoint: emu.endpoint });
  });
  afterAll(() => w?.close());

  it('creates every table with the schema module’s partitioning, clustering and modes', async () => {
    for (const name of Object.keys(tables) as TableName[]) {
      const [metadata] = (await raw.dataset(dataset).table(name).getMetadata()) as unknown[];
      const md = metadata as {
        timePartitioning?: { type?: string; field?: string };
        clustering?: { fields?: string[] };
        schema?: { fields?: { name: string; type: string; mode?: string }[] };
      };
      expect(md.timePartitioning, name).toEqual({
        type: tables[name].partition.granularity,
        field: tables[name].partition.column,
      });
      expect(md.clustering?.fields, name).toEqual(['ticker']);
      const modes = Object.fromEntries(
        (md.schema?.fields ?? []).map((f) => [f.name, `${f.type}:${f.mode ?? 'NULLABLE'}`]),
      );
      for (const [col, type] of Object.entries(tables[name].columns)) {
        const nullable = type.endsWith('?');
        expect(modes[col], `${name}.${col}`).toBe(
          `${type.replace('?', '')}:${nullable ? 'NULLABLE' : 'REQUIRED'}`,
        );
      }
    }
  });

  it('writes a table with one load job and one MERGE, a batch with one each per table in one job', async () => {
    w.resetStats();
    await w.upsert('daily_bars', [bar('CNT', '2022-01-03', 1), bar('CNT', '2022-01-04', 2)]);
    expect(w.stats()).toMatchObject({ loadJobs: 1, dmlStatements: 1, queryJobs: 1 });
    w.resetStats();
    await w.upsertBatch({
      daily_bars: [bar('CNT', '2022-01-05', 3)],
      features: [feature('CNT', '2022-01-05', 50), feature('CNT', '2022-01-04', 49)],
      predictions: [],
    });
    expect(w.stats()).toEqual({
      loadJobs: 2,
      dmlStatements: 2,
      queryJobs: 1,
      byTable: {
        daily_bars: { loadJobs: 1, dmlStatements: 1 },
        features: { loadJobs: 1, dmlStatements: 1 },
      },
    });
    w.resetStats();
    await w.select('daily_bars', { where: { ticker: 'CNT' } });
    await w.delete('features', { ticker: 'CNT', date: '2022-01-04' });
    expect(w.stats()).toMatchObject({ loadJobs: 0, dmlStatements: 1, queryJobs: 2 });
    expect(await w.select('features', { where: { ticker: 'CNT' } })).toEqual([
      feature('CNT', '2022-01-05', 50),
    ]);
  });

  it('leaves no staging table behind', async () => {
    const [list] = await raw.dataset(dataset).getTables();
    const ids = list.map((t) => t.id ?? '');
    expect(ids.filter((id) => id.startsWith('_staging_'))).toEqual([]);
    expect(ids.sort()).toEqual(Object.keys(tables).sort());
  });

  it('rolls the whole batch back when a later table’s MERGE fails on the server', async () => {
    const before = {
      bars: await w.select('daily_bars', { where: { ticker: 'RB' } }),
      features: await w.select('features', { where: { ticker: 'RB' } }),
    };
    await w.upsert('daily_bars', [bar('RB', '2022-02-01', 1)]);
    const failing = open(dataset, {
      // The emulator answers 500 to deleting a view (the swapped staging table below); without this
      // the client would retry that clean-up for ~16 s.
      retries: 0,
      // After the loads, the features staging table becomes a view whose value column raises: the
      // transaction's first MERGE (daily_bars) runs, the second fails while it runs.
      onPhase: async (_phase, { staging }) => {
        const t = `\`${PROJECT}.${dataset}.${staging.features ?? ''}\``;
        const [job] = await raw.createQueryJob({
          query: `DROP TABLE ${t};
CREATE VIEW ${t} AS SELECT 'RB' AS ticker, DATE '2022-02-02' AS date, 'rsi_14' AS feature,
  CAST(ERROR('injected failure') AS FLOAT64) AS value;`,
        });
        await job.getQueryResults();
      },
    });
    const err = await failing
      .upsertBatch({
        daily_bars: [bar('RB', '2022-02-01', 99), bar('RB', '2022-02-02', 2)],
        features: [feature('RB', '2022-02-02', 10)],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WarehouseError);
    expect((err as WarehouseError).message).toMatch(/injected failure/);
    expect((err as WarehouseError).retryable).toBe(false);
    expect((err as WarehouseError).operation).toBe('upsert daily_bars,features');
    expect(await w.select('daily_bars', { where: { ticker: 'RB' } })).toEqual([
      ...before.bars,
      bar('RB', '2022-02-01', 1),
    ]);
    expect(await w.select('features', { where: { ticker: 'RB' } })).toEqual(before.features);
  });

  it('refuses a project or dataset name that is not an identifier', () => {
    expect(() => open('stockops`; DROP SCHEMA x; --')).toThrow(/dataset .* letters, digits/);
    expect(() =>
      createBigQueryWarehouse({ projectId: 'a`b', dataset: 'ok', apiEndpoint: emu.endpoint }),
    ).toThrow(/project id/);
  });
});
