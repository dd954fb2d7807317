/**
 * Every dashboard view on BigQuery (the emulator, the real client), against the same expected rows
 * and fixtures as the DuckDB test: one SQL text per view, run on both engines.
 */
import { randomUUID } from 'node:crypto';
import { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell, ViewRow } from '../../dashboards/duckdb-views.js';
import { viewSql } from '../../dashboards/views.js';
import { createBigQueryWarehouse } from '../../pipelines/ports/warehouse/bigquery.js';
import { startBigQueryEmulator, type BigQueryEmulator } from '../support/emulators/bigquery.js';
import { expectedRows, sameRows } from './views.cases.js';
import { earlierAttempts, fixtures } from './views.fixtures.js';

const PROJECT = 'stockops-views';
let emu: BigQueryEmulator;
let client: BigQuery;
const keyed = `v_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const appendOnly = `${keyed}_log`;

/** BigQuery's row values as the views' plain JSON cells (DATE and TIMESTAMP come wrapped). */
function plain(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && 'value' in v) return String(v.value);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

async function runView(dataset: string, name: string): Promise<ViewRow[]> {
  const [job] = await client.createQueryJob({
    query: viewSql(name, `\`${PROJECT}.${dataset}\``),
  });
  const [rows] = await job.getQueryResults();
  return (rows as Record<string, unknown>[]).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])),
  );
}

beforeAll(async () => {
  emu = await startBigQueryEmulator();
  client = new BigQuery({ projectId: PROJECT, apiEndpoint: emu.endpoint });
  for (const [dataset, withEarlier] of [
    [keyed, false],
    [appendOnly, true],
  ] as const) {
    const wh = createBigQueryWarehouse({ projectId: PROJECT, dataset, apiEndpoint: emu.endpoint });
    await wh.init();
    await wh.upsertBatch(fixtures);
    if (withEarlier) await wh.upsert('pipeline_runs', earlierAttempts);
    await wh.close();
  }
});
afterAll(() => emu?.stop());

describe('dashboard views on BigQuery (emulator)', () => {
  for (const name of Object.keys(expectedRows())) {
    it(`${name} returns the same rows as on DuckDB`, async () => {
      const rows = await runView(keyed, name);
      const expected = expectedRows()[name] ?? [];
      expect(rows.length).toBe(expected.length);
      const [got, want] = sameRows(rows, expected);
      expect(got).toEqual(want);
    });
  }

  it('pipeline_health reads the latest record of each stage in an append-only log', async () => {
    const [got, want] = sameRows(
      await runView(appendOnly, 'pipeline_health'),
      expectedRows(true).pipeline_health ?? [],
    );
    expect(got).toEqual(want);
  });
});
