/**
 * Faults a user meets on the command line, through the real `stockops` process: each gives a plain,
 * bounded message naming the ticker, the file or object and the cause, and the right exit code —
 * never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../pipelines/catalog.js';
import { loadConfig } from '../../pipelines/config.js';
import { nullLogger } from '../../pipelines/log.js';
import { DATASET_ROW } from '../../pipelines/ports/warehouse/schema.js';
import { cli, type Exit } from '../support/cli.js';

const DATE = '2020-04-17';
const SMALL = {
  source: { startDate: '2018-06-01' },
  model: { units: 16, trainDays: 200, epochs: 2 },
};
const STACK = /\n\s+at /;

/** One plain line or a few, printable, bounded. */
function expectPlain(out: Exit): void {
  expect(out.stderr).not.toMatch(STACK);
  expect(out.stderr.length).toBeLessThan(1000);
  expect(out.stderr.replace(/[\n\t]/g, '')).not.toMatch(/\p{Cc}/u);
}

const tmp = (name: string) => mkdtemp(join(tmpdir(), `stockops-${name}-`));

describe('stockops CLI faults', () => {
  it('a binary-garbage CSV fails its ticker (exit 2) naming the ticker, the file and the rule, bounded', async () => {
    const csv = await tmp('garbage-csv');
    await writeFile(join(csv, 'GARB.csv'), randomBytes(4096));
    const out = await cli(
      ['run', '--date', DATE, '--csv-dir', csv, '--tickers', 'GARB'],
      await tmp('d'),
    );
    expect(out.code, out.stderr).toBe(2);
    const row = out.stdout.split('\n').find((l) => l.startsWith('GARB')) ?? '';
    expect(row).toContain('FAILED at ingest');
    expect(row).toContain(`GARB: ${join(csv, 'GARB.csv')}: missing column(s) date, open, high`);
    expect(row.length).toBeLessThan(600);
    expect(row).not.toMatch(/[\p{Cc}\uFFFD]/u);
  });

  it('a missing --csv-dir folder exits 1 with one plain line naming it', async () => {
    const out = await cli(
      ['run', '--date', DATE, '--csv-dir', '/nonexistent/ohlc', '--tickers', 'AAPL'],
      await tmp('d'),
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/the CSV folder "\/nonexistent\/ohlc" .* does not exist/);
    expect(out.stdout).toBe('');
    expectPlain(out);
  });

  it('a data folder that cannot be created exits 1 naming the folder and the cause', async () => {
    const d = await tmp('file');
    await writeFile(join(d, 'a-file'), 'x');
    const out = await cli(['run', '--date', DATE], join(d, 'a-file', 'sub'));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/cannot create the warehouse folder .*a-file\/sub: ENOTDIR/);
    expectPlain(out);
  });

  it('backfill --from after --to exits 1 with a plain message', async () => {
    const out = await cli(
      ['backfill', '--from', '2020-04-17', '--to', '2020-04-01'],
      await tmp('d'),
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('backfill: --from 2020-04-17 is after --to 2020-04-01');
    expectPlain(out);
  });

  it('a warehouse locked by another process exits 1 naming the file and the holder', async () => {
    const d = await tmp('locked');
    const holder = await DuckDBInstance.create(join(d, 'warehouse.duckdb'));
    try {
      const out = await cli(['run', '--date', DATE], d);
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(
        new RegExp(
          `the warehouse ${join(d, 'warehouse.duckdb')} is locked by another process \\(PID ${process.pid}`,
        ),
      );
      expectPlain(out);
    } finally {
      holder.closeSync();
    }
  });

  it('--tickers "" is refused instead of running the whole watchlist', async () => {
    const out = await cli(['run', '--date', DATE, '--tickers', ''], await tmp('d'));
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('--tickers "" names no ticker');
    expect(out.stdout).toBe('');
  });

  it('MLFLOW_TRACKING_URI without a scheme is refused instead of silently tracking locally', async () => {
    const out = await cli(['run', '--date', DATE], await tmp('d'), {
      MLFLOW_TRACKING_URI: '127.0.0.1:5000',
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/MLFLOW_TRACKING_URI "127.0.0.1:5000" is not an http/);
  });
});

describe('a corrupt prediction-reference.json', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await tmp('predref');
    config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(SMALL));
    const out = await cli(['run', '--date', DATE, '--config', config], dir);
    expect(out.code, out.stderr).toBe(0);
  });

  it('skips only prediction drift, with a warning naming the object and the cause', async () => {
    const versions = join(dir, 'artifacts', 'models', 'SP500');
    const [label] = await readdir(versions);
    const ref = join(versions, label ?? '', 'prediction-reference.json');
    await writeFile(ref, '{"not json');
    // A later day loads the same version and scores drift against it.
    const out = await cli(['run', '--date', '2020-04-20', '--config', config], dir);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(out.stderr).toMatch(/prediction reference unreadable; prediction drift skipped/);
    expect(out.stderr).toContain('prediction-reference.json');
    expect(out.stderr).toMatch(/"ticker":"SP500"/);
    const cat = await openCatalog(loadConfig({ env: { STOCKOPS_DATA_DIR: dir }, file: config }), {
      log: nullLogger,
    });
    try {
      const rows = await cat.warehouse.select('drift_scores', {
        where: { as_of_date: '2020-04-17' },
      });
      expect(rows.map((r) => r.feature)).toContain(DATASET_ROW);
      expect(rows.map((r) => r.feature)).toContain('rsi_14');
    } finally {
      await cat.close();
    }
  });
});
