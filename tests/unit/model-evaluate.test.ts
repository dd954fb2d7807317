import { describe, expect, it } from 'vitest';
import { evaluateHorizons, forecastMetrics } from '../../pipelines/model/evaluate.js';

describe('forecastMetrics', () => {
  // Errors 5, 5, 4; naive errors 5, 10, 2; directions: up/up, down/down, up/down.
  const rows = [
    { base: 100, predicted: 110, actual: 105 },
    { base: 100, predicted: 95, actual: 90 },
    { base: 50, predicted: 52, actual: 48 },
  ];

  it('matches the hand-computed values', () => {
    const m = forecastMetrics(rows);
    expect(m.n).toBe(3);
    expect(m.mae).toBeCloseTo(14 / 3, 12); // 4.666…
    expect(m.mape).toBeCloseTo(6.216931216931, 9); // (5/105 + 5/90 + 4/48) / 3 in percent
    expect(m.rmse).toBeCloseTo(4.69041575982343, 12); // sqrt((25 + 25 + 16) / 3) = sqrt(22)
    expect(m.directionalAccuracy).toBeCloseTo(2 / 3, 12);
    expect(m.naiveMae).toBeCloseTo(17 / 3, 12);
    expect(m.mase).toBeCloseTo(14 / 17, 12); // 0.8235…
  });

  it('scores the naive forecast with MASE 1 and no correct directions when prices moved', () => {
    const m = forecastMetrics(rows.map((r) => ({ ...r, predicted: r.base })));
    expect(m.mae).toBeCloseTo(17 / 3, 12);
    expect(m.mase).toBe(1);
    expect(m.directionalAccuracy).toBe(0);
  });

  it('gives a null MASE when the naive forecast is exact, and rejects bad input', () => {
    expect(forecastMetrics([{ base: 10, predicted: 11, actual: 10 }]).mase).toBeNull();
    expect(() => forecastMetrics([])).toThrow(/empty/);
    expect(() => forecastMetrics([{ base: 10, predicted: Number.NaN, actual: 10 }])).toThrow(
      /finite/,
    );
  });
});

describe('evaluateHorizons', () => {
  it('turns ratios into prices per horizon and scores the model beside the naive forecast', () => {
    const bases = [100, 50];
    const predicted = [
      [1.1, 1.0],
      [1.04, 0.9],
    ];
    const actual = [
      [1.05, 0.95],
      [0.96, 1.0],
    ];
    const [h1, h5] = evaluateHorizons([1, 5], bases, predicted, actual);
    // h1: predicted 110, 52; actual 105, 48 → errors 5, 4; naive errors 5, 2.
    expect(h1?.horizon).toBe(1);
    expect(h1?.model.mae).toBeCloseTo(4.5, 9);
    expect(h1?.naive.mae).toBeCloseTo(3.5, 9);
    expect(h1?.model.mase).toBeCloseTo(4.5 / 3.5, 9);
    expect(h1?.naive.mase).toBe(1);
    // h5: predicted 100, 45; actual 95, 50 → errors 5, 5; naive errors 5, 0.
    expect(h5?.model.mae).toBeCloseTo(5, 9);
    expect(h5?.naive.mae).toBeCloseTo(2.5, 9);
    expect(h5?.model.directionalAccuracy).toBe(0);
  });

  it('rejects misaligned rows', () => {
    expect(() => evaluateHorizons([1], [100, 50], [[1]], [[1], [1]])).toThrow(/one row per base/);
  });
});
