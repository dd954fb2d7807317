/**
 * The one structured log line per finished ticker that infra/monitoring.tf's log-based metrics
 * count (Cloud Logging parses the JSON into jsonPayload): `datasetDrift` for the dataset_drift
 * alert, `servedMaseMax` for served_mase_breach. tests/infra/alerts.test.ts runs the handlers and
 * checks every metric's filter matches a line they write.
 */
import type { TickerResult } from '../pipelines/daily/result.js';
import type { Fields } from '../pipelines/log.js';
import type { TickerMessage } from './events.js';

export const RESULT_MESSAGE = 'ticker result';

/**
 * The largest realised MASE over the horizons of what was served for the ticker, in the ledger's
 * accuracy window (config model.accuracyWindow): 1 is the naive forecast's error, so a value at
 * the alert threshold means the served forecasts were that much worse. Null before any outcome.
 */
export function servedMaseMax(result: TickerResult): number | null {
  const known = (result.realisedMase ?? []).flatMap((r) => (r.mase === null ? [] : [r.mase]));
  return known.length ? Math.max(...known) : null;
}

/** The fields of the result line: the message's keys, then what the alerts and a reader need. */
export function resultLogFields(msg: TickerMessage, result: TickerResult): Fields {
  return {
    ...msg,
    status: result.status,
    decision: result.decision ?? null,
    modelVersion: result.modelVersion ?? null,
    datasetDrift: result.datasetDrift ?? null,
    driftShare: result.driftShare ?? null,
    servedMaseMax: servedMaseMax(result),
  };
}
