/**
 * `stockops status [--date D]`: the latest (or given) run date's outcome per ticker, printed as a
 * table, and an exit code a cron job can gate on: 0 every ticker ok, 2 any ticker failed, was
 * interrupted or is still running, 1 no run recorded for the date (or the warehouse cannot be read).
 */
import type { Config } from '../config.js';
import { committedWarehouseFor } from '../catalog.js';
import { dayStatus, latestRunDate, type DayStatus } from '../status/read.js';
import { formatDuration } from './progress.js';
import { formatTable } from './table.js';

export const STATUS_EXIT = { ok: 0, noRun: 1, failed: 2 } as const;

export function statusTable(s: DayStatus): string {
  return formatTable(
    [
      'ticker',
      'outcome',
      'stages',
      'as of',
      'decision',
      'serving version',
      'policy',
      'drift',
      'took',
      'reason',
    ],
    s.tickers.map((t) => [
      t.ticker,
      t.outcome,
      t.stages.map((x) => (x.status === 'ok' ? x.stage : `${x.stage}:${x.status}`)).join(' '),
      t.asOf,
      t.decision &&
        (t.decision === 'train'
          ? t.promoted
            ? 'train, promoted'
            : 'train, kept champion'
          : t.decision),
      t.modelVersion,
      t.policy,
      t.drift,
      formatDuration(t.durationMs),
      t.reason && `${t.failedStage}: ${t.reason}`,
    ]),
  );
}

export function statusReport(s: DayStatus): string {
  const failed = s.tickers.filter((t) => t.outcome !== 'ok');
  const lines = [
    `run date ${s.date}: ${s.tickers.length - failed.length} of ${s.tickers.length} tickers ok` +
      `${failed.length ? `, ${failed.length} not ok (${failed.map((t) => t.ticker).join(', ')})` : ''}` +
      `; took ${formatDuration(s.durationMs)}`,
    `run ${[...new Set(s.tickers.map((t) => t.runId))].join(', ')}`,
    '',
    statusTable(s),
  ];
  for (const a of s.absent)
    lines.push(`${a.ticker}: no run on ${s.date} (last run ${a.lastRunDate})`);
  return lines.join('\n');
}

export function statusExitCode(s: DayStatus): number {
  if (!s.tickers.length) return STATUS_EXIT.noRun;
  return s.tickers.some((t) => t.outcome !== 'ok') ? STATUS_EXIT.failed : STATUS_EXIT.ok;
}

/** Reads the status, prints it and returns the exit code. */
export async function runStatus(
  config: Config,
  date: string | undefined,
  print: (text: string) => void,
): Promise<number> {
  // The warehouse alone: no market data, tracker or bus for a read.
  const warehouse = await committedWarehouseFor(config);
  try {
    await warehouse.init();
    const d = date ?? (await latestRunDate(warehouse));
    if (!d) {
      print('no run recorded yet in this warehouse');
      return STATUS_EXIT.noRun;
    }
    const s = await dayStatus(warehouse, d);
    print(s.tickers.length ? statusReport(s) : `no run recorded for ${d}`);
    return statusExitCode(s);
  } finally {
    await warehouse.close();
  }
}
