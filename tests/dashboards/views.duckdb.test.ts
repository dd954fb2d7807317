/** Every dashboard view on DuckDB, against rows computed independently from the same fixtures. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runView } from '../../dashboards/duckdb-views.js';
import { viewNames, viewSql } from '../../dashboards/views.js';
import { writeFixtureWarehouse } from './fixture-warehouse.js';
import { expectedRows, sameRows } from './views.cases.js';

const dir = mkdtempSync(join(tmpdir(), 'stockops-views-'));
const open: { db: DuckDBInstance; conn: DuckDBConnection }[] = [];

async function connect(path: string): Promise<DuckDBConnection> {
  const db = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  open.push({ db, conn });
  return conn;
}

let keyed: DuckDBConnection;
let appendOnly: DuckDBConnection;

beforeAll(async () => {
  await writeFixtureWarehouse(join(dir, 'keyed.duckdb'));
  await writeFixtureWarehouse(join(dir, 'append-only.duckdb'), { appendOnly: true });
  keyed = await connect(join(dir, 'keyed.duckdb'));
  appendOnly = await connect(join(dir, 'append-only.duckdb'));
});

afterAll(() => {
  for (const { db, conn } of open) {
    conn.closeSync();
    db.closeSync();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard views on DuckDB', () => {
  it('has one expected row set per view file', () => {
    expect(Object.keys(expectedRows()).sort()).toEqual(viewNames());
  });

  for (const name of Object.keys(expectedRows())) {
    it(`${name} returns the expected rows`, async () => {
      const { rows } = await runView(keyed, name);
      const expected = expectedRows()[name] ?? [];
      expect(rows.length).toBe(expected.length);
      const [got, want] = sameRows(rows, expected);
      expect(got).toEqual(want);
    });
  }

  it('pipeline_health reads the latest record of each stage in an append-only log', async () => {
    const { rows } = await runView(appendOnly, 'pipeline_health');
    const [got, want] = sameRows(rows, expectedRows(true).pipeline_health ?? []);
    expect(got).toEqual(want);
    const bbbIngest = rows.find(
      (r) => r.ticker === 'BBB' && r.stage === 'ingest' && r.attempts === 3,
    );
    expect(bbbIngest).toMatchObject({ outcome: 'ok', failure_reason: null });
  });

  it('every view reads its tables through ${dataset} and nothing else', () => {
    for (const name of viewNames()) {
      const sql = viewSql(name, 'ds');
      const refs = [...sql.matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)/g)].map((m) => m[1]);
      const tables = refs.filter((r) => r?.includes('.'));
      expect(tables.length, name).toBeGreaterThan(0);
      for (const t of tables) expect(t, name).toMatch(/^ds\.[a-z_]+$/);
    }
  });

  it('an unknown view is an error naming it', () => {
    expect(() => viewSql('nope', 'main')).toThrow(/no view "nope"/);
  });
});
