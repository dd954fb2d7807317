/** withRetry: how many tries, which failures are retried, and the jittered delays between tries. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry, type Sleep } from '../../pipelines/ports/retry.js';
import { MlflowError } from '../../pipelines/ports/tracking/mlflow-error.js';

describe('withRetry', () => {
  const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 };
  const transient = new MlflowError('down', 'GET /x', 503, undefined);
  const permanent = new MlflowError('bad', 'GET /x', 400, 'INVALID_PARAMETER_VALUE');

  it('retries transient failures with capped, jittered exponential delays, then gives up', async () => {
    const delays: number[] = [];
    let calls = 0;
    const fail = () => {
      calls++;
      return Promise.reject(transient);
    };
    await expect(
      withRetry(
        fail,
        (e) => e instanceof MlflowError && e.retryable,
        policy,
        (ms) => {
          delays.push(ms);
          return Promise.resolve();
        },
      ),
    ).rejects.toBe(transient);
    expect(calls).toBe(4);
    expect(delays).toHaveLength(3);
    [100, 200, 250].forEach((cap, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(0);
      expect(delays[i]).toBeLessThanOrEqual(cap);
    });
    expect(backoffDelay(3, policy, () => 1)).toBe(250);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(100);
  });

  it('does not retry a permanent failure and returns the first success', async () => {
    let calls = 0;
    const sleep = () => Promise.resolve();
    const isRetryable = (e: unknown) => e instanceof MlflowError && e.retryable;
    await expect(
      withRetry(() => (calls++, Promise.reject(permanent)), isRetryable, policy, sleep),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
    calls = 0;
    const ok = await withRetry(
      () => (++calls < 3 ? Promise.reject(transient) : Promise.resolve('ok')),
      isRetryable,
      policy,
      sleep,
    );
    expect([ok, calls]).toEqual(['ok', 3]);
  });

  const noWait: Sleep = () => Promise.resolve();
  /** Tries a call that always fails with `error` until withRetry gives up; how many tries it made. */
  async function triesUntilGivenUp(error: unknown, retry: boolean, p = policy, sleep = noWait) {
    let calls = 0;
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- any value, on purpose
    const fail = () => (calls++, Promise.reject(error));
    await expect(withRetry(fail, () => retry, p, sleep)).rejects.toBe(error);
    return calls;
  }

  it('makes one try when the policy allows one, and does not sleep after it', async () => {
    const delays: number[] = [];
    const record = (ms: number) => (delays.push(ms), Promise.resolve());
    expect(await triesUntilGivenUp(transient, true, { ...policy, attempts: 1 }, record)).toBe(1);
    expect(delays).toEqual([]);
  });

  it('rethrows what was thrown, Error or not, and lets the predicate alone decide', async () => {
    // p-retry by itself would turn a non-Error into a TypeError and never retry a TypeError.
    expect(await triesUntilGivenUp('plain', false)).toBe(1);
    expect(await triesUntilGivenUp('plain', true)).toBe(4);
    expect(await triesUntilGivenUp(new TypeError('not a network error'), true)).toBe(4);
  });
});
