import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftReturn, historyScores } from '../../pipelines/forecast/history-stats.js';
import {
  decidePolicy,
  servePolicy,
  type LedgerRow,
  type PolicyInput,
  type PolicyName,
} from '../../pipelines/forecast/policy.js';
import { createRng } from '../../pipelines/stats/random.js';
import { loadConfig } from '../../pipelines/config.js';

// The defaults, with fewer comparable outcomes needed so that small ledgers can decide.
const cfg: PolicyInput['cfg'] = { ...loadConfig().serving, minComparisonRows: 60 };

const day = (k: number): string =>
  new Date(Date.UTC(2020, 0, 1) + k * 86_400_000).toISOString().slice(0, 10);

function gauss(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
}

/** A ledger of `n` realised rows of horizon h: actual return = drift + noise; the LSTM forecasts `lstm(return)`. */
function ledger(
  n: number,
  opts: {
    h?: number;
    drift?: number;
    lstm?: (actual: number, rng: () => number) => number;
    seed?: number;
  },
): LedgerRow[] {
  const h = opts.h ?? 10;
  const rng = createRng(opts.seed ?? 1);
  return Array.from({ length: n }, (_, k) => {
    const base = 100;
    const ret = (opts.drift ?? 0) + 0.03 * gauss(rng);
    const lstmRet = opts.lstm ? opts.lstm(ret, rng) : 0.03 * gauss(rng);
    return {
      asOfDate: day(k),
      targetDate: day(k + h),
      horizon: h,
      base,
      actual: base * (1 + ret),
      served: base,
      lstm: base * (1 + lstmRet),
      shrinkage: 0,
      drift: base * (1 + (opts.drift ?? 0)),
      volatility: 0.01,
      covered80: null,
      covered95: null,
    };
  });
}

const input = (over: Partial<PolicyInput>): PolicyInput => ({
  asOf: day(10_000),
  horizon: 10,
  base: 123.45,
  lstmClose: 130,
  driftReturn: 0.004,
  volatility: 0.012,
  ledger: [],
  champion: 'naive',
  historyScores: Array.from({ length: 250 }, (_, k) => (k + 1) / 100),
  cfg,
  ...over,
});

describe('serving policy', () => {
  it('with no realised history serves exactly the naive close, and a = 0', () => {
    for (const champion of ['naive', 'shrunk'] as const) {
      const r = servePolicy(input({ champion }));
      expect(r.shrinkage).toBe(0);
      expect(r.servedClose).toBe(123.45);
      expect(r.decision.served).toBe(champion);
      expect(r.calibration).toBe('history');
    }
  });

  it('fits a > 0 when the LSTM carries signal, and serves base·(1 + a·r̂)', () => {
    // The LSTM forecasts half the realised return plus small noise: the MAE-optimal a is near 2 → clipped to 1.
    const rows = ledger(200, { lstm: (ret, rng) => 0.5 * ret + 0.002 * gauss(rng) }).map((r) => ({
      ...r,
      shrinkage: 1,
    }));
    const r = servePolicy(input({ ledger: rows, champion: 'shrunk' }));
    expect(r.shrinkage).toBe(1);
    expect(r.decision.served).toBe('shrunk');
    expect(r.servedClose).toBeCloseTo(130, 10);
    // From naive, the shrunk LSTM is promoted: it beats naive significantly on the ledger.
    const promoted = servePolicy(input({ ledger: rows }));
    expect(promoted.decision).toMatchObject({
      champion: 'naive',
      served: 'shrunk',
      promoted: true,
    });
  });

  it('keeps a = 0 when the LSTM is noise', () => {
    const r = servePolicy(input({ ledger: ledger(250, {}) }));
    expect(r.shrinkage).toBeLessThan(0.2);
  });

  it('promotes drift only when the Diebold–Mariano test says it beats the champion', () => {
    // A strong positive drift the shrunk-to-naive champion does not forecast.
    const strong = decidePolicy(ledger(250, { drift: 0.03 }), 'naive', 10, cfg);
    expect(strong.promoted).toBe(true);
    expect(strong.served).toBe('drift');
    expect(strong.dmPValue).toBeLessThan(cfg.significance);
    // No drift at all: nothing is significantly better, the champion stays.
    const none = decidePolicy(ledger(250, { drift: 0 }), 'naive', 10, cfg);
    expect(none.promoted).toBe(false);
    expect(none.served).toBe('naive');
    expect(none.reason).toMatch(/^naive kept: MAE/);
  });

  it('sends a champion that no longer beats naive on the ledger back to naive', () => {
    // Drift served, but the realised drift turned negative: its error is now above naive's.
    const rows = ledger(250, { drift: -0.01 }).map((r) => ({ ...r, drift: r.base * 1.01 }));
    const d = decidePolicy(rows, 'drift', 10, cfg);
    expect(d.served).toBe('naive');
    expect(d.promoted).toBe(false);
    expect(d.reason).toMatch(/^drift demoted to naive: MAE/);
  });

  it('does not change policy on fewer comparable rows than configured', () => {
    const d = decidePolicy(ledger(59, { drift: 0.05 }), 'naive', 10, cfg);
    expect(d.served).toBe('naive');
    expect(d.reason).toMatch(/59 comparable outcomes, need 60/);
  });

  it('calibrates on the ledger once it holds enough scores, with intervals around the served close', () => {
    const rows = ledger(200, {}).map((r) => ({ ...r, covered80: true, covered95: true }));
    const r = servePolicy(input({ ledger: rows }));
    expect(r.calibration).toBe('ledger');
    const i80 = r.intervals['80'];
    const i95 = r.intervals['95'];
    expect(i80.lower).not.toBeNull();
    expect(i95.lower ?? Infinity).toBeLessThan(i80.lower ?? -Infinity);
    expect(i95.upper ?? -Infinity).toBeGreaterThan(i80.upper ?? Infinity);
    expect(((i80.lower ?? 0) + (i80.upper ?? 0)) / 2).toBeCloseTo(r.servedClose, 8);
    // Every interval covered: adaptive conformal lets the miss rate rise, narrowing the interval.
    expect(r.alphas['80']).toBeGreaterThan(0.2);
  });

  it('point in time: ledger rows whose target is after D change nothing served on D', () => {
    const rowArb = fc.record({
      asOff: fc.integer({ min: 0, max: 400 }),
      ret: fc.double({ min: -0.3, max: 0.3, noNaN: true }),
      lstm: fc.double({ min: -0.3, max: 0.3, noNaN: true }),
      a: fc.double({ min: 0, max: 1, noNaN: true }),
      cov: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 300 }),
        fc.integer({ min: 50, max: 400 }),
        fc.constantFrom<PolicyName>('shrunk', 'naive', 'drift'),
        (raw, d, champion) => {
          const all: LedgerRow[] = raw.map((x) => ({
            asOfDate: day(x.asOff),
            targetDate: day(x.asOff + 14),
            horizon: 10,
            base: 100,
            actual: 100 * (1 + x.ret),
            served: 100,
            lstm: 100 * (1 + x.lstm),
            shrinkage: x.a,
            drift: 100.5,
            volatility: 0.01,
            covered80: x.cov,
            covered95: x.cov,
          }));
          const asOf = day(d);
          const known = all.filter((r) => r.targetDate <= asOf);
          const small = { ...cfg, minShrinkageRows: 5, minComparisonRows: 12, minLedgerScores: 10 };
          const a = servePolicy(input({ asOf, ledger: all, champion, cfg: small }));
          const b = servePolicy(input({ asOf, ledger: known, champion, cfg: small }));
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('history statistics', () => {
  it('drift is the mean h-session return over the closes given', () => {
    expect(driftReturn([100, 110, 121], 1)).toBeCloseTo(0.1, 12);
    expect(driftReturn([100, 110, 121], 2)).toBeCloseTo(0.21, 12);
    expect(driftReturn([100], 1)).toBeNull();
  });

  it('history scores use only labels known at the last close', () => {
    const rng = createRng(3);
    const closes = [100];
    for (let k = 0; k < 400; k++) closes.push((closes.at(-1) ?? 100) * Math.exp(0.01 * gauss(rng)));
    const s = historyScores(closes, 10, { sessions: 250, volatilityDays: 20 });
    expect(s).toHaveLength(250);
    // Changing a close after the last labelled as-of date moves only scores whose label is that close.
    const later = historyScores(closes.slice(0, 300), 10, { sessions: 250, volatilityDays: 20 });
    const prefix = historyScores([...closes.slice(0, 300), 1e6], 10, {
      sessions: 250,
      volatilityDays: 20,
    });
    expect(prefix.slice(0, -1)).toEqual(later.slice(1));
  });
});
