/**
 * `stockops evaluate` on the bundled S&P 500 with a tiny model: the walk-forward writes one
 * evaluation row per forecaster, caches the model forecasts so re-scoring retrains nothing, and
 * --seed-ledger fills the ledger tables with what the policy served and how it turned out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../pipelines/catalog.js';
import { evaluate, type EvaluateRequest } from '../../pipelines/evaluate/run.js';
import { FORECASTERS, evaluationTable } from '../../pipelines/evaluate/report.js';
import { ensureBackend } from '../../pipelines/model/runtime/backend.js';
import { tempCatalog } from '../support/catalog.js';

describe('stockops evaluate', () => {
  let cat: Catalog;
  let req: EvaluateRequest;
  const retrains: string[] = [];

  beforeAll(async () => {
    ({ cat } = await tempCatalog({
      watchlist: ['SP500'],
      source: { startDate: '2015-01-01' },
      model: { units: 8, epochs: 1, trainDays: 150 },
      serving: { ensembleSize: 2 },
      evaluation: { retrainEvery: 126 },
    }));
    const backend = await ensureBackend(cat.config.model.backend);
    req = {
      from: '2017-01-03',
      to: '2018-12-31',
      tickers: ['SP500', 'NOPE'],
      runId: 'eval-1',
      backend: backend.name,
      onRetrain: (_t, d) => retrains.push(d),
    };
  });
  afterAll(() => cat.close());

  it('scores every forecaster on the same rows and writes them; a bad ticker fails alone', async () => {
    const results = await evaluate(cat, req);
    const sp = results.find((r) => r.ticker === 'SP500');
    expect(sp?.error).toBeUndefined();
    expect(results.find((r) => r.ticker === 'NOPE')?.error).toMatch(/NOPE/);
    // 2017–2018 is about 500 sessions: a retrain every 126 sessions is 4 trainings.
    expect(retrains).toHaveLength(4);
    expect(retrains.every((d) => d >= req.from)).toBe(true);
    const rows = await cat.warehouse.select('evaluations', { where: { ticker: 'SP500' } });
    expect(rows.map((r) => r.forecaster).sort()).toEqual([...FORECASTERS].sort());
    const n = new Set(rows.map((r) => r.n));
    expect(n.size).toBe(1);
    expect([...n][0]).toBeGreaterThan(400);
    const naive = rows.find((r) => r.forecaster === 'naive');
    expect(naive).toMatchObject({
      mase: 1,
      dm_p_value: null,
      ensemble_size: 2,
      retrain_every: 126,
    });
    const served = rows.find((r) => r.forecaster === 'served');
    expect(served?.coverage_80).toBeGreaterThan(0.5);
    expect(served?.width_95_pct).toBeGreaterThan(served?.width_80_pct ?? Infinity);
    expect(evaluationTable(sp?.evaluations ?? [])).toMatch(
      /^SP500 h10 \(\d+ forecasts; training: n\/a\)/,
    );
  });

  it('re-scores from the cached forecasts without retraining, to the same rows', async () => {
    const before = await cat.warehouse.select('evaluations', { where: { ticker: 'SP500' } });
    retrains.length = 0;
    await evaluate(cat, { ...req, tickers: ['SP500'], runId: 'eval-1' });
    expect(retrains).toEqual([]);
    expect(await cat.warehouse.select('evaluations', { where: { ticker: 'SP500' } })).toEqual(
      before,
    );
  });

  it('--seed-ledger writes the served forecasts and their outcomes to the ledger tables', async () => {
    await evaluate(cat, { ...req, tickers: ['SP500'], seedLedger: true });
    const preds = await cat.warehouse.select('predictions', { where: { ticker: 'SP500' } });
    const outcomes = await cat.warehouse.select('outcomes', { where: { ticker: 'SP500' } });
    const policies = await cat.warehouse.select('policy_decisions', { where: { ticker: 'SP500' } });
    expect(preds.length).toBeGreaterThan(400);
    expect(policies).toHaveLength(preds.length);
    expect(outcomes.length).toBe(preds.filter((p) => p.target_date <= req.to).length);
    for (const o of outcomes.slice(0, 50)) {
      expect(o.model_version).toMatch(/^walk-forward-\d{4}-\d{2}-\d{2}$/);
      expect(o.covered_80).toBe(
        (o.lower_80 === null || o.actual_close >= o.lower_80) &&
          (o.upper_80 === null || o.actual_close <= o.upper_80),
      );
    }
  });
});
