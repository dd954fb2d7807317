/**
 * `stockops status`'s reading of the warehouse, one suite for every adapter: a run date with a
 * ticker that succeeded on its second run, one that failed in the model stage, one interrupted, and
 * one that ran only the day before. Rows are written through the port, as the pipeline writes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Warehouse } from '../../pipelines/ports/warehouse/port.js';
import { DATASET_ROW, type RowOf } from '../../pipelines/ports/warehouse/schema.js';
import { dayStatus, latestRunDate } from '../../pipelines/status/read.js';

export const DAY = '2020-04-17';
export const DAY_BEFORE = '2020-04-16';
const STAGES = ['ingest', 'features', 'model', 'forecast', 'drift', 'record'] as const;

type RunRow = RowOf<'pipeline_runs'>;
/** A ticker's stages of one run: `status` per stage, each a second long from `start` (HH:MM:SS). */
function runRows(
  runId: string,
  date: string,
  ticker: string,
  start: string,
  statuses: string[],
  message?: string,
): RunRow[] {
  return statuses.map((status, i) => {
    const t0 = Date.parse(`${date}T${start}Z`) + i * 1000;
    return {
      run_id: runId,
      run_date: date,
      ticker,
      stage: STAGES[i] ?? 'record',
      attempt: `${runId}-a`,
      status,
      started_at: new Date(t0).toISOString(),
      finished_at: new Date(t0 + (status === 'started' ? 0 : 1000)).toISOString(),
      duration_ms: status === 'started' ? 0 : 1000,
      rows: null,
      message: status === 'ok' ? null : (message ?? null),
    };
  });
}

const decision = (ticker: string, runId: string, version: string): RowOf<'model_decisions'> => ({
  ticker,
  as_of_date: DAY,
  decision: 'load',
  reason: 'champion fresh',
  model_version: version,
  champion_version: version,
  promoted: false,
  challenger_mase: null,
  champion_mase: null,
  backend: 'cpu',
  run_id: runId,
  policy_reason: null,
});

const policy = (ticker: string, runId: string, served: string): RowOf<'policy_decisions'> => ({
  ticker,
  as_of_date: DAY,
  horizon: 10,
  champion: 'naive',
  served,
  promoted: served !== 'naive',
  challenger: 'shrunk',
  champion_mae: null,
  challenger_mae: null,
  dm_statistic: null,
  dm_p_value: null,
  ledger_rows: 0,
  shrinkage: 0,
  drift_return: null,
  alpha_80: 0.2,
  alpha_95: 0.05,
  q_80: null,
  q_95: null,
  calibration: 'history',
  reason: 'test',
  run_id: runId,
});

const drift = (ticker: string, drifted: boolean): RowOf<'drift_scores'> => ({
  ticker,
  as_of_date: DAY,
  feature: DATASET_ROW,
  method: 'share',
  score: drifted ? 0.75 : 0.1,
  threshold: 0.5,
  drifted,
  status: 'ok',
  reference_size: 100,
  current_size: 30,
  reference_from: null,
  reference_to: null,
  current_from: null,
  current_to: null,
  model_version: 'v1',
});

export async function seedStatusRows(w: Warehouse): Promise<void> {
  const ok = Array<string>(6).fill('ok');
  await w.upsert('pipeline_runs', [
    // AAA failed at ingest in a first run, then the rerun (later) succeeded: the rerun counts.
    ...runRows('r1', DAY, 'AAA', '21:00:00', ['failed'], 'ingest: source timed out'),
    ...runRows('r2', DAY, 'AAA', '22:00:00', ok),
    ...runRows('r2', DAY, 'BBB', '22:00:00', ['ok', 'ok', 'failed'], 'model: out of memory'),
    ...runRows(
      'r2',
      DAY,
      'DDD',
      '22:00:00',
      ['ok', 'ok', 'interrupted'],
      'interrupted: never finished',
    ),
    ...runRows('r0', DAY_BEFORE, 'AAA', '22:00:00', ok),
    ...runRows('r0', DAY_BEFORE, 'CCC', '22:00:00', ok),
  ]);
  await w.upsert('model_decisions', [decision('AAA', 'r2', 'AAA-v7')]);
  await w.upsert('policy_decisions', [policy('AAA', 'r2', 'shrunk')]);
  await w.upsert('drift_scores', [drift('AAA', true)]);
}

export function statusContract(name: string, make: () => Promise<Warehouse>): void {
  describe(`status read: ${name}`, () => {
    let w: Warehouse;
    beforeAll(async () => {
      w = await make();
      await w.init();
      await seedStatusRows(w);
    });
    afterAll(() => w.close());

    it('finds the latest run date', async () => {
      expect(await latestRunDate(w)).toBe(DAY);
    });

    it('reports each ticker’s latest run on the date: outcome, reason, version, policy, drift, time', async () => {
      const s = await dayStatus(w, DAY);
      expect(s.tickers.map((t) => [t.ticker, t.runId, t.outcome])).toEqual([
        ['AAA', 'r2', 'ok'],
        ['BBB', 'r2', 'failed'],
        ['DDD', 'r2', 'interrupted'],
      ]);
      const [aaa, bbb, ddd] = s.tickers;
      expect(aaa).toMatchObject({
        asOf: DAY,
        decision: 'load',
        modelVersion: 'AAA-v7',
        policy: 'h10 shrunk (promoted)',
        drift: 'drift (share 0.75)',
        durationMs: 6000,
      });
      expect(aaa?.stages.map((x) => `${x.stage}:${x.status}`)).toEqual(
        STAGES.map((st) => `${st}:ok`),
      );
      expect(aaa?.reason).toBeUndefined();
      expect(bbb).toMatchObject({ failedStage: 'model', reason: 'model: out of memory' });
      expect(bbb?.modelVersion).toBeUndefined();
      expect(ddd).toMatchObject({ failedStage: 'model', reason: 'interrupted: never finished' });
      // From the first stage start (22:00:00) to the last end (AAA's record, 22:00:06).
      expect(s.durationMs).toBe(6000);
      expect(s.absent).toEqual([{ ticker: 'CCC', lastRunDate: DAY_BEFORE }]);
    });

    it('an earlier date reads on its own; a date without runs has no tickers', async () => {
      const before = await dayStatus(w, DAY_BEFORE);
      expect(before.tickers.map((t) => [t.ticker, t.outcome])).toEqual([
        ['AAA', 'ok'],
        ['CCC', 'ok'],
      ]);
      expect((await dayStatus(w, '2020-04-15')).tickers).toEqual([]);
    });
  });
}
