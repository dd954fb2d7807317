import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_INDICATORS, loadConfig } from '../../pipelines/config.js';

describe('config', () => {
  it('defaults to the embedded adapters and the user’s model', () => {
    const c = loadConfig();
    expect(c.warehouse).toEqual({ kind: 'duckdb', path: '.data/warehouse.duckdb' });
    expect(c.objectStore.kind).toBe('local');
    expect(c.tracking.kind).toBe('local');
    expect(c.bus.kind).toBe('memory');
    expect(c.model.units).toBe(200);
    expect(c.horizons).toEqual([10]);
    expect(c.indicators).toEqual(DEFAULT_INDICATORS);
  });

  it('resolves defaults → file → env → overrides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ lookback: 40, concurrency: 3, model: { epochs: 7 } }));
    const c = loadConfig({
      file,
      env: { STOCKOPS_LOOKBACK: '50', STOCKOPS_TICKERS: 'aapl, msft', STOCKOPS_DATA_DIR: '/d' },
      overrides: { concurrency: 4 },
    });
    expect(c.lookback).toBe(50);
    expect(c.concurrency).toBe(4);
    expect(c.model.epochs).toBe(7);
    expect(c.model.units).toBe(200);
    expect(c.watchlist).toEqual(['AAPL', 'MSFT']);
    expect(c.warehouse).toEqual({ kind: 'duckdb', path: '/d/warehouse.duckdb' });
  });

  it('reads MLflow’s own variables, and an adapter kind replaces its whole section', () => {
    const c = loadConfig({
      env: {
        MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000',
        MLFLOW_TRACKING_USERNAME: 'u',
        MLFLOW_TRACKING_PASSWORD: 'p',
        MLFLOW_EXPERIMENT_NAME: 'exp',
      },
    });
    expect(c.tracking).toMatchObject({
      kind: 'mlflow',
      uri: 'http://127.0.0.1:5000',
      experimentName: 'exp',
      username: 'u',
    });
    expect(c.tracking).not.toHaveProperty('dir');
  });

  it('takes the build commit from STOCKOPS_GIT_COMMIT, validated; the checkout’s HEAD when unset', () => {
    const deployed = loadConfig({ env: { STOCKOPS_GIT_COMMIT: 'abc1234def56-dirty' } });
    expect(deployed.build.gitCommit).toBe('abc1234def56-dirty');
    expect(() => loadConfig({ env: { STOCKOPS_GIT_COMMIT: 'main' } })).toThrow(
      /build\.gitCommit: expected a git commit hash/,
    );
    // Development: the test runs from a git checkout.
    expect(loadConfig().build.gitCommit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('names what is wrong', () => {
    expect(() => loadConfig({ env: { STOCKOPS_LOOKBACK: 'ten' } })).toThrow(
      new ConfigError('STOCKOPS_LOOKBACK must be a number, got "ten"'),
    );
    expect(() => loadConfig({ overrides: { lookback: 1 } })).toThrow(/lookback: Too small/);
    expect(() => loadConfig({ overrides: { source: { kind: 'csv' } } })).toThrow(
      /source\.csvDir is required/,
    );
    expect(() => loadConfig({ file: '/nope/c.json' })).toThrow(
      /cannot read config file \/nope\/c\.json/,
    );
    expect(() => loadConfig({ overrides: { watchlist: ['aapl'] } })).toThrow(
      /watchlist\.0: ticker symbols are upper case/,
    );
  });

  it('rejects unknown or misspelled keys in a config file, naming the key and the nearest valid one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'typo.json');
    writeFileSync(
      file,
      JSON.stringify({ model: { epoch: 3 }, lookbak: 20, warehouse: { kind: 'duckdb', pth: 'x' } }),
    );
    let message = '';
    try {
      loadConfig({ file });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain(
      `unknown key "model.epoch" in ${file} (did you mean "model.epochs"?)`,
    );
    expect(message).toContain('unknown key "lookbak"');
    expect(message).toContain('(did you mean "lookback"?)');
    expect(message).toContain('(did you mean "warehouse.path"?)');
    // A key like nothing valid lists what is allowed there.
    writeFileSync(file, JSON.stringify({ drift: { zzzzzzzz: 1 } }));
    expect(() => loadConfig({ file })).toThrow(
      /unknown key "drift.zzzzzzzz".*valid keys here: currentDays, minCurrentRows, datasetShare/,
    );
  });

  it('refuses an MLflow tracking URI without an http(s) scheme instead of tracking locally', () => {
    for (const uri of ['127.0.0.1:5000', 'mlflow.internal', 'file:///tmp/mlruns']) {
      expect(() => loadConfig({ env: { MLFLOW_TRACKING_URI: uri } })).toThrow(
        /MLFLOW_TRACKING_URI ".*" is not an http:\/\/ or https:\/\/ URL/,
      );
    }
    // Credentials in a malformed URI are not echoed.
    expect(() => loadConfig({ env: { MLFLOW_TRACKING_URI: 'user:secret@host:5000' } })).toThrow(
      /"\*\*\*@host:5000"/,
    );
    expect(
      loadConfig({ env: { MLFLOW_TRACKING_URI: 'HTTPS://mlflow.example' } }).tracking.kind,
    ).toBe('mlflow');
  });

  it('reads the contract plausibility rules, with defaults', () => {
    expect(loadConfig().contract).toEqual({
      minPrice: 1e-6,
      maxPrice: 1e7,
      maxVolume: 1e13,
      maxDailyFactor: 5,
    });
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ contract: { maxDailyFactor: 1.5 } }));
    expect(loadConfig({ file }).contract.maxDailyFactor).toBe(1.5);
    writeFileSync(file, JSON.stringify({ contract: { maxDailyFactor: 1 } }));
    expect(() => loadConfig({ file })).toThrow(/contract.maxDailyFactor/);
  });
});

describe('staging prefix', () => {
  it('is the functions’ shared one, unless a Cloud Run job task names its own', () => {
    expect(loadConfig({ env: {} }).stagingPrefix).toBe('warehouse-staging');
    // One of the two alone is not a job task (a local --task-index run stages as usual).
    expect(loadConfig({ env: { CLOUD_RUN_TASK_INDEX: '3' } }).stagingPrefix).toBe(
      'warehouse-staging',
    );
    const task = (i: string) =>
      loadConfig({ env: { CLOUD_RUN_EXECUTION: 'backfill-x7k2p', CLOUD_RUN_TASK_INDEX: i } });
    expect(task('3').stagingPrefix).toBe('warehouse-staging/tasks/backfill-x7k2p-3');
    expect(task('3').stagingPrefix).not.toBe(task('4').stagingPrefix);
  });
});
