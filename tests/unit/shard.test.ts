/**
 * Sharding a watchlist across the tasks of a batch (pipelines/shard.ts) and reading a task's place
 * from the Cloud Run job's variables or the CLI flags (config.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadTaskPlacement } from '../../pipelines/config.js';
import { MAX_TASKS, parseShard, sharedRunId, shardOf } from '../../pipelines/shard.js';

const ticker = fc.stringMatching(/^[A-Z0-9.^=-]{1,6}$/);
const watchlist = fc.array(ticker, { maxLength: 300 });
const taskCount = fc.integer({ min: 1, max: 40 });

const shardsOf = (tickers: string[], count: number) =>
  Array.from({ length: count }, (_, index) => shardOf(tickers, { index, count }));

describe('shardOf', () => {
  it('puts every ticker of the watchlist in exactly one shard', () => {
    fc.assert(
      fc.property(watchlist, taskCount, (tickers, count) => {
        const all = shardsOf(tickers, count).flat();
        expect(all.length).toBe(new Set(all).size);
        expect(new Set(all)).toEqual(new Set(tickers));
      }),
    );
  });

  it('is balanced: shard sizes differ by at most one', () => {
    fc.assert(
      fc.property(watchlist, taskCount, (tickers, count) => {
        const sizes = shardsOf(tickers, count).map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is deterministic: independent of the watchlist order and of repeated tickers', () => {
    fc.assert(
      fc.property(
        watchlist.chain((t) =>
          fc.tuple(fc.constant(t), fc.shuffledSubarray(t, { minLength: t.length })),
        ),
        taskCount,
        (pair, count) => {
          const [tickers, shuffled] = pair;
          const doubled = [...shuffled, ...shuffled];
          expect(shardsOf(doubled, count)).toEqual(shardsOf(tickers, count));
        },
      ),
    );
  });

  it('deals the sorted watchlist round-robin', () => {
    expect(shardsOf(['MSFT', 'AAPL', 'SPY', 'GOOG', 'INTC'], 2)).toEqual([
      ['AAPL', 'INTC', 'SPY'],
      ['GOOG', 'MSFT'],
    ]);
    // More tasks than tickers: the extra tasks get nothing.
    expect(shardsOf(['B', 'A'], 3)).toEqual([['A'], ['B'], []]);
  });
});

describe('parseShard and loadTaskPlacement', () => {
  it('defaults to the whole watchlist in one task', () => {
    expect(loadTaskPlacement({})).toEqual({ shard: { index: 0, count: 1 } });
    expect(parseShard({})).toEqual({ index: 0, count: 1 });
  });

  it('reads the Cloud Run job variables, and the execution name as the run key', () => {
    const env = {
      CLOUD_RUN_TASK_INDEX: '3',
      CLOUD_RUN_TASK_COUNT: '8',
      CLOUD_RUN_EXECUTION: 'stockops-backfill-x7k2p',
    };
    expect(loadTaskPlacement(env)).toEqual({
      shard: { index: 3, count: 8 },
      runKey: 'stockops-backfill-x7k2p',
    });
  });

  it('lets the flags win over the variables', () => {
    const env = { CLOUD_RUN_TASK_INDEX: '3', CLOUD_RUN_TASK_COUNT: '8', CLOUD_RUN_EXECUTION: 'e' };
    expect(loadTaskPlacement(env, { taskIndex: '1', taskCount: '2', runKey: 'k' })).toEqual({
      shard: { index: 1, count: 2 },
      runKey: 'k',
    });
  });

  it.each([
    [{ CLOUD_RUN_TASK_INDEX: 'two', CLOUD_RUN_TASK_COUNT: '4' }, /CLOUD_RUN_TASK_INDEX "two"/],
    [{ CLOUD_RUN_TASK_INDEX: '-1', CLOUD_RUN_TASK_COUNT: '4' }, /CLOUD_RUN_TASK_INDEX "-1"/],
    [{ CLOUD_RUN_TASK_INDEX: '1.5', CLOUD_RUN_TASK_COUNT: '4' }, /CLOUD_RUN_TASK_INDEX "1.5"/],
    [{ CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '0' }, /CLOUD_RUN_TASK_COUNT "0"/],
    [{ CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: `${MAX_TASKS + 1}` }, /TASK_COUNT/],
    [{ CLOUD_RUN_TASK_INDEX: '4', CLOUD_RUN_TASK_COUNT: '4' }, /INDEX 4 is not below .*COUNT 4/],
    // An index without a count would put every task in shard 0 of 1: refused.
    [{ CLOUD_RUN_TASK_INDEX: '2' }, /CLOUD_RUN_TASK_INDEX 2 is not below the task count 1/],
  ])('refuses %j with a clear error', (env, message) => {
    expect(() => loadTaskPlacement(env)).toThrow(ConfigError);
    expect(() => loadTaskPlacement(env)).toThrow(message);
  });

  it('names the flag when a flag is bad', () => {
    expect(() => loadTaskPlacement({}, { taskIndex: 'x', taskCount: '2' })).toThrow(
      /--task-index "x" is not valid/,
    );
  });
});

describe('sharedRunId', () => {
  it('is the same for every task of one execution and differs between executions', () => {
    expect(sharedRunId('2020-03-02', 'exec-a')).toBe(sharedRunId('2020-03-02', 'exec-a'));
    expect(sharedRunId('2020-03-02', 'exec-a')).not.toBe(sharedRunId('2020-03-02', 'exec-b'));
    expect(sharedRunId('2020-03-02', 'exec-a')).not.toBe(sharedRunId('2020-03-03', 'exec-a'));
    expect(sharedRunId('2020-03-02', 'exec-a')).toMatch(/^2020-03-02-[0-9a-f]{8}$/);
  });
});
