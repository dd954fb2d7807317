/**
 * Where a run's progress goes. On a terminal: one line redrawn in place (progress.ts), with the
 * log lines and each failed ticker printed above it. Off a terminal (a pipe, a scheduler, CI):
 * nothing is drawn and the log lines pass through as they are, JSON lines as before.
 */
import type { RunSummary, TickerResult } from '../daily.js';
import { progressLine, type ProgressState } from './progress.js';

export interface ProgressDisplay {
  /** Run dates about to be replayed, in order (once per backfill; a run plans its one day). */
  plan: (dates: readonly string[]) => void;
  ticker: (r: TickerResult, done: number, total: number) => void;
  day: (s: RunSummary) => void;
  /** A log line (without its newline); on a terminal it is printed above the progress line. */
  log: (line: string) => void;
  /** Removes the progress line and stops its clock. */
  end: () => void;
}

export interface DisplayOptions {
  label: string;
  /** Whether the stream is a terminal: `process.stderr.isTTY`. */
  tty: boolean;
  write: (chunk: string) => void;
  /** The terminal's width (`process.stderr.columns`). */
  columns?: number;
  now?: () => number;
  /** Redraw period for the clock, ms; 0 redraws only on events (tests). */
  tickMs?: number;
}

const CLEAR = '\r\x1b[2K';

/** The display for a stream: the line renderer on a terminal, pass-through off one. */
export function createProgressDisplay(o: DisplayOptions): ProgressDisplay {
  return o.tty ? terminalDisplay(o) : plainDisplay(o.write);
}

function plainDisplay(write: (chunk: string) => void): ProgressDisplay {
  const nothing = (): void => undefined;
  return {
    plan: nothing,
    ticker: nothing,
    day: nothing,
    log: (line) => write(`${line}\n`),
    end: nothing,
  };
}

function terminalDisplay(o: DisplayOptions): ProgressDisplay {
  const now = o.now ?? Date.now;
  const s: ProgressState = {
    label: o.label,
    daysTotal: 0,
    daysDone: 0,
    tickersDone: 0,
    tickersTotal: 0,
    failed: 0,
    startedMs: now(),
    nowMs: now(),
  };
  const dates: string[] = [];
  let shown = false;
  let ended = false;
  const draw = (): void => {
    // Nothing planned (a command without days, e.g. evaluate): log lines only, no progress line.
    if (ended || s.daysTotal === 0) return;
    s.nowMs = now();
    o.write(`${CLEAR}${progressLine(s, o.columns)}`);
    shown = true;
  };
  /** Prints a whole line above the progress line, then redraws it. */
  const above = (line: string): void => {
    o.write(`${shown ? CLEAR : ''}${line}\n`);
    shown = false;
    draw();
  };
  const tickMs = o.tickMs ?? 1000;
  // unref: the clock never keeps the process alive after the work is done.
  const clock = tickMs > 0 ? setInterval(draw, tickMs).unref() : undefined;
  return {
    plan(more) {
      // A plan after the last one finished (the demo replays its series groups one after another)
      // moves the line on to its first day.
      const finished = s.daysDone >= dates.length;
      dates.push(...more);
      s.daysTotal = dates.length;
      if (finished) {
        s.date = dates[s.daysDone];
        s.tickersDone = 0;
        s.tickersTotal = 0;
      }
      draw();
    },
    ticker(r, done, total) {
      s.tickersDone = done;
      s.tickersTotal = total;
      if (r.status === 'failed') {
        s.failed += 1;
        above(`${s.date ? `${s.date} ` : ''}${r.ticker} FAILED at ${r.failedStage}: ${r.error}`);
      } else draw();
    },
    day() {
      s.daysDone += 1;
      // The last day done stays on show; a next day's ticker count is known when its first is done.
      if (s.daysDone < s.daysTotal) {
        s.tickersDone = 0;
        s.tickersTotal = 0;
        s.date = dates[s.daysDone];
      }
      draw();
    },
    log: above,
    end() {
      if (clock) clearInterval(clock);
      if (shown) o.write(CLEAR);
      ended = true;
    },
  };
}
