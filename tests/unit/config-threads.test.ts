/** TensorFlow's thread settings in config, and the concurrency cap they imply. */
import { describe, expect, it } from 'vitest';
import {
  capConcurrency,
  ConfigError,
  effectiveConcurrency,
  loadConfig,
} from '../../pipelines/config.js';

describe('model.threads and the concurrency cap', () => {
  it('reads the thread settings from the environment and validates them', () => {
    const c = loadConfig({
      env: { STOCKOPS_TF_INTRAOP_THREADS: '3', STOCKOPS_TF_INTEROP_THREADS: '0' },
    });
    expect(c.model.threads).toEqual({ intraOp: 3, interOp: 0 });
    expect(() => loadConfig({ env: { STOCKOPS_TF_INTRAOP_THREADS: '-1' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { STOCKOPS_TF_INTRAOP_THREADS: '-1' } })).toThrow(
      /threads\.intraOp/,
    );
  });

  it('caps tickers in parallel so that tickers × intra-op threads fit the cores', () => {
    expect(capConcurrency(2, 1, 2)).toBe(2);
    expect(capConcurrency(8, 1, 2)).toBe(2);
    expect(capConcurrency(2, 2, 2)).toBe(1);
    // 0: TensorFlow's default, one thread per core, so one ticker at a time.
    expect(capConcurrency(4, 0, 16)).toBe(1);
    expect(capConcurrency(4, 4, 16)).toBe(4);
    // Never below one.
    expect(capConcurrency(3, 8, 2)).toBe(1);
  });

  it('is what the daily batch uses, from the loaded config', () => {
    const c = loadConfig({
      overrides: { concurrency: 64, model: { threads: { intraOp: 1, interOp: 1 } } },
    });
    expect(c.concurrency).toBe(64);
    expect(effectiveConcurrency(c, 2)).toBe(2);
    const d = loadConfig({
      overrides: { concurrency: 2, model: { threads: { intraOp: 0, interOp: 0 } } },
    });
    expect(effectiveConcurrency(d, 2)).toBe(1);
  });
});

describe('model.threads default', () => {
  it('follows the cores this process may run on', async () => {
    const { availableParallelism } = await import('node:os');
    const c = loadConfig({ env: {} });
    expect(c.model.threads).toEqual({
      intraOp: availableParallelism(),
      interOp: availableParallelism(),
    });
    expect(effectiveConcurrency(c, availableParallelism())).toBe(1);
  });
});

describe('model.target', () => {
  it('defaults to the volatility-scaled return; a config can ask for the plain ratio', () => {
    expect(loadConfig({ env: {} }).model.target.kind).toBe('volScaledLogReturn');
    const c = loadConfig({ env: {}, overrides: { model: { target: { kind: 'ratio' } } } });
    expect(c.model.target).toEqual({ kind: 'ratio' });
  });
});
