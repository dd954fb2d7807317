/**
 * `stockops evaluate`: for each ticker, its history from the market-data port through the same
 * contract, adjustment and indicators as the daily ingest, then the walk-forward (walk-forward.ts)
 * scored per forecaster (report.ts) and written to `evaluations`. With `seedLedger`, the served
 * walk-forward forecasts and their outcomes also go into the ledger tables, so the daily policy
 * starts from a realised history instead of a = 0 (seed dates before the first daily run).
 */
import type { Catalog } from '../catalog.js';
import { computeIndicators } from '../features/indicators.js';
import { policyRow } from '../forecast/step.js';
import { covers } from '../forecast/scorecard.js';
import { adjustBars } from '../ingest/adjust.js';
import { checkContract } from '../ingest/contract.js';
import { contractOptionsFor } from '../ingest/step.js';
import { configHash } from '../model/fit.js';
import type { NewRow } from '../ports/warehouse/schema.js';
import { PipelineError } from '../types.js';
import { ensembleFitter } from './fitter.js';
import {
  evaluateRows,
  evaluationRows,
  trainingSummary,
  type Evaluation,
  type TrainingSummary,
} from './report.js';
import {
  forecastWalk,
  scoredSessions,
  walkForward,
  type DatedForecast,
  type ForecastsByDate,
  type WalkForwardRow,
} from './walk-forward.js';
import { hashBars } from '../model/lineage.js';
import { createHash } from 'node:crypto';

export interface EvaluateRequest {
  from: string;
  to: string;
  tickers: string[];
  runId: string;
  backend: string;
  seedLedger?: boolean;
  onRetrain?: (ticker: string, date: string, index: number, total: number) => void;
}

export interface TickerEvaluation {
  ticker: string;
  evaluations: Evaluation[];
  rows: number;
  /** The walk's retrains: count, training CPU-seconds and warm starts (from the cache when re-scored). */
  training?: TrainingSummary;
  error?: string;
}

const WALK_FORWARD = 'walk-forward';

export function forecastsKey(
  ticker: string,
  i: { from: string; to: string; retrainEvery: number; minHistory: number },
  hash: string,
  bars: { sha256: string },
): string {
  const id = createHash('sha256')
    .update(JSON.stringify([hash, i.from, i.to, i.retrainEvery, i.minHistory, bars.sha256]))
    .digest('hex')
    .slice(0, 16);
  return `evaluate/${ticker}/forecasts-${id}.json`;
}

async function readForecasts(cat: Catalog, key: string): Promise<ForecastsByDate | undefined> {
  const bytes = await cat.store.get(key);
  if (!bytes) return undefined;
  return new Map(JSON.parse(new TextDecoder().decode(bytes)) as [string, DatedForecast][]);
}

/** The walk-forward's served forecasts and their outcomes as ledger rows, and its policy decisions. */
function ledgerRows(ticker: string, rows: readonly WalkForwardRow[], runId: string) {
  const predictions: NewRow<'predictions'>[] = [];
  const outcomes: NewRow<'outcomes'>[] = [];
  const policies: NewRow<'policy_decisions'>[] = [];
  for (const r of rows) {
    if (!r.targetDate) continue;
    const served = {
      ticker,
      as_of_date: r.asOfDate,
      horizon: r.horizon,
      target_date: r.targetDate,
      base_close: r.base,
      predicted_close: r.served,
      model_version: `${WALK_FORWARD}-${r.trainedThrough}`,
      lstm_close: r.ensemble,
      shrinkage: r.policy.shrinkage,
      drift_close: r.drift,
      serving_policy: r.policy.decision.served,
      volatility: r.volatility,
      lower_80: r.intervals['80'].lower,
      upper_80: r.intervals['80'].upper,
      lower_95: r.intervals['95'].lower,
      upper_95: r.intervals['95'].upper,
    };
    predictions.push({ ...served, run_id: runId });
    policies.push(
      policyRow(
        { ticker, asOf: r.asOfDate, runId },
        r.horizon,
        r.policy,
        r.drift === null ? null : r.drift / r.base - 1,
      ),
    );
    if (r.actual === null) continue;
    const error = r.actual - r.served;
    outcomes.push({
      ...served,
      actual_close: r.actual,
      abs_error: Math.abs(error),
      pct_error: (100 * error) / r.actual,
      naive_abs_error: Math.abs(r.actual - r.base),
      direction_correct: Math.sign(r.served - r.base) === Math.sign(r.actual - r.base),
      covered_80: covers(r.intervals['80'], r.actual),
      covered_95: covers(r.intervals['95'], r.actual),
    });
  }
  return { predictions, outcomes, policy_decisions: policies };
}

async function evaluateTicker(
  cat: Catalog,
  ticker: string,
  req: EvaluateRequest,
): Promise<TickerEvaluation> {
  const cfg = cat.config;
  const raw = await cat.market.fetch(ticker, { from: cfg.source.startDate, to: req.to });
  const checked = checkContract(ticker, raw, contractOptionsFor(ticker, req.to, cfg.contract));
  if (checked.failure)
    throw new PipelineError(checked.failure.message, ticker, checked.failure.rule);
  const bars = adjustBars(checked.valid.filter((b) => b.date <= req.to));
  const features = computeIndicators(bars, cfg.indicators);
  const input = {
    bars,
    features,
    from: req.from,
    to: req.to,
    horizons: cfg.horizons,
    retrainEvery: cfg.evaluation.retrainEvery,
    serving: cfg.serving,
    // A model is first trained once a full training window of labelled samples exists.
    minHistory: cfg.model.trainDays + cfg.lookback + Math.max(...cfg.horizons),
    fit: ensembleFitter(cfg, req.backend),
    onRetrain: (d: string, k: number, n: number) => req.onRetrain?.(ticker, d, k, n),
  };
  // The model forecasts are the expensive half: kept in the object store under a key of everything
  // they depend on, so re-scoring (a policy change, another --to) retrains nothing.
  const cacheKey = forecastsKey(
    ticker,
    input,
    configHash(cfg),
    hashBars(bars, bars[0]?.date ?? '', req.to),
  );
  const cached = await readForecasts(cat, cacheKey);
  const forecasts =
    cached ??
    (await forecastWalk({
      ...input,
      days: scoredSessions(features, req.from, req.to, input.minHistory),
    }));
  if (!cached) await cat.store.put(cacheKey, JSON.stringify([...forecasts]));
  const rows = await walkForward({ ...input, cached: forecasts });
  if (!rows.length) {
    throw new PipelineError(`no forecasts between ${req.from} and ${req.to}`, ticker, 'evaluate');
  }
  const evaluations = evaluateRows(ticker, rows, cfg.model.seed);
  const training = trainingSummary(forecasts.values());
  const meta = {
    from: req.from,
    to: req.to,
    retrainEvery: cfg.evaluation.retrainEvery,
    ensembleSize: cfg.serving.ensembleSize,
    configHash: configHash(cfg),
    runId: req.runId,
    training,
  };
  await cat.warehouse.upsertBatch({
    evaluations: evaluationRows(evaluations, meta),
    ...(req.seedLedger ? ledgerRows(ticker, rows, req.runId) : {}),
  });
  return { ticker, evaluations, rows: rows.length, training };
}

/** Every ticker, one after another; one that fails is reported with its reason and never stops the rest. */
export async function evaluate(cat: Catalog, req: EvaluateRequest): Promise<TickerEvaluation[]> {
  if (req.from > req.to)
    throw new RangeError(`evaluate: --from ${req.from} is after --to ${req.to}`);
  const out: TickerEvaluation[] = [];
  for (const ticker of req.tickers) {
    try {
      out.push(await evaluateTicker(cat, ticker, req));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      cat.log.error('evaluate: ticker failed', { ticker, error });
      out.push({ ticker, evaluations: [], rows: 0, error });
    }
  }
  return out;
}
