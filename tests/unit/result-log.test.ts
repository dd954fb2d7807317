/** The result line's alert fields (functions/result-log.ts); the alerts test runs them end to end. */
import { describe, expect, it } from 'vitest';
import { resultLogFields, servedMaseMax } from '../../functions/result-log.js';

const msg = { runId: 'r', date: '2020-04-17', ticker: 'SP500' };

describe('the ticker result line', () => {
  it('servedMaseMax is the largest known realised MASE over the horizons, null before any', () => {
    const realised = (mase: (number | null)[]) => ({
      ticker: 'SP500',
      status: 'ok' as const,
      realisedMase: mase.map((m, i) => ({ horizon: i + 1, n: m === null ? 0 : 20, mase: m })),
    });
    expect(servedMaseMax(realised([0.9, null, 1.7, 1.2]))).toBe(1.7);
    expect(servedMaseMax(realised([null, null]))).toBeNull();
    expect(servedMaseMax({ ticker: 'SP500', status: 'ok' })).toBeNull();
  });

  it('carries the message keys and null, not a missing field, for what the day did not know', () => {
    expect(resultLogFields(msg, { ticker: 'SP500', status: 'ok' })).toEqual({
      ...msg,
      status: 'ok',
      decision: null,
      modelVersion: null,
      datasetDrift: null,
      driftShare: null,
      servedMaseMax: null,
    });
  });
});
