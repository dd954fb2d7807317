/**
 * The accuracy ledger: joins stored predictions to the closes that later happened and scores them
 * against the naive no-change forecast. Pure: storage and clocks live with the caller.
 */
import { PipelineError } from '../types.js';
import { forecastMetrics, type ForecastMetrics } from '../model/evaluate.js';

export interface StoredPrediction {
  ticker: string;
  asOfDate: string;
  /** Trading sessions ahead of asOfDate. */
  horizon: number;
  targetDate: string;
  predictedClose: number;
  /** Close on asOfDate: the naive forecast. */
  baseClose: number;
  modelVersion: string;
}

export interface CloseBar {
  date: string;
  close: number;
}

export interface Outcome extends StoredPrediction {
  actualClose: number;
  /** actualClose − predictedClose (positive when the model was too low). */
  error: number;
  absError: number;
  /** error / actualClose, in percent. */
  pctError: number;
  directionCorrect: boolean;
}

export interface Resolution {
  outcomes: Outcome[];
  /** Target date is after the ticker's last bar: not yet knowable. */
  pending: StoredPrediction[];
  /**
   * Target date is within the ticker's bars but has no bar: a data hole or a calendar bug. Kept apart
   * so it is never silently mistaken for "not yet".
   */
  missing: StoredPrediction[];
}

export interface LedgerSummary extends ForecastMetrics {
  ticker: string;
  horizon: number;
  firstTargetDate: string;
  lastTargetDate: string;
}

function closesByDate(ticker: string, bars: readonly CloseBar[]): Map<string, number> {
  const closes = new Map<string, number>();
  for (const b of bars) {
    // A close of 0 would make percentage errors infinite; prices here are always positive.
    if (!Number.isFinite(b.close) || b.close <= 0) {
      throw new PipelineError(
        `bar ${b.date} has a close that is not a positive number (${b.close})`,
        ticker,
        'ledger',
      );
    }
    const seen = closes.get(b.date);
    if (seen !== undefined && seen !== b.close) {
      throw new PipelineError(
        `two bars for ${b.date} disagree (${seen} vs ${b.close})`,
        ticker,
        'ledger',
      );
    }
    closes.set(b.date, b.close);
  }
  return closes;
}

function checkPrediction(p: StoredPrediction): void {
  for (const key of ['predictedClose', 'baseClose'] as const) {
    if (!Number.isFinite(p[key])) {
      throw new PipelineError(
        `prediction as of ${p.asOfDate} h=${p.horizon}: ${key} is not a finite number (${p[key]})`,
        p.ticker,
        'ledger',
      );
    }
  }
  if (!(p.targetDate > p.asOfDate)) {
    throw new PipelineError(
      `prediction as of ${p.asOfDate} h=${p.horizon}: target ${p.targetDate} is not after it`,
      p.ticker,
      'ledger',
    );
  }
}

/**
 * Scores every prediction whose target date has a close. `barsByTicker` holds each ticker's closes;
 * a ticker with no entry leaves its predictions pending.
 */
export function resolveOutcomes(
  predictions: readonly StoredPrediction[],
  barsByTicker: Readonly<Record<string, readonly CloseBar[]>>,
): Resolution {
  const res: Resolution = { outcomes: [], pending: [], missing: [] };
  const closes = new Map<string, Map<string, number>>();
  const lastDate = new Map<string, string>();
  const seen = new Set<string>();
  for (const p of predictions) {
    checkPrediction(p);
    // A re-run that stored the same forecast twice would count it twice in every metric.
    const key = `${p.ticker}|${p.asOfDate}|${p.horizon}|${p.modelVersion}`;
    if (seen.has(key)) {
      throw new PipelineError(
        `duplicate prediction as of ${p.asOfDate} h=${p.horizon} model ${p.modelVersion}`,
        p.ticker,
        'ledger',
      );
    }
    seen.add(key);
    let byDate = closes.get(p.ticker);
    if (!byDate) {
      const bars = Object.hasOwn(barsByTicker, p.ticker) ? (barsByTicker[p.ticker] ?? []) : [];
      byDate = closesByDate(p.ticker, bars);
      closes.set(p.ticker, byDate);
      lastDate.set(
        p.ticker,
        [...byDate.keys()].reduce((a, b) => (b > a ? b : a), ''),
      );
    }
    const actual = byDate.get(p.targetDate);
    if (actual === undefined) {
      const last = lastDate.get(p.ticker) ?? '';
      (p.targetDate > last ? res.pending : res.missing).push(p);
      continue;
    }
    const error = actual - p.predictedClose;
    res.outcomes.push({
      ...p,
      actualClose: actual,
      error,
      absError: Math.abs(error),
      pctError: (100 * error) / actual,
      // An unchanged price is its own direction (sign 0), as in forecastMetrics.
      directionCorrect:
        Math.sign(p.predictedClose - p.baseClose) === Math.sign(actual - p.baseClose),
    });
  }
  return res;
}

/** Code-unit order: unlike localeCompare, the same on every host. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface SummaryOptions {
  /** Score only the most recent `window` outcomes (by target date) of each ticker × horizon. */
  window?: number;
}

/** Accuracy per ticker × horizon, sorted by ticker then horizon. */
export function summarizeOutcomes(
  outcomes: readonly Outcome[],
  { window }: SummaryOptions = {},
): LedgerSummary[] {
  if (window !== undefined && (!Number.isInteger(window) || window < 1)) {
    throw new RangeError(`summary window must be a positive integer, got ${window}`);
  }
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const key = `${o.ticker}\u0000${o.horizon}`;
    const g = groups.get(key);
    if (g) g.push(o);
    else groups.set(key, [o]);
  }
  const out: LedgerSummary[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort(
      (a, b) =>
        cmp(a.targetDate, b.targetDate) ||
        cmp(a.asOfDate, b.asOfDate) ||
        cmp(a.modelVersion, b.modelVersion),
    );
    const rows = window === undefined ? sorted : sorted.slice(-window);
    const first = rows[0];
    const last = rows.at(-1);
    if (!first || !last) continue;
    out.push({
      ticker: first.ticker,
      horizon: first.horizon,
      firstTargetDate: first.targetDate,
      lastTargetDate: last.targetDate,
      ...forecastMetrics(
        rows.map((o) => ({
          base: o.baseClose,
          predicted: o.predictedClose,
          actual: o.actualClose,
        })),
      ),
    });
  }
  return out.sort((a, b) => cmp(a.ticker, b.ticker) || a.horizon - b.horizon);
}
