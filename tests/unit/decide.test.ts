import { describe, expect, it } from 'vitest';
import {
  decidePromotion,
  decideTrainOrLoad,
  type DecisionInput,
} from '../../pipelines/model/decide.js';

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
