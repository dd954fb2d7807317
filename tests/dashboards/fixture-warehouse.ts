/** Writes the view fixtures into a DuckDB warehouse file through the real adapter. */
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import { earlierAttempts, fixtures, type Fixtures } from './views.fixtures.js';

export interface FixtureOptions {
  /** Also keep `earlierAttempts` in pipeline_runs (its key has the attempt: an append-only log). */
  appendOnly?: boolean;
  /** Tables to leave empty (the empty state). */
  only?: Partial<Fixtures>;
}

export async function writeFixtureWarehouse(path: string, o: FixtureOptions = {}): Promise<void> {
  const wh = await createDuckDbWarehouse({ path });
  try {
    await wh.init();
    await wh.upsertBatch(o.only ?? fixtures);
    if (o.appendOnly) await wh.upsert('pipeline_runs', earlierAttempts);
  } finally {
    await wh.close();
  }
}
