/**
 * The `stockops` command line as a real process: exit codes, the printed summary, and what a bad
 * argument says. Each command runs on its own temp data folder and a small model config.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../pipelines/catalog.js';
import { loadConfig } from '../../pipelines/config.js';
import { addTradingDays } from '../../pipelines/calendar/exchange.js';
import { nullLogger } from '../../pipelines/log.js';
import { cli } from '../support/cli.js';

const DATE = '2020-04-17';
const SMALL = { source: { startDate: '2018-06-01' }, model: { units: 16, trainDays: 200 } };

describe('stockops run', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stockops-cli-'));
    config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(SMALL));
  });

  it('runs the day, exits 0 and prints the ticker with its predicted close', async () => {
    const args = ['run', '--date', DATE, '--tickers', 'SP500', '--epochs', '2', '--config', config];
    const out = await cli(args, dir);
    expect(out.code, out.stderr).toBe(0);

    // What the process stored, read back after it exited; the table must show the same numbers.
    const cfg = loadConfig({ env: { STOCKOPS_DATA_DIR: dir }, file: config });
    expect(cfg.model.epochs).not.toBe(2); // so only the --epochs flag can make it 2 below
    const cat = await openCatalog(cfg, { log: nullLogger });
    try {
      const [pred, ...more] = await cat.warehouse.select('predictions', {});
      expect(more).toEqual([]);
      const [decision] = await cat.warehouse.select('model_decisions', {});
      expect(pred?.target_date).toBe(addTradingDays(DATE, 10, 'NYSE'));
      expect(out.stdout).toMatch(new RegExp(`^run ${DATE}-[0-9a-f]{8} for ${DATE}$`, 'm'));
      const row = out.stdout.split('\n').find((l) => /^\s*\|?\s*SP500\b/.test(l)) ?? '';
      expect(row).toContain(DATE);
      expect(row).toContain('train');
      expect(row).toContain(decision?.model_version);
      expect(row).toContain(`${pred?.predicted_close.toFixed(2)} h10 (${pred?.target_date})`);
      expect(row).toMatch(/\bok\s*\|?\s*$/);
      const runs = await cat.warehouse.select('pipeline_runs', {});
      expect(runs.map((r) => r.status)).toEqual(Array(6).fill('ok'));
    } finally {
      await cat.close();
    }
    // The training run and the prediction run; the training took its epochs and units from the
    // flag and the file, the rest from the defaults.
    const root = join(dir, 'tracking', 'runs', 'stockops');
    const tracked = await Promise.all(
      (await readdir(root)).map(
        async (id) =>
          JSON.parse(await readFile(join(root, id, 'run.json'), 'utf8')) as {
            params: Record<string, unknown>;
            tags: Record<string, string>;
          },
      ),
    );
    expect(tracked.map((t) => t.tags.stage).sort()).toEqual(['predict', 'train']);
    expect(tracked.find((t) => t.tags.stage === 'train')?.params).toMatchObject({
      epochs: 2,
      units: 16,
      lookback: cfg.lookback,
    });
  });

  it('a ticker that fails exits 2 and prints the failure with its reason', async () => {
    const out = await cli(['run', '--date', DATE, '--tickers', 'NOPE', '--config', config], dir);
    expect(out.code, out.stderr).toBe(2);
    const row = out.stdout.split('\n').find((l) => l.includes('NOPE')) ?? '';
    expect(row).toMatch(/FAILED at ingest: ingest: NOPE: unknown ticker/);
  });

  it.each(['2020-13-45', '2020-02-30', '17/04/2020'])(
    'an impossible --date %s exits non-zero naming the date, before any work',
    async (date) => {
      const empty = await mkdtemp(join(tmpdir(), 'stockops-cli-bad-'));
      const out = await cli(['run', '--date', date, '--tickers', 'SP500'], empty);
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain(`"${date}"`);
      expect(out.stderr).toMatch(/--date/);
      expect(out.stdout).toBe('');
    },
  );

  it('an invalid config file exits 1 with the field named and no stack trace', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ lookback: 1 }));
    const out = await cli(['run', '--date', DATE, '--config', bad], dir);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/invalid config: lookback: /);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
