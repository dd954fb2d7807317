/**
 * Exponential backoff with full jitter, for calls whose failures say whether they are transient.
 * p-retry runs the tries; the delay is ours (p-retry's `randomize` only stretches it by 1–2×, full
 * jitter spreads clients over [0, cap]) and goes through `sleep`, so tests need not wait.
 */
import pRetry, { AbortError } from 'p-retry';

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000 };

export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before try `n + 1` (n ≥ 1): uniform in [0, min(max, base·2^(n-1))] so clients spread out. */
export function backoffDelay(
  n: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(cap * random());
}

/**
 * Carries the caller's failure through p-retry untouched: p-retry would turn a thrown non-Error
 * into a TypeError and never retries a TypeError, and `isRetryable` alone must decide.
 */
class Failure extends Error {
  constructor(readonly failure: unknown) {
    super('retry: attempt failed');
  }
}

/** Runs `fn` up to `policy.attempts` times while it fails with an error `isRetryable` accepts. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  isRetryable: (e: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: Sleep = realSleep,
): Promise<T> {
  try {
    return await pRetry(
      async () => {
        try {
          return await fn();
        } catch (e) {
          throw isRetryable(e) ? new Failure(e) : new AbortError(new Failure(e));
        }
      },
      {
        retries: Math.max(0, policy.attempts - 1),
        // No delay of p-retry's own: ours is slept below, before each next try.
        minTimeout: 0,
        onFailedAttempt: async ({ attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) await sleep(backoffDelay(attemptNumber, policy));
        },
      },
    );
  } catch (e) {
    throw e instanceof Failure ? e.failure : e;
  }
}
