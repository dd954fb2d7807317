/**
 * A sharded backfill (issue #18, item 4) through the real entry point, the `stockops` CLI, as a Cloud
 * Run job runs it: shard 0 of 2 from the job's variables (CLOUD_RUN_TASK_INDEX / _COUNT /
 * CLOUD_RUN_EXECUTION), shard 1 of 2 from the flags, both into one warehouse and object store; then
 * the same backfill unsharded into another. Their rows must be the same in every table.
 *
 * What may differ, named: the wall-clock columns of tests/support/tables.ts (`ingested_at`,
 * `quarantined_at`, `started_at`, `finished_at`, `duration_ms`; `evaluations.train_cpu_seconds`, a
 * measured CPU time) and `pipeline_runs.attempt` (a fresh id per execution of a half, by design). Run ids do not differ: all three runs share a run key.
 * The CPU backend keeps training bit-reproducible across processes (the native one need not be).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../pipelines/catalog.js';
import { openCatalog } from '../../pipelines/catalog.js';
import { loadConfig } from '../../pipelines/config.js';
import { nullLogger } from '../../pipelines/log.js';
import { cli, type Exit } from '../support/cli.js';
import { repoFixtures } from '../support/paths.js';
import { snapshotTables, type Snapshot } from '../support/tables.js';

const TICKERS = ['SPY', 'AAPL', 'GOOG', 'SP500'];
// Four sessions (25 December is a holiday): the first trains every ticker, the rest load.
const RANGE = ['--from', '2017-12-22', '--to', '2017-12-28'];
// The Cloud Run execution's name in the job; `--run-key` where the flags stand in for it.
const KEY = 'stockops-backfill-test';
const SMALL = {
  source: { startDate: '2016-06-01' },
  model: { units: 16, epochs: 2, trainDays: 200 },
  serving: { ensembleSize: 1 },
};

function dirs(): { data: string; config: string } {
  const data = mkdtempSync(join(tmpdir(), 'stockops-shards-'));
  const config = join(data, 'config.json');
  writeFileSync(config, JSON.stringify(SMALL));
  return { data, config };
}

const args = (config: string) => [
  'backfill',
  ...RANGE,
  '--config',
  config,
  '--csv-dir',
  join(repoFixtures, 'ohlc'),
  '--tickers',
  TICKERS.join(','),
  '--backend',
  'cpu',
];

/** Every table, `attempt` (one id per execution) dropped from pipeline_runs. */
async function snapshot(dataDir: string): Promise<Snapshot> {
  const config = loadConfig({ env: { STOCKOPS_DATA_DIR: dataDir } });
  const cat: Catalog = await openCatalog(config, { log: nullLogger });
  try {
    const s = await snapshotTables(cat);
    s.pipeline_runs = s.pipeline_runs.map(({ attempt: _attempt, ...r }) => r);
    return s;
  } finally {
    await cat.close();
  }
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('a backfill in two shards equals the same backfill unsharded', () => {
  const sharded = dirs();
  const whole = dirs();
  let shard0: Exit;
  let shard1: Exit;
  let unsharded: Exit;

  beforeAll(async () => {
    shard0 = await cli(args(sharded.config), sharded.data, {
      CLOUD_RUN_TASK_INDEX: '0',
      CLOUD_RUN_TASK_COUNT: '2',
      CLOUD_RUN_EXECUTION: KEY,
    });
    shard1 = await cli(
      [...args(sharded.config), '--task-index', '1', '--task-count', '2', '--run-key', KEY],
      sharded.data,
    );
    unsharded = await cli([...args(whole.config), '--run-key', KEY], whole.data);
  }, 600_000);

  it('runs each shard on its own half of the sorted watchlist', () => {
    for (const e of [shard0, shard1, unsharded]) expect(e.stderr).not.toMatch(/Error/);
    expect([shard0.code, shard1.code, unsharded.code]).toEqual([0, 0, 0]);
    // Sorted: AAPL GOOG SP500 SPY, dealt round-robin.
    expect(shard0.stdout).toContain('task 0 of 2 (0-based): 2 of 4 tickers');
    expect(shard1.stdout).toContain('task 1 of 2 (0-based): 2 of 4 tickers');
    expect(shard0.stdout).toMatch(/AAPL[\s\S]*SP500/);
    expect(shard0.stdout).not.toMatch(/\bGOOG\b|\bSPY\b/);
    expect(shard1.stdout).toMatch(/GOOG[\s\S]*SPY/);
    expect(shard1.stdout).not.toMatch(/\bAAPL\b|\bSP500\b/);
    expect(unsharded.stdout).not.toContain('task ');
    for (const e of [shard0, shard1, unsharded]) {
      expect(e.stdout).toContain('4 trading days replayed');
    }
  });

  it('writes the same rows in every table, and the same object keys', async () => {
    const union = await snapshot(sharded.data);
    const one = await snapshot(whole.data);
    // Not vacuous: every ticker trained and forecast on every session.
    expect(new Set(one.predictions.map((p) => p.ticker))).toEqual(new Set(TICKERS));
    expect(one.predictions).toHaveLength(TICKERS.length * 4);
    expect(new Set(one.predictions.map((p) => p.run_id)).size).toBe(4);
    expect(union).toEqual(one);
    expect(files(join(sharded.data, 'artifacts'))).toEqual(files(join(whole.data, 'artifacts')));
  });
});

describe('evaluate --seed-ledger in two shards equals the same evaluation unsharded', () => {
  const sharded = dirs();
  const whole = dirs();
  const evaluate = (config: string) => [
    'evaluate',
    '--seed-ledger',
    '--from',
    '2017-10-02',
    '--to',
    '2018-01-19',
    '--retrain-every',
    '252',
    '--config',
    config,
    '--csv-dir',
    join(repoFixtures, 'ohlc'),
    '--tickers',
    'GOOG,AAPL',
    '--backend',
    'cpu',
  ];
  let runs: Exit[] = [];

  beforeAll(async () => {
    runs = [
      await cli(
        [...evaluate(sharded.config), '--task-index', '0', '--task-count', '2'],
        sharded.data,
        {
          CLOUD_RUN_EXECUTION: KEY,
        },
      ),
      await cli(evaluate(sharded.config), sharded.data, {
        CLOUD_RUN_TASK_INDEX: '1',
        CLOUD_RUN_TASK_COUNT: '2',
        CLOUD_RUN_EXECUTION: KEY,
      }),
      await cli([...evaluate(whole.config), '--run-key', KEY], whole.data),
    ];
  }, 600_000);

  it('writes the same evaluations and ledger rows, under one run id', async () => {
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(runs[0]?.stdout).toContain('task 0 of 2 (0-based): 1 of 2 tickers');
    const union = await snapshot(sharded.data);
    const one = await snapshot(whole.data);
    expect(new Set(one.evaluations.map((e) => e.ticker))).toEqual(new Set(['AAPL', 'GOOG']));
    expect(new Set(one.outcomes.map((e) => e.ticker))).toEqual(new Set(['AAPL', 'GOOG']));
    expect(new Set([...union.evaluations, ...one.evaluations].map((e) => e.run_id)).size).toBe(1);
    expect(union).toEqual(one);
  });
});

describe('a bad task index or count', () => {
  it('stops the command with exit 1 and one line naming where the value came from', async () => {
    const { data } = dirs();
    const flags = await cli(['backfill', ...RANGE, '--task-index', '2', '--task-count', '2'], data);
    expect(flags.code).toBe(1);
    expect(flags.stderr.trim()).toBe(
      'invalid shard: --task-index 2 is not below --task-count 2; expected 0 <= index < count <= 10000 (whole numbers)',
    );
    const env = await cli(['evaluate', '--from', '2017-10-02', '--to', '2018-01-19'], data, {
      CLOUD_RUN_TASK_INDEX: '0',
      CLOUD_RUN_TASK_COUNT: 'all',
    });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/^invalid shard: CLOUD_RUN_TASK_COUNT "all" is not valid/);
    expect(env.stderr).not.toMatch(/\n\s+at /);
  });
});
