import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';
import { BAR_COLUMNS } from '../../pipelines/model/dataset.js';
import {
  REFERENCE_ROWS,
  configHash,
  fitModel,
  forecastWith,
  type FitResult,
} from '../../pipelines/model/fit.js';
import type { Bar } from '../../pipelines/types.js';
import { simpleFeatures, syntheticBars, useWasmBackend } from './model-fixtures.js';
import { disposeMembers } from '../../pipelines/model/network/ensemble.js';

const cfg = loadConfig({
  overrides: {
    lookback: 10,
    horizons: [1, 5],
    model: { units: 8, epochs: 3, batchSize: 16, learningRate: 0.01, trainDays: 200, patience: 2 },
  },
});
const bars = syntheticBars(400, 3);
const features = simpleFeatures(bars);
let fit: FitResult;

beforeAll(async () => {
  await useWasmBackend();
  fit = await fitModel(bars, features, cfg, { backend: 'wasm' });
});
afterAll(() => disposeMembers(fit.artifacts.members));

describe('fitModel', () => {
  it('trains on the most recent trainDays samples, split chronologically with gaps', () => {
    const { sizes, artifacts } = fit;
    // 200 labelled samples: 30 test, 30 validation, two gaps of 5 (the longest horizon).
    expect(sizes).toEqual({ train: 130, validation: 30, test: 30 });
    const dates = bars.map((b) => b.date);
    // The last labelled as-of date is 5 bars before the end; train ends 70 samples earlier
    // (test 30 + gap 5 + validation 30 + gap 5).
    expect(dates.indexOf(artifacts.meta.trainWindow.last)).toBe(bars.length - 1 - 5 - 70);
    expect(dates.indexOf(artifacts.meta.trainWindow.first)).toBe(bars.length - 1 - 5 - 199);
    const firstTest = fit.testForecasts[0]?.asOf ?? '';
    expect(firstTest > artifacts.meta.trainWindow.last).toBe(true);
  });

  it('returns what tracking needs: params, per-epoch history, final metrics, model and naive', () => {
    expect(fit.training.history).toHaveLength(fit.training.epochsRun);
    expect(fit.params).toMatchObject({
      units: 8,
      horizons: '1,5',
      backend: 'wasm',
      n_test: 30,
      config_hash: configHash(cfg),
      features: [...BAR_COLUMNS, 'atr_3', 'mom_3', 'obv', 'sma_3'].join(','),
    });
    for (const h of [1, 5]) {
      for (const k of ['mae', 'mape', 'rmse', 'diracc']) {
        expect(Number.isFinite(fit.metrics[`test_${k}_h${h}`])).toBe(true);
        expect(Number.isFinite(fit.metrics[`naive_${k}_h${h}`])).toBe(true);
      }
      expect(fit.metrics[`naive_mase_h${h}`]).toBe(1);
    }
    expect(fit.evaluation.map((e) => e.horizon)).toEqual([1, 5]);
    expect(fit.artifacts.meta.metrics).toEqual(fit.evaluation);
  });

  it('scores the test forecasts it reports', () => {
    const h5 = fit.testForecasts.filter((f) => f.horizon === 5);
    expect(h5).toHaveLength(30);
    const mae = h5.reduce((a, f) => a + Math.abs(f.predicted - f.actual), 0) / h5.length;
    expect(fit.evaluation[1]?.model.mae).toBeCloseTo(mae, 9);
    for (const f of h5) {
      const t = bars.findIndex((b) => b.date === f.asOf);
      expect(f.base).toBe(bars[t]?.close);
      expect(f.actual).toBeCloseTo((bars[t + 5] as Bar).close, 9);
    }
  });

  it('keeps a capped reference sample of raw training-window features for drift', () => {
    const ref = fit.artifacts.reference;
    expect(Object.keys(ref.columns).sort()).toEqual(['atr_3', 'mom_3', 'obv', 'sma_3']);
    expect(ref.dates[0]).toBe(fit.artifacts.meta.trainWindow.first);
    expect(ref.dates[ref.dates.length - 1]).toBe(fit.artifacts.meta.trainWindow.last);
    expect(ref.dates.length).toBeLessThanOrEqual(REFERENCE_ROWS);
    const row = features.find((f) => f.date === ref.dates[3]);
    expect(ref.columns.sma_3?.[3]).toBe(row?.values.sma_3);
  });

  it('hashes only settings that change training', () => {
    const other = (o: Parameters<typeof loadConfig>[0]) => configHash(loadConfig(o));
    const base = configHash(cfg);
    expect(other({ overrides: { ...cfg, model: { ...cfg.model, naiveMargin: 0.5 } } })).toBe(base);
    const threads = { intraOp: 1, interOp: 1 };
    expect(other({ overrides: { ...cfg, model: { ...cfg.model, threads } } })).toBe(base);
    expect(other({ overrides: { ...cfg, model: { ...cfg.model, units: 9 } } })).not.toBe(base);
    expect(other({ overrides: { ...cfg, lookback: 11 } })).not.toBe(base);
  });
});

describe('forecastWith', () => {
  it('forecasts close × ratio per horizon from data up to asOf only', () => {
    const asOf = (bars[300] as Bar).date;
    const f = forecastWith(fit.artifacts, bars, features, asOf);
    expect(f.base).toBe((bars[300] as Bar).close);
    expect(f.forecasts.map((x) => x.horizon)).toEqual([1, 5]);
    for (const x of f.forecasts) {
      expect(x.ratio).toBeGreaterThan(0);
      expect(x.close).toBe(f.base * x.ratio);
    }
    const later = bars.map((b, i) =>
      i > 300 ? { ...b, close: b.close * 2, high: b.high * 2 } : b,
    );
    const laterFeatures = features.map((r) =>
      r.date > asOf ? { ...r, values: { ...r.values, obv: 0 } } : r,
    );
    expect(forecastWith(fit.artifacts, later, laterFeatures, asOf)).toEqual(f);
  });

  it('names what is missing', () => {
    expect(() => forecastWith(fit.artifacts, bars, features, '2019-01-01')).toThrow(
      /no bar on 2019-01-01/,
    );
    const noMom = features.map((r) => ({
      date: r.date,
      values: Object.fromEntries(Object.entries(r.values).filter(([c]) => c !== 'mom_3')),
    }));
    expect(() => forecastWith(fit.artifacts, bars, noMom, (bars[300] as Bar).date)).toThrow(
      /lacks column "mom_3"/,
    );
    expect(() => forecastWith(fit.artifacts, bars, features, (bars[5] as Bar).date)).toThrow(
      /no feature row|need 10 feature rows/,
    );
  });
});
