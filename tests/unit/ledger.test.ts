import { describe, expect, it } from 'vitest';
import {
  resolveOutcomes,
  summarizeOutcomes,
  type CloseBar,
  type StoredPrediction,
} from '../../pipelines/forecast/ledger.js';
import { PipelineError } from '../../pipelines/types.js';

function pred(
  p: Partial<StoredPrediction> & Pick<StoredPrediction, 'targetDate'>,
): StoredPrediction {
  return {
    ticker: 'AAA',
    asOfDate: '2024-02-15',
    horizon: 10,
    predictedClose: 100,
    baseClose: 100,
    modelVersion: 'v1',
    ...p,
  };
}

/*
 * Three scored predictions, worked by hand (error = actual − predicted):
 *   base 100, predicted 110, actual 105: error −5, |e| 5, pct −5/105 = −4.7619 %, up/up ✓, naive |105−100| = 5
 *   base 100, predicted  95, actual 102: error +7, |e| 7, pct  7/102 = +6.8627 %, down/up ✗, naive 2
 *   base  50, predicted  48, actual  40: error −8, |e| 8, pct −8/40  = −20 %,     down/down ✓, naive 10
 * MAE = 20/3 = 6.6667; RMSE = √((25+49+64)/3) = √46 = 6.7823
 * MAPE = (4.7619 + 6.8627 + 20)/3 = 10.5415 %; naive MAE = 17/3 = 5.6667
 * MASE = (20/3)/(17/3) = 20/17 = 1.1765 (worse than no-change); directional accuracy 2/3
 */
const scored: StoredPrediction[] = [
  pred({ asOfDate: '2024-02-15', targetDate: '2024-03-01', predictedClose: 110 }),
  pred({ asOfDate: '2024-02-16', targetDate: '2024-03-04', predictedClose: 95 }),
  pred({ asOfDate: '2024-02-20', targetDate: '2024-03-05', baseClose: 50, predictedClose: 48 }),
];
const bars: CloseBar[] = [
  { date: '2024-03-05', close: 40 },
  { date: '2024-03-01', close: 105 },
  { date: '2024-03-04', close: 102 },
];

describe('resolveOutcomes', () => {
  it('scores each prediction against the close on its target date', () => {
    const { outcomes, pending, missing } = resolveOutcomes(scored, { AAA: bars });
    expect(pending).toEqual([]);
    expect(missing).toEqual([]);
    expect(outcomes.map((o) => [o.actualClose, o.error, o.absError, o.directionCorrect])).toEqual([
      [105, -5, 5, true],
      [102, 7, 7, false],
      [40, -8, 8, true],
    ]);
    expect(outcomes.map((o) => o.pctError)).toEqual([
      expect.closeTo(-4.7619, 4),
      expect.closeTo(6.8627, 4),
      expect.closeTo(-20, 10),
    ]);
    expect(outcomes[2]).toMatchObject(scored[2] ?? {});
  });

  it('separates not-yet-knowable targets from targets with a hole in the bars', () => {
    const later = pred({ asOfDate: '2024-02-21', targetDate: '2024-03-06' });
    const hole = pred({ asOfDate: '2024-02-14', targetDate: '2024-03-02' });
    const noBars = pred({ ticker: 'BBB', targetDate: '2024-03-01' });
    const { outcomes, pending, missing } = resolveOutcomes([later, hole, noBars], { AAA: bars });
    expect(outcomes).toEqual([]);
    expect(pending).toEqual([later, noBars]);
    expect(missing).toEqual([hole]);
  });

  it('treats an inherited property name as a ticker with no bars', () => {
    const p = pred({ ticker: 'constructor', targetDate: '2024-03-01' });
    expect(resolveOutcomes([p], {}).pending).toEqual([p]);
  });

  it('counts an unchanged price as its own direction', () => {
    const flat = [{ date: '2024-03-01', close: 100 }];
    const stay = resolveOutcomes([pred({ targetDate: '2024-03-01' })], { AAA: flat });
    const move = resolveOutcomes([pred({ targetDate: '2024-03-01', predictedClose: 101 })], {
      AAA: flat,
    });
    expect(stay.outcomes[0]?.directionCorrect).toBe(true);
    expect(move.outcomes[0]?.directionCorrect).toBe(false);
  });

  it('refuses a prediction stored twice, naming the ticker and date', () => {
    const p = pred({ targetDate: '2024-03-01' });
    expect(() => resolveOutcomes([p, { ...p }], { AAA: bars })).toThrow(PipelineError);
    expect(() => resolveOutcomes([p, { ...p }], { AAA: bars })).toThrow(
      /AAA: duplicate.*2024-02-15/,
    );
    // Another model version for the same date is a separate forecast, not a duplicate.
    expect(resolveOutcomes([p, { ...p, modelVersion: 'v2' }], { AAA: bars }).outcomes).toHaveLength(
      2,
    );
  });

  it('refuses bad numbers and contradictory bars', () => {
    const p = pred({ targetDate: '2024-03-01' });
    expect(() => resolveOutcomes([{ ...p, predictedClose: NaN }], {})).toThrow(/predictedClose/);
    expect(() => resolveOutcomes([{ ...p, targetDate: '2024-02-15' }], {})).toThrow(/not after/);
    expect(() => resolveOutcomes([p], { AAA: [{ date: '2024-03-01', close: 0 }] })).toThrow(
      /AAA: bar 2024-03-01 .*not a positive number/,
    );
    const twice = [...bars, { date: '2024-03-01', close: 106 }];
    expect(() => resolveOutcomes([p], { AAA: twice })).toThrow(/2024-03-01 disagree/);
  });
});

describe('summarizeOutcomes', () => {
  it('reproduces the hand-computed metrics', () => {
    const [s, ...rest] = summarizeOutcomes(resolveOutcomes(scored, { AAA: bars }).outcomes);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      ticker: 'AAA',
      horizon: 10,
      n: 3,
      firstTargetDate: '2024-03-01',
      lastTargetDate: '2024-03-05',
    });
    expect(s?.mae).toBeCloseTo(6.6667, 4);
    expect(s?.rmse).toBeCloseTo(6.7823, 4);
    expect(s?.mape).toBeCloseTo(10.5415, 4);
    expect(s?.naiveMae).toBeCloseTo(5.6667, 4);
    expect(s?.mase).toBeCloseTo(1.1765, 4);
    expect(s?.directionalAccuracy).toBeCloseTo(2 / 3, 10);
  });

  it('groups by ticker and horizon, sorted, and windows on the latest targets', () => {
    const h5 = scored.map((p) => ({ ...p, horizon: 5 }));
    const zzz = scored.map((p) => ({ ...p, ticker: 'ZZZ' }));
    const { outcomes } = resolveOutcomes([...zzz, ...scored, ...h5], { AAA: bars, ZZZ: bars });
    const all = summarizeOutcomes(outcomes);
    expect(all.map((s) => [s.ticker, s.horizon, s.n])).toEqual([
      ['AAA', 5, 3],
      ['AAA', 10, 3],
      ['ZZZ', 10, 3],
    ]);
    // The latest two targets are rows 2 and 3: MAE (7+8)/2 = 7.5, naive (2+10)/2 = 6.
    const recent = summarizeOutcomes(outcomes, { window: 2 });
    expect(recent[0]).toMatchObject({ n: 2, mae: 7.5, naiveMae: 6, mase: 1.25 });
    expect(recent[0]?.firstTargetDate).toBe('2024-03-04');
    expect(() => summarizeOutcomes(outcomes, { window: 0 })).toThrow(/window.*0/);
  });

  it('leaves MASE null when the naive forecast was perfect', () => {
    const flat = [{ date: '2024-03-01', close: 100 }];
    const { outcomes } = resolveOutcomes([pred({ targetDate: '2024-03-01', predictedClose: 98 })], {
      AAA: flat,
    });
    expect(summarizeOutcomes(outcomes)[0]).toMatchObject({ n: 1, mae: 2, naiveMae: 0, mase: null });
  });
});
