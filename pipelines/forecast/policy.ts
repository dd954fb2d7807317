/**
 * The serving policy for one ticker, day and horizon: which forecast is served, and its intervals.
 * Pure and point in time: it reads only ledger rows whose target date is on or before D, so data
 * after D can change nothing it returns (tests/unit/policy.test.ts checks that as a property).
 *
 * - Three candidates: the LSTM ensemble's return r̂ shrunk toward naive, r = a · r̂ (a fitted on the
 *   realised ledger, walk-forward; a = 0 until there are enough outcomes), naive, and drift.
 * - Naive serves first. A challenger is promoted only when its ledger error is lower and a
 *   Diebold–Mariano test (HLN form, lag h − 1) rejects equal accuracy; a champion whose ledger
 *   error is no longer below naive's goes back to naive.
 * - Intervals are split-conformal on volatility-scaled scores, with adaptive conformal inference
 *   on top, calibrated on the ledger (or, before it has enough, on the naive scores of history).
 */
import type { Config } from '../config.js';
import { dieboldMariano } from '../stats/diebold-mariano.js';
import {
  aciAlpha,
  servedQuantile,
  interval,
  intervalForWarehouse,
  intervalScore,
} from './conformal.js';
import { fitShrinkage, servedClose } from './shrinkage.js';

export const POLICIES = ['shrunk', 'naive', 'drift'] as const;
export type PolicyName = (typeof POLICIES)[number];
/** What serves until a challenger proves itself on the ledger, and what a champion falls back to. */
export const DEFAULT_POLICY: PolicyName = 'naive';

export const isPolicy = (v: unknown): v is PolicyName =>
  typeof v === 'string' && (POLICIES as readonly string[]).includes(v);

/** A realised outcome as the policy reads it: what was published on its as-of date, and the actual. */
export interface LedgerRow {
  asOfDate: string;
  targetDate: string;
  horizon: number;
  base: number;
  actual: number;
  /** The served close. */
  served: number;
  lstm: number | null;
  shrinkage: number | null;
  drift: number | null;
  volatility: number | null;
  covered80: boolean | null;
  covered95: boolean | null;
}

export type ServingPolicyConfig = Config['serving'];

export interface PolicyInput {
  asOf: string;
  horizon: number;
  base: number;
  /** The LSTM ensemble's forecast close for D + h. */
  lstmClose: number;
  /** Mean h-session return up to D (history.ts). */
  driftReturn: number | null;
  volatility: number | null;
  ledger: readonly LedgerRow[];
  /** The policy served before today (the latest decision before D); naive when none. */
  champion: PolicyName;
  /** Naive scores from history ≤ D, used until the ledger holds `minLedgerScores`. */
  historyScores: readonly number[];
  cfg: ServingPolicyConfig;
}

export interface Bounds {
  lower: number | null;
  upper: number | null;
}

export interface PolicyDecision {
  champion: PolicyName;
  served: PolicyName;
  promoted: boolean;
  challenger: PolicyName | null;
  championMae: number | null;
  challengerMae: number | null;
  dmStatistic: number | null;
  dmPValue: number | null;
  ledgerRows: number;
  comparableRows: number;
  reason: string;
}

export interface PolicyResult {
  servedClose: number;
  shrinkage: number;
  driftClose: number | null;
  decision: PolicyDecision;
  intervals: Record<'80' | '95', Bounds>;
  alphas: Record<'80' | '95', number>;
  quantiles: Record<'80' | '95', number | null>;
  calibration: 'ledger' | 'history';
}

const byTarget = (a: LedgerRow, b: LedgerRow): number =>
  a.targetDate < b.targetDate
    ? -1
    : a.targetDate > b.targetDate
      ? 1
      : a.asOfDate < b.asOfDate
        ? -1
        : 1;

/** The rows known on D for this horizon, oldest first, the latest `window` of them. */
export function knownOn(
  ledger: readonly LedgerRow[],
  asOf: string,
  horizon: number,
  window: number,
): LedgerRow[] {
  return ledger
    .filter((r) => r.horizon === horizon && r.targetDate <= asOf)
    .sort(byTarget)
    .slice(-window);
}

/** Each policy's forecast on a realised row, as it stood on that row's own as-of date. */
function forecastOf(p: PolicyName, r: LedgerRow): number | null {
  if (p === 'naive') return r.base;
  if (p === 'drift') return r.drift;
  return r.lstm === null || r.shrinkage === null ? null : servedClose(r.base, r.shrinkage, r.lstm);
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Champion against each challenger on the same realised rows: promote only a significant winner. */
export function decidePolicy(
  rows: readonly LedgerRow[],
  champion: PolicyName,
  horizon: number,
  cfg: Pick<ServingPolicyConfig, 'significance' | 'minComparisonRows'>,
): PolicyDecision {
  // Rows where every policy had a forecast: each is compared on exactly the same outcomes.
  const comparable = rows.filter((r) => POLICIES.every((p) => forecastOf(p, r) !== null));
  // In return units: rows on different adjustment bases (or price levels) weigh alike.
  const errors = (p: PolicyName) =>
    comparable.map((r) => (r.actual - (forecastOf(p, r) ?? NaN)) / r.base);
  const base: PolicyDecision = {
    champion,
    served: champion,
    promoted: false,
    challenger: null,
    championMae: null,
    challengerMae: null,
    dmStatistic: null,
    dmPValue: null,
    ledgerRows: rows.length,
    comparableRows: comparable.length,
    reason: '',
  };
  if (comparable.length < cfg.minComparisonRows) {
    return {
      ...base,
      reason: `${champion} kept: ${comparable.length} comparable outcomes, need ${cfg.minComparisonRows}`,
    };
  }
  const maeOf = (p: PolicyName) => mean(errors(p).map(Math.abs));
  const fmt = (x: number) => x.toPrecision(4);
  // A champion that no longer beats naive on the window goes back to naive: promotions are tested
  // every day, so one that won by chance must not keep serving once its edge is gone.
  const naiveMae = maeOf('naive');
  const demotion =
    champion !== 'naive' && !(maeOf(champion) < naiveMae)
      ? `${champion} demoted to naive: MAE ${fmt(maeOf(champion))} ≥ naive ${fmt(naiveMae)} over ${comparable.length}; `
      : '';
  const incumbent: PolicyName = demotion ? 'naive' : champion;
  const champErr = errors(incumbent);
  const championMae = mean(champErr.map(Math.abs));
  const [best] = POLICIES.filter((p) => p !== incumbent)
    .map((p) => ({ p, err: errors(p) }))
    .map((c) => ({ ...c, mae: mean(c.err.map(Math.abs)) }))
    .sort((a, b) => a.mae - b.mae);
  const withNumbers = {
    ...base,
    served: incumbent,
    championMae,
    challenger: best?.p ?? null,
    challengerMae: best?.mae ?? null,
  };
  if (!best || !(best.mae < championMae)) {
    return {
      ...withNumbers,
      reason: `${demotion}${incumbent} kept: MAE ${fmt(championMae)}${best ? ` ≤ ${best.p} ${fmt(best.mae)}` : ''} over ${comparable.length}`,
    };
  }
  // One-sided: is the challenger (e1) more accurate than the incumbent (e2)?
  let dm: { statistic: number; pValue: number } | null = null;
  try {
    dm = dieboldMariano(best.err, champErr, { h: horizon, power: 1, alternative: 'less' });
  } catch {
    // Loss differences with no variance at any lag: no evidence either way.
    dm = null;
  }
  const promoted = dm !== null && dm.pValue < cfg.significance;
  const numbers = `MAE ${best.p} ${fmt(best.mae)} < ${incumbent} ${fmt(championMae)} over ${comparable.length}, ${dm ? `DM ${fmt(dm.statistic)} p=${fmt(dm.pValue)}` : 'no DM test possible'}`;
  return {
    ...withNumbers,
    served: promoted ? best.p : incumbent,
    promoted,
    dmStatistic: dm?.statistic ?? null,
    dmPValue: dm?.pValue ?? null,
    reason: promoted
      ? `${demotion}${best.p} promoted over ${incumbent}: ${numbers} < ${cfg.significance}`
      : `${demotion}${incumbent} kept: ${numbers}${dm ? ` ≥ ${cfg.significance}` : ''}`,
  };
}

/** The forecast served on D for one horizon, its intervals, and the decision behind it. */
export function servePolicy(i: PolicyInput): PolicyResult {
  const rows = knownOn(i.ledger, i.asOf, i.horizon, i.cfg.ledgerWindow);
  const shrink = fitShrinkage(
    rows
      .filter((r) => r.lstm !== null)
      .map((r) => ({
        predictedReturn: (r.lstm ?? r.base) / r.base - 1,
        actualReturn: r.actual / r.base - 1,
      })),
    { minRows: i.cfg.minShrinkageRows },
  );
  const decision = decidePolicy(rows, i.champion, i.horizon, i.cfg);
  const driftClose = i.driftReturn === null ? null : i.base * (1 + i.driftReturn);
  const close =
    decision.served === 'naive'
      ? i.base
      : decision.served === 'drift' && driftClose !== null
        ? driftClose
        : servedClose(i.base, shrink.a, i.lstmClose);

  const scored = rows.filter((r) => r.volatility !== null && r.volatility > 0);
  const calibration = scored.length >= i.cfg.minLedgerScores ? 'ledger' : 'history';
  const scores =
    calibration === 'ledger'
      ? scored.map((r) =>
          intervalScore({
            actual: r.actual,
            served: r.served,
            base: r.base,
            vol: r.volatility ?? NaN,
            h: i.horizon,
          }),
        )
      : [...i.historyScores];
  const levels = { '80': 0.8, '95': 0.95 } as const;
  const alphas = { '80': 0, '95': 0 };
  const quantiles: PolicyResult['quantiles'] = { '80': null, '95': null };
  const intervals: PolicyResult['intervals'] = {
    '80': { lower: null, upper: null },
    '95': { lower: null, upper: null },
  };
  for (const k of ['80', '95'] as const) {
    const target = 1 - levels[k];
    const misses = rows
      .map((r) => (k === '80' ? r.covered80 : r.covered95))
      .filter((c): c is boolean => c !== null)
      .map((c) => !c);
    alphas[k] = aciAlpha({ target, gamma: i.cfg.aciGamma, misses, decay: i.cfg.aciDecay });
    const q = servedQuantile(scores, alphas[k]);
    quantiles[k] = Number.isFinite(q) ? q : null;
    if (i.volatility !== null && i.volatility > 0) {
      intervals[k] = intervalForWarehouse(
        interval({ served: close, base: i.base, vol: i.volatility, h: i.horizon, q }),
      );
    }
  }
  return {
    servedClose: close,
    shrinkage: shrink.a,
    driftClose,
    decision,
    intervals,
    alphas,
    quantiles,
    calibration,
  };
}
