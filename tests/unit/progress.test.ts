/**
 * The terminal's progress line (pure: state → line) and the display that draws it: redrawn in
 * place on a terminal with log lines and failures above it; off a terminal, log lines only.
 */
import { describe, expect, it } from 'vitest';
import {
  etaMs,
  formatDuration,
  fractionDone,
  progressLine,
  type ProgressState,
} from '../../pipelines/cli/progress.js';
import { createProgressDisplay } from '../../pipelines/cli/progress-display.js';
import type { RunSummary, TickerResult } from '../../pipelines/daily.js';

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  label: 'backfill',
  daysTotal: 10,
  daysDone: 4,
  date: '2020-04-09',
  tickersDone: 1,
  tickersTotal: 2,
  failed: 0,
  startedMs: 0,
  nowMs: 90_000,
  ...over,
});

describe('progress line', () => {
  it('shows days done of days, tickers of the day, elapsed and the ETA at the pace so far', () => {
    // 4.5 of 10 days in 90 s: 5.5 days left at 20 s a day.
    expect(fractionDone(state())).toBeCloseTo(0.45);
    expect(etaMs(state())).toBeCloseTo(110_000);
    expect(progressLine(state())).toBe(
      '[#########...........]  45% backfill  day 5/10  2020-04-09  tickers 1/2  elapsed 1m30s  ETA ~1m50s',
    );
  });

  it('has no ETA before anything finished, and names failures', () => {
    const s = state({ daysDone: 0, tickersDone: 0, tickersTotal: 0, nowMs: 3_000, failed: 2 });
    expect(etaMs(s)).toBeUndefined();
    expect(progressLine(s)).toBe(
      '[....................]   0% backfill  day 1/10  2020-04-09  tickers 0/?  2 failed  elapsed 3s  ETA …',
    );
  });

  it('a single day has no day count; a finished run is 100% with nothing left', () => {
    const s = state({ daysTotal: 1, daysDone: 1, tickersDone: 3, tickersTotal: 3, label: 'run' });
    expect(fractionDone(s)).toBe(1);
    expect(etaMs(s)).toBe(0);
    expect(progressLine(s)).not.toContain('day ');
    expect(progressLine(s)).toMatch(/^\[#{20}\] 100% run {2}2020-04-09 {2}tickers 3\/3 .*ETA ~0s$/);
  });

  it('never wraps: a line wider than the terminal is cut to it', () => {
    const line = progressLine(state({ date: 'x'.repeat(200) }), 60);
    expect(line).toHaveLength(60);
    expect(line.endsWith('…')).toBe(true);
  });

  it.each([
    [0, '0s'],
    [59_400, '59s'],
    [60_000, '1m00s'],
    [3_599_000, '59m59s'],
    [3_720_000, '1h02m'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

const ok = (ticker: string): TickerResult => ({ ticker, status: 'ok' });
const failed = (ticker: string): TickerResult => ({
  ticker,
  status: 'failed',
  failedStage: 'ingest',
  error: 'ingest: unknown ticker',
});
const day = (date: string): RunSummary => ({ runId: `${date}-x`, date, results: [] });

function drive(tty: boolean): string[] {
  const out: string[] = [];
  let now = 0;
  const d = createProgressDisplay({
    label: 'backfill',
    tty,
    write: (c) => out.push(c),
    now: () => (now += 1000),
    tickMs: 0,
    columns: 200,
  });
  d.log('{"severity":"INFO","message":"opened"}');
  d.plan(['2020-04-08', '2020-04-09']);
  d.ticker(ok('AAA'), 1, 2);
  d.ticker(failed('BBB'), 2, 2);
  d.day(day('2020-04-08'));
  d.ticker(ok('AAA'), 1, 1);
  d.day(day('2020-04-09'));
  d.log('done');
  d.end();
  return out;
}

describe('progress display', () => {
  it('off a terminal: only the log lines, each with its newline, no progress drawn', () => {
    expect(drive(false)).toEqual(['{"severity":"INFO","message":"opened"}\n', 'done\n']);
  });

  it('on a terminal: one line redrawn in place, log lines and failures printed above it', () => {
    const out = drive(true);
    const text = out.join('');
    // Before any plan there is no progress line to clear: the log line is written as is.
    expect(out[0]).toBe('{"severity":"INFO","message":"opened"}\n');
    // Every redraw starts by clearing the line it replaces, so the terminal shows one line.
    const draws = out.filter((c) => c.startsWith('\r\x1b[2K['));
    expect(draws.length).toBeGreaterThanOrEqual(5);
    expect(draws.every((c) => !c.includes('\n'))).toBe(true);
    expect(draws[0]).toContain('day 1/2  2020-04-08  tickers 0/?');
    expect(text).toContain('day 1/2  2020-04-08  tickers 1/2');
    expect(text).toContain('\r\x1b[2K2020-04-08 BBB FAILED at ingest: ingest: unknown ticker\n');
    expect(text).toContain('day 2/2  2020-04-09  tickers 1/1  1 failed');
    expect(draws.at(-1)).toMatch(
      /\[#{20}\] 100% backfill {2}day 2\/2 {2}2020-04-09 {2}tickers 1\/1 {2}1 failed /,
    );
    expect(text).toContain('\r\x1b[2Kdone\n');
    // end() leaves the terminal clean: the last write clears the progress line.
    expect(out.at(-1)).toBe('\r\x1b[2K');
  });

  it('a second plan after the first finished moves on to its first day', () => {
    const out: string[] = [];
    const d = createProgressDisplay({
      label: 'demo',
      tty: true,
      write: (c) => out.push(c),
      tickMs: 0,
    });
    d.plan(['2004-04-07', '2004-04-08']);
    d.ticker(ok('INTC'), 1, 1);
    d.day(day('2004-04-07'));
    d.ticker(ok('INTC'), 1, 1);
    d.day(day('2004-04-08'));
    expect(out.at(-1)).toContain('100% demo  day 2/2  2004-04-08  tickers 1/1');
    d.plan(['2018-01-18', '2018-01-19']);
    expect(out.at(-1)).toContain('50% demo  day 3/4  2018-01-18  tickers 0/?');
    d.end();
  });

  it('draws nothing when nothing was planned (a command without days)', () => {
    const out: string[] = [];
    const d = createProgressDisplay({
      label: 'evaluate',
      tty: true,
      write: (c) => out.push(c),
      tickMs: 0,
    });
    d.log('a line');
    d.end();
    expect(out).toEqual(['a line\n']);
  });
});
