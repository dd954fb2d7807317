import { describe, expect, it, vi } from 'vitest';
import { buildSamples } from '../../pipelines/model/dataset.js';
import {
  decidePromotion,
  decideTrainOrLoad,
  degenerateForecasts,
  scoreOnHoldout,
  type DecisionInput,
  type ScorableChampion,
} from '../../pipelines/model/decide.js';
import type { TestForecast } from '../../pipelines/model/fit.js';
import { simpleFeatures, syntheticBars } from './model-fixtures.js';

const base: DecisionInput = {
  asOf: '2020-04-17',
  configHash: 'h1',
  champion: { label: 'v1', trainedThrough: '2020-04-01', configHash: 'h1' },
  lastDatasetDrift: false,
  realised: { mase: 0.95, n: 20 },
  policy: { maxAgeDays: 30, naiveMargin: 0.1, accuracyWindow: 20, retrainCooldownDays: 5 },
};

describe('train or load', () => {
  it('loads a fresh, undrifted champion that is not worse than naive', () => {
    expect(decideTrainOrLoad(base)).toEqual({
      action: 'load',
      reason: 'champion v1 is fresh (16 days, realised MASE 0.950 over 20)',
    });
  });

  it.each<[string, Partial<DecisionInput>, string]>([
    ['no champion', { champion: undefined }, 'no champion yet'],
    ['config changed', { configHash: 'h2' }, 'config changed since champion v1'],
    ['too old', { asOf: '2020-05-02' }, 'champion is 31 days old (max 30)'],
    ['dataset drift', { lastDatasetDrift: true }, 'dataset drift at the last check'],
    [
      'worse than naive',
      { realised: { mase: 1.2, n: 20 } },
      'realised MASE 1.200 over 20 outcomes is worse than naive (limit 1.10)',
    ],
  ])('trains when %s', (_what, over, reason) => {
    expect(decideTrainOrLoad({ ...base, ...over })).toEqual({ action: 'train', reason });
  });

  it('does not retrain on accuracy with fewer outcomes than the window, nor on unknown drift', () => {
    expect(decideTrainOrLoad({ ...base, realised: { mase: 3, n: 19 } }).action).toBe('load');
    expect(decideTrainOrLoad({ ...base, lastDatasetDrift: null }).action).toBe('load');
    // Drift or poor accuracy right after a retrain wait for retrainCooldownDays; age and config do not.
    expect(decideTrainOrLoad({ ...base, asOf: '2020-04-05', lastDatasetDrift: true }).action).toBe(
      'load',
    );
    expect(
      decideTrainOrLoad({ ...base, asOf: '2020-04-05', realised: { mase: 2, n: 20 } }).action,
    ).toBe('load');
    // …counted from the last training attempt, even one whose challenger lost.
    expect(
      decideTrainOrLoad({ ...base, lastDatasetDrift: true, lastTrainedOn: '2020-04-14' }).action,
    ).toBe('load');
    expect(
      decideTrainOrLoad({ ...base, lastDatasetDrift: true, lastTrainedOn: '2020-04-12' }).action,
    ).toBe('train');
    // Exactly at the age limit is still fresh; MASE exactly at the margin is tolerated.
    expect(
      decideTrainOrLoad({ ...base, asOf: '2020-05-01', realised: { mase: 1.1, n: 20 } }).action,
    ).toBe('load');
  });
});

describe('promotion', () => {
  it('promotes the first model without a comparison', () => {
    expect(
      decidePromotion({ hasChampion: false, challengerMase: null, championMase: null }),
    ).toEqual({
      promote: true,
      reason: 'first model: promoted without a comparison',
    });
  });
  it('promotes only a challenger that beats the champion on the same holdout', () => {
    expect(
      decidePromotion({ hasChampion: true, challengerMase: 0.9, championMase: 1.0 }).promote,
    ).toBe(true);
    expect(
      decidePromotion({ hasChampion: true, challengerMase: 1.0, championMase: 1.0 }).promote,
    ).toBe(false);
    expect(decidePromotion({ hasChampion: true, challengerMase: 1.1, championMase: 1.0 })).toEqual({
      promote: false,
      reason: 'challenger MASE 1.100 ≥ champion 1.000',
    });
  });
});

describe('promotion rules moved from the model step', () => {
  it('never promotes a degenerate challenger, even as the first model or when it scores better', () => {
    expect(
      decidePromotion({
        hasChampion: false,
        challengerMase: 0.5,
        championMase: null,
        degenerate: 3,
      }),
    ).toEqual({ promote: false, reason: 'challenger is degenerate (3 holdout forecasts ≤ 0)' });
    expect(
      decidePromotion({
        hasChampion: true,
        challengerMase: 0.5,
        championMase: 1.0,
        degenerate: 1,
        laterChampion: true,
      }),
    ).toEqual({ promote: false, reason: 'challenger is degenerate (1 holdout forecasts ≤ 0)' });
  });

  it('keeps a champion trained on later data, whatever the challenger scores', () => {
    expect(
      decidePromotion({
        hasChampion: false,
        challengerMase: 0.1,
        championMase: null,
        degenerate: 0,
        laterChampion: true,
      }),
    ).toEqual({ promote: false, reason: 'kept the later champion' });
  });

  it('promotes when the champion cannot be scored, not when the challenger cannot', () => {
    expect(decidePromotion({ hasChampion: true, challengerMase: 0.9, championMase: null })).toEqual(
      {
        promote: true,
        reason: 'champion could not be scored on the holdout',
      },
    );
    expect(decidePromotion({ hasChampion: true, challengerMase: null, championMase: 0.9 })).toEqual(
      {
        promote: false,
        reason: 'challenger could not be scored',
      },
    );
  });

  it('counts the holdout forecasts that are not a positive, finite close', () => {
    const at = (predicted: number): TestForecast => ({
      asOf: '2020-01-02',
      horizon: 10,
      base: 100,
      predicted,
      actual: 101,
    });
    expect(degenerateForecasts([at(99), at(101)])).toBe(0);
    expect(
      degenerateForecasts([at(0), at(-1), at(Number.NaN), at(Number.POSITIVE_INFINITY), at(5)]),
    ).toBe(4);
  });
});

describe("the champion's score on the challenger's holdout", () => {
  const lookback = 5;
  const horizons = [2];
  const bars = syntheticBars(80);
  const features = simpleFeatures(bars);
  const columns = ['sma_3', 'atr_3'];
  const ds = buildSamples(bars, features, { lookback, horizons, featureColumns: columns });
  // The last labelled samples are the holdout; its actual closes are the true ones.
  const holdout: TestForecast[] = ds.samples
    .filter((x) => x.y[0] !== null)
    .slice(-10)
    .map((x) => ({
      asOf: x.asOf,
      horizon: 2,
      base: x.base,
      predicted: x.base,
      actual: x.base * (x.y[0] as number),
    }));
  const meta: ScorableChampion['meta'] = {
    columns: ds.columns,
    rules: ds.rules,
    scaler: { mean: ds.columns.map(() => 0), std: ds.columns.map(() => 1) },
    lookback,
    horizons,
    configHash: 'h1',
  };
  /** A champion that forecasts no change: its MASE is exactly 1. */
  const naive = (): ScorableChampion => ({
    meta,
    predict: vi.fn((windows: number[][][]) => windows.map(() => [1])),
  });

  it('scores the champion on the same as-of dates, its windows predicted in one batch', () => {
    const champion = naive();
    expect(scoreOnHoldout(champion, holdout, { bars, features }, 'h1')).toBeCloseTo(1, 12);
    expect(champion.predict).toHaveBeenCalledTimes(1);
    const [windows] = vi.mocked(champion.predict).mock.calls[0] ?? [];
    expect(windows).toHaveLength(holdout.length);
    expect(windows?.[0]).toHaveLength(lookback);
  });

  it('scores a perfect champion 0', () => {
    const ratioOn = new Map(holdout.map((t) => [t.asOf, t.actual / t.base]));
    const asOfs = ds.samples.filter((x) => ratioOn.has(x.asOf)).map((x) => x.asOf);
    const perfect: ScorableChampion = {
      meta,
      predict: (windows) => windows.map((_, i) => [ratioOn.get(asOfs[i] as string) as number]),
    };
    expect(scoreOnHoldout(perfect, holdout, { bars, features }, 'h1')).toBeCloseTo(0, 12);
  });

  it('is null when the config changed since the champion was trained', () => {
    const champion = naive();
    expect(scoreOnHoldout(champion, holdout, { bars, features }, 'h2')).toBeNull();
    expect(champion.predict).not.toHaveBeenCalled();
  });

  it('is null when the champion needs a feature column the rows lack', () => {
    const champion = { ...naive(), meta: { ...meta, columns: [...meta.columns, 'rsi_14'] } };
    expect(scoreOnHoldout(champion, holdout, { bars, features }, 'h1')).toBeNull();
  });

  it('is null when the champion was trained with other normalisation rules', () => {
    const rules = meta.rules.map((r, i) => (i === meta.rules.length - 1 ? 'standard' : r));
    expect(rules).not.toEqual(meta.rules);
    const champion = { ...naive(), meta: { ...meta, rules } };
    expect(scoreOnHoldout(champion, holdout, { bars, features }, 'h1')).toBeNull();
  });

  it('is null on an empty holdout', () => {
    expect(scoreOnHoldout(naive(), [], { bars, features }, 'h1')).toBeNull();
  });
});
