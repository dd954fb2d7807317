/** Exponential backoff with full jitter, for calls whose failures say whether they are transient. */

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

export async function withRetry<T>(
  fn: () => Promise<T>,
  isRetryable: (e: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: Sleep = realSleep,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await fn();
    } catch (e) {
      if (n >= policy.attempts || !isRetryable(e)) throw e;
      await sleep(backoffDelay(n, policy));
    }
  }
}
