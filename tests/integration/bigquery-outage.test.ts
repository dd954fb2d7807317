/**
 * A BigQuery outage in the middle of a write: the emulator process is killed (SIGKILL, as a crash
 * or a network cut looks to the client) at a known point of upsertBatch, then started again on the
 * same port and data folder (persistent mode, so what was committed before the outage is still
 * there). The failed call must look retryable; the retry must write every row exactly once, and
 * nothing of the failed batch may be visible in between.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBigQueryWarehouse,
  type BigQueryWarehouse,
} from '../../pipelines/ports/warehouse/bigquery.js';
import { WarehouseError, type WriteBatch } from '../../pipelines/ports/warehouse/port.js';
import type { NewRow } from '../../pipelines/ports/warehouse/schema.js';
import { startBigQueryEmulator, type BigQueryEmulator } from '../support/emulators/bigquery.js';
import { asRead } from '../support/tables.js';

const PROJECT = 'stockops-test';

const prediction = (asOf: string, horizon: number): NewRow<'predictions'> => ({
  ticker: 'OUT',
  as_of_date: asOf,
  horizon,
  target_date: '2023-03-31',
  base_close: 10,
  predicted_close: 10 + horizon / 10,
  model_version: 'v1',
  run_id: 'run-1',
});
const decision = (asOf: string): NewRow<'model_decisions'> => ({
  ticker: 'OUT',
  as_of_date: asOf,
  decision: 'load',
  reason: 'fresh model',
  model_version: 'v1',
  champion_version: null,
  promoted: false,
  challenger_mase: null,
  champion_mase: 0.9,
  backend: 'cpu',
  run_id: 'run-1',
});
const dayBatch = (asOf: string): WriteBatch => ({
  predictions: [prediction(asOf, 5), prediction(asOf, 10)],
  model_decisions: [decision(asOf)],
});

describe('bigquery outage mid-write', () => {
  let emu: BigQueryEmulator;
  let w: BigQueryWarehouse;
  const dataset = `outage_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const open = (onPhase?: Parameters<typeof createBigQueryWarehouse>[0]['onPhase']) =>
    // retries: 0 so the outage surfaces at once; by default the client retries ~16 s first.
    createBigQueryWarehouse({
      projectId: PROJECT,
      dataset,
      apiEndpoint: emu.endpoint,
      retries: 0,
      onPhase,
    });

  async function tableRows() {
    return {
      predictions: await w.select('predictions', { where: { ticker: 'OUT' } }),
      model_decisions: await w.select('model_decisions', { where: { ticker: 'OUT' } }),
    };
  }

  beforeAll(async () => {
    emu = await startBigQueryEmulator({ persistent: true });
    w = open();
    await w.init();
    await w.upsertBatch(dayBatch('2023-03-01'));
  });
  afterAll(() => emu?.stop());

  async function expectRetryable(p: Promise<unknown>): Promise<WarehouseError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WarehouseError);
    const we = err as WarehouseError;
    expect(we.retryable, we.message).toBe(true);
    expect(we.message).toMatch(/ECONNREFUSED|socket hang up|ECONNRESET|5\d\d/);
    return we;
  }

  it('killed after the staging loads, before the MERGE: nothing written, the retry writes once', async () => {
    const batch = dayBatch('2023-03-02');
    const cut = open(async () => {
      await emu.halt();
    });
    await expectRetryable(cut.upsertBatch(batch));
    await emu.restart();

    // The day before the outage is intact, and nothing of the failed batch is there.
    const after = await tableRows();
    expect(after.predictions.map((r) => r.as_of_date)).toEqual(['2023-03-01', '2023-03-01']);
    expect(after.model_decisions.map((r) => r.as_of_date)).toEqual(['2023-03-01']);

    expect(await w.upsertBatch(batch)).toEqual({ predictions: 2, model_decisions: 1 });
    const retried = await tableRows();
    expect(retried.predictions).toEqual(
      [
        prediction('2023-03-01', 5),
        prediction('2023-03-01', 10),
        prediction('2023-03-02', 5),
        prediction('2023-03-02', 10),
      ].map((p) => asRead('predictions', p)),
    );
    expect(retried.model_decisions).toEqual(
      [decision('2023-03-01'), decision('2023-03-02')].map((d) => asRead('model_decisions', d)),
    );
    // A redelivered message writes the same batch a third time: still one row per key.
    await w.upsertBatch(batch);
    expect(await tableRows()).toEqual(retried);
  });

  it('down when the write starts (the load job cannot reach it): a retryable error, then one write', async () => {
    const before = await tableRows();
    await emu.halt();
    await expectRetryable(w.upsertBatch(dayBatch('2023-03-03')));
    await emu.restart();
    expect(await tableRows()).toEqual(before);
    await w.upsertBatch(dayBatch('2023-03-03'));
    const after = await tableRows();
    expect(after.predictions).toHaveLength(before.predictions.length + 2);
    expect(after.model_decisions).toHaveLength(before.model_decisions.length + 1);
    const keys = after.predictions.map((r) => `${r.as_of_date}|${r.horizon}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a read during the outage fails retryable too', async () => {
    await emu.halt();
    try {
      await expectRetryable(w.select('predictions', { where: { ticker: 'OUT' } }));
    } finally {
      await emu.restart();
    }
  });
});
