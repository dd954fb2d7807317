/**
 * `stockops status` on both warehouses: the reading suite on DuckDB and on the BigQuery emulator,
 * then the command as a real process on each (what it prints, and the exit code a cron job gates on).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBigQueryWarehouse } from '../../pipelines/ports/warehouse/bigquery.js';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import { DAY, DAY_BEFORE, seedStatusRows, statusContract } from '../contract/status.contract.js';
import { cli } from '../support/cli.js';
import { startBigQueryEmulator, type BigQueryEmulator } from '../support/emulators/bigquery.js';

const PROJECT = 'stockops-test';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'stockops-status-'));
let emu: BigQueryEmulator;
beforeAll(async () => {
  emu = await startBigQueryEmulator();
});
afterAll(() => emu?.stop());
const dataset = (): string => `s_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

statusContract('duckdb', () => createDuckDbWarehouse({ path: join(tmp(), 'w.duckdb') }));
statusContract('bigquery (emulator)', () =>
  Promise.resolve(
    createBigQueryWarehouse({ projectId: PROJECT, dataset: dataset(), apiEndpoint: emu.endpoint }),
  ),
);

/** The command's env for each warehouse, seeded with the suite's rows. */
const targets: Record<string, () => Promise<{ dir: string; env: Record<string, string> }>> = {
  duckdb: async () => {
    const dir = tmp();
    const w = await createDuckDbWarehouse({ path: join(dir, 'warehouse.duckdb') });
    await w.init();
    await seedStatusRows(w);
    await w.close();
    return { dir, env: {} };
  },
  bigquery: async () => {
    const ds = dataset();
    const w = createBigQueryWarehouse({
      projectId: PROJECT,
      dataset: ds,
      apiEndpoint: emu.endpoint,
    });
    await w.init();
    await seedStatusRows(w);
    await w.close();
    return {
      dir: tmp(),
      env: {
        STOCKOPS_WAREHOUSE: 'bigquery',
        GOOGLE_CLOUD_PROJECT: PROJECT,
        STOCKOPS_BQ_DATASET: ds,
        // The URL form: the client reads the variable too, as its base URL (config.ts).
        BIGQUERY_EMULATOR_HOST: `${emu.endpoint}/bigquery/v2`,
        METADATA_SERVER_DETECTION: 'none',
      },
    };
  },
};

describe.each(Object.keys(targets))('stockops status on %s', (kind) => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ dir, env } = await (targets[kind] ?? targets.duckdb!)());
  });

  it('the latest date: every ticker with its outcome and reason; exit 2 as one failed', async () => {
    const out = await cli(['status'], dir, env);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stdout).toContain(
      `run date ${DAY}: 1 of 3 tickers ok, 2 not ok (BBB, DDD); took 6s`,
    );
    const row = (t: string) => out.stdout.split('\n').find((l) => l.startsWith(`${t} `)) ?? '';
    expect(row('AAA')).toMatch(
      /^AAA\s+ok\s+ingest features model forecast drift record\s+2020-04-17\s+load\s+AAA-v7\s+h10 shrunk \(promoted\)\s+drift \(share 0\.75\)\s+6s\s+–$/,
    );
    expect(row('BBB')).toMatch(
      /^BBB\s+failed\s+ingest features model:failed\s.*model: model: out of memory$/,
    );
    expect(row('DDD')).toMatch(/\binterrupted\b.*model:interrupted/);
    expect(out.stdout).toContain(`CCC: no run on ${DAY} (last run ${DAY_BEFORE})`);
  });

  it('--date of a day where every ticker succeeded exits 0; a day without runs exits 1', async () => {
    const ok = await cli(['status', '--date', DAY_BEFORE], dir, env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`run date ${DAY_BEFORE}: 2 of 2 tickers ok`);
    const none = await cli(['status', '--date', '2020-04-15'], dir, env);
    expect(none.code).toBe(1);
    expect(none.stdout.trim()).toBe('no run recorded for 2020-04-15');
  });
});
