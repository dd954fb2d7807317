/** The per-ticker summary table printed after a run, a backfill or the demo. */
import type { TickerResult } from '../daily.js';
import { formatTable } from './table.js';

const fmt = (v: number | null | undefined, digits = 2): string | undefined =>
  v === null || v === undefined ? undefined : v.toFixed(digits);

export function summaryTable(results: TickerResult[]): string {
  return formatTable(
    [
      'ticker',
      'as of',
      'decision',
      'model version',
      'close D',
      'served D+h (target)',
      'policy',
      'LSTM D+h',
      '80% interval',
      'test MASE',
      'realised MASE (n)',
      'drift share',
      'status',
    ],
    results.map((r) => {
      const f = r.forecasts?.at(-1);
      const real = r.realisedMase?.at(-1);
      return [
        r.ticker,
        r.asOf,
        r.decision === 'train'
          ? r.promoted
            ? 'train, promoted'
            : 'train, kept champion'
          : r.decision,
        r.modelVersion,
        fmt(f?.baseClose),
        f ? `${fmt(f.predictedClose)} h${f.horizon} (${f.targetDate})` : undefined,
        f?.servingPolicy
          ? `${f.servingPolicy}${f.servingPolicy === 'shrunk' ? ` a=${fmt(f.shrinkage)}` : ''}`
          : undefined,
        fmt(f?.lstmClose),
        f && (f.lower80 !== null || f.upper80 !== null)
          ? `${fmt(f.lower80) ?? '0'}–${fmt(f.upper80) ?? '∞'}`
          : undefined,
        fmt(r.testMase?.at(-1), 3),
        real ? `${fmt(real.mase, 3) ?? '–'} (${real.n})` : undefined,
        fmt(r.driftShare),
        r.status === 'ok' ? 'ok' : `FAILED at ${r.failedStage}: ${r.error}`,
      ];
    }),
  );
}

/** One line per earlier run that was found started and never finished (killed), now interrupted. */
export function interruptedNotes(results: TickerResult[]): string[] {
  return results.flatMap((r) =>
    (r.interrupted ?? []).map(
      (i) =>
        `${r.ticker}: earlier run ${i.runId} (run date ${i.runDate}) was interrupted in stage ${i.stage} (started ${i.startedAt}) and never finished`,
    ),
  );
}
