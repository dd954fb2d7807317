import { describe, expect, it } from 'vitest';
import {
  evaluationRows,
  evaluationTable,
  trainingLine,
  trainingSummary,
  type Evaluation,
} from '../../pipelines/evaluate/report.js';
import type { DatedForecast, RetrainInfo } from '../../pipelines/evaluate/walk-forward.js';
import { scorecard, worstWindow, type ScoredRow } from '../../pipelines/forecast/scorecard.js';

const day = (k: number): string =>
  new Date(Date.UTC(2020, 0, 1) + k * 86_400_000).toISOString().slice(0, 10);
const run = (n: number, c: boolean): boolean[] => Array.from({ length: n }, () => c);
const hits = (pattern: boolean[]) => pattern.map((c, k) => ({ asOfDate: day(k), c }));

describe('worstWindow', () => {
  it('finds the window farthest from nominal, below or above, with its dates', () => {
    // 10 covered, 4 missed, 10 covered: the windows of 5 holding the 4 misses cover 20%.
    const h = hits([...run(10, true), ...run(4, false), ...run(10, true)]);
    const w = worstWindow(h, 5, 0.8);
    expect(w).toEqual({ coverage: 0.2, from: day(9), to: day(13), n: 5 });
    // Against a nominal of 20%, a window of all hits (100%) is farther off than the 20% one.
    expect(worstWindow(h, 5, 0.2)?.coverage).toBe(1);
  });

  it('is the whole series when it is shorter than the window, and null on none', () => {
    expect(worstWindow(hits([true, false, true, true]), 250, 0.8)).toEqual({
      coverage: 0.75,
      from: day(0),
      to: day(3),
      n: 4,
    });
    expect(worstWindow([], 250, 0.8)).toBeNull();
  });

  it('is what the scorecard reports for the intervals', () => {
    const rows: ScoredRow[] = Array.from({ length: 40 }, (_, k) => ({
      asOfDate: day(k),
      base: 100,
      // Misses on days 20–29 only: the actual is outside [95, 105].
      actual: k >= 20 && k < 30 ? 110 : 100,
      forecast: 100,
      intervals: { '80': { lower: 95, upper: 105 }, '95': { lower: 90, upper: 111 } },
    }));
    const card = scorecard(rows, { h: 1, seed: 1, window: 10 });
    expect(card.coverage['80']?.coverage).toBe(0.75);
    expect(card.coverage['80']?.worst).toEqual({ coverage: 0, from: day(20), to: day(29), n: 10 });
    expect(card.coverage['95']?.worst?.coverage).toBe(1);
  });
});

const forecast = (trainedThrough: string, extra: Partial<DatedForecast> = {}): DatedForecast => ({
  r: { member: [1], ensemble: [1] },
  trainedThrough,
  ...extra,
});

const training = (cpuSeconds: number, warmStart: boolean): RetrainInfo => ({
  cpuSeconds,
  wallSeconds: cpuSeconds,
  warmStart,
  epochsRun: [3],
});

describe('training summary', () => {
  it('counts each retrain once and sums its CPU-seconds and warm starts', () => {
    const t = trainingSummary([
      forecast('2020-01-01', { training: training(10, false) }),
      forecast('2020-01-01'),
      forecast('2021-01-01'),
      forecast('2021-01-01', { training: training(4.5, true) }),
    ]);
    expect(t).toEqual({ retrains: 2, cpuSeconds: 14.5, warmStarts: 1 });
    expect(trainingLine(t)).toBe(
      '2 retrains, training 14.5 CPU-s (7.3 per retrain), warm starts 1 of 2',
    );
  });

  it('says n/a, not 0, where a fitter did not report them', () => {
    const t = trainingSummary([
      forecast('2020-01-01'),
      forecast('2021-01-01', { training: training(3, false) }),
    ]);
    expect(t).toEqual({ retrains: 2, cpuSeconds: null, warmStarts: null });
    expect(trainingLine(t)).toBe('2 retrains, training CPU-s n/a, warm starts n/a');
    expect(trainingLine(undefined)).toBe('training: n/a');
  });
});

describe('evaluation table and rows', () => {
  const rows: ScoredRow[] = Array.from({ length: 30 }, (_, k) => ({
    asOfDate: day(k),
    base: 100,
    actual: 100 + (k % 3) - 1,
    forecast: 100,
    intervals: { '80': { lower: 99.5, upper: 100.5 }, '95': { lower: 98, upper: 102 } },
  }));
  const served: Evaluation = {
    ticker: 'SYN',
    horizon: 1,
    forecaster: 'served',
    card: scorecard(rows, { h: 1, seed: 1, window: 9 }),
  };

  it('prints the training line, the worst-window columns and the window dates', () => {
    const training = new Map([['SYN', { retrains: 3, cpuSeconds: 12, warmStarts: 2 }]]);
    const text = evaluationTable([served], training);
    expect(text).toContain(
      'SYN h1 (30 forecasts; 3 retrains, training 12.0 CPU-s (4.0 per retrain), warm starts 2 of 3)',
    );
    expect(text).toMatch(/worst 80\s+worst 95/);
    // A third of the days move 0: the 80% band (±0.5) covers exactly those.
    expect(text).toContain('worst 9-session window: 80% 33.3% (2020-01-01 to 2020-01-09)');
    expect(evaluationTable([served])).toContain('(30 forecasts; training: n/a)');
  });

  it('writes the worst windows and the training figures to evaluations', () => {
    const meta = {
      from: day(0),
      to: day(29),
      retrainEvery: 5,
      ensembleSize: 1,
      configHash: 'x',
      runId: 'r',
    };
    const [row] = evaluationRows([served], {
      ...meta,
      training: { retrains: 3, cpuSeconds: 12, warmStarts: null },
    });
    expect(row?.worst_coverage_80).toBeCloseTo(1 / 3, 12);
    expect(row?.worst_coverage_95).toBe(1);
    expect(row?.retrains).toBe(3);
    expect(row?.train_cpu_seconds).toBe(12);
    expect(row?.warm_start_retrains).toBeNull();
    expect(evaluationRows([served], meta)[0]?.train_cpu_seconds).toBeNull();
  });
});
