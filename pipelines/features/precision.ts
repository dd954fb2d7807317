import { getConfig, setConfig } from 'technicalindicators';

/**
 * Runs `fn` with technicalindicators' process-wide `precision` setting cleared, then restores it.
 * When set, the library rounds intermediate values (e.g. the SMA seed inside EMA, WEMA and ATR's
 * true range) even where callers pass their own `format`, which would break the 1e-6 match with
 * TA-Lib. Safe because the computation is synchronous: nothing else runs in between.
 */
export function withFullPrecision<T>(fn: () => T): T {
  const saved: unknown = getConfig('precision');
  if (saved === undefined) return fn();
  setConfig('precision', undefined);
  try {
    return fn();
  } finally {
    setConfig('precision', saved);
  }
}
