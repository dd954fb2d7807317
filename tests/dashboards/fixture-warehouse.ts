/** Writes the view fixtures into a DuckDB warehouse file through the real adapter. */
import { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import { earlierAttempts, fixtures, type Fixtures } from './views.fixtures.js';

export interface FixtureOptions {
  /** Also keep `earlierAttempts`: pipeline_runs rebuilt without its key, as an append-only log. */
  appendOnly?: boolean;
  /** Tables to leave empty (the empty state). */
  only?: Partial<Fixtures>;
}

export async function writeFixtureWarehouse(path: string, o: FixtureOptions = {}): Promise<void> {
  const wh = await createDuckDbWarehouse({ path });
  try {
    await wh.init();
    await wh.upsertBatch(o.only ?? fixtures);
  } finally {
    await wh.close();
  }
  if (!o.appendOnly) return;
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  try {
    await conn.run('CREATE TABLE pipeline_runs_log AS SELECT * FROM pipeline_runs');
    await conn.run('DROP TABLE pipeline_runs');
    await conn.run('ALTER TABLE pipeline_runs_log RENAME TO pipeline_runs');
    for (const r of earlierAttempts) {
      await conn.run(
        'INSERT INTO pipeline_runs VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMP, $7::TIMESTAMP, $8, $9, $10)',
        [
          r.run_id,
          r.run_date,
          r.ticker,
          r.stage,
          r.status,
          r.started_at.replace('T', ' ').replace('Z', ''),
          r.finished_at.replace('T', ' ').replace('Z', ''),
          r.duration_ms,
          r.rows,
          r.message,
        ],
      );
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
