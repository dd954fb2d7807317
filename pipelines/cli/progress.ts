/**
 * The one-line progress of a backfill or a multi-ticker run, as shown on a terminal: days done of
 * days, tickers done of the day's tickers, failures, elapsed time and an estimate of what is left.
 * Pure: a state in, a line out (progress-display.ts draws it).
 */

export interface ProgressState {
  /** What runs: `backfill`, `run`, `demo`. */
  label: string;
  /** Trading days planned so far (a run is one day). */
  daysTotal: number;
  daysDone: number;
  /** The day in progress: its date and how many of its tickers are done (total 0: not known yet). */
  date?: string;
  tickersDone: number;
  tickersTotal: number;
  /** Ticker-days that failed so far. */
  failed: number;
  startedMs: number;
  nowMs: number;
}

/** `42s`, `3m05s`, `1h02m`: short enough for one terminal line. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The share of the planned work done: whole days, plus the day in progress by its tickers. */
export function fractionDone(s: ProgressState): number {
  if (s.daysTotal <= 0) return 0;
  const partDay = s.tickersTotal > 0 ? Math.min(s.tickersDone / s.tickersTotal, 1) : 0;
  // A finished day is counted in daysDone; its tickers are not counted twice.
  const current = s.daysDone < s.daysTotal ? partDay : 0;
  return Math.min((s.daysDone + current) / s.daysTotal, 1);
}

/**
 * Milliseconds left at the pace so far, or undefined before anything finished (no pace yet).
 * Days differ (a retrain day is slower), so it is an estimate, and says so (`~`).
 */
export function etaMs(s: ProgressState): number | undefined {
  const f = fractionDone(s);
  if (f <= 0) return undefined;
  const elapsed = s.nowMs - s.startedMs;
  return (elapsed * (1 - f)) / f;
}

export function progressLine(s: ProgressState, columns = 120): string {
  const eta = etaMs(s);
  const parts = [
    s.label,
    s.daysTotal > 1 ? `day ${Math.min(s.daysDone + 1, s.daysTotal)}/${s.daysTotal}` : undefined,
    s.date,
    `tickers ${s.tickersDone}/${s.tickersTotal || '?'}`,
    s.failed ? `${s.failed} failed` : undefined,
    `elapsed ${formatDuration(s.nowMs - s.startedMs)}`,
    `ETA ${eta === undefined ? '…' : `~${formatDuration(eta)}`}`,
  ];
  const line = `${bar(fractionDone(s))} ${parts.filter(Boolean).join('  ')}`;
  // A line wider than the terminal wraps, and the carriage return would then redraw only its end.
  return line.length > columns ? `${line.slice(0, Math.max(columns - 1, 0))}…` : line;
}

function bar(f: number, width = 20): string {
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}
