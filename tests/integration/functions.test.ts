/**
 * The Cloud Functions as the Functions Framework runs them (in this process): Pub/Sub CloudEvents
 * in, the in-process bus and the embedded warehouse out. functions/index.ts opens its catalog from
 * process.env, so the environment points at a temp folder before it is imported. The same three
 * functions as real processes on the Pub/Sub emulator: functions-pubsub.test.ts.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { getFunction, getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onIngest, onModel, onSchedule, todayInNewYork } from '../../functions/handlers.js';
import { topicsFor } from '../../pipelines/ports/bus/topics.js';
import type { Catalog } from '../../pipelines/catalog.js';
import type { BusMessage } from '../../pipelines/ports/bus/port.js';
import { tempCatalog } from '../support/catalog.js';

const SMALL = {
  watchlist: ['SP500', 'AAPL'],
  source: { startDate: '2018-06-01' },
  model: { units: 16, epochs: 2, trainDays: 200 },
};
const DATE = '2020-04-17';

const TOPICS = topicsFor({ kind: 'memory', topicPrefix: 'stockops' });
const base64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64');

/** A Pub/Sub "message published" CloudEvent, as Eventarc delivers it to a gen2 function. */
function pubsubEvent(data: string | undefined, id = '1'): CloudEvent<unknown> {
  return {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/p/topics/stockops-schedule',
    id,
    time: '2020-04-17T22:00:00Z',
    datacontenttype: 'application/json',
    data: { message: { data, messageId: id } },
  };
}

type Handler = (event: CloudEvent<unknown>) => Promise<void>;
function fn(name: string): Handler {
  const f = getFunction(name);
  if (!f) throw new Error(`function ${name} is not registered`);
  return f as Handler;
}

/** Collects what is published on a topic of the catalog's bus. */
async function listen(cat: Catalog, topic: string): Promise<BusMessage[]> {
  const got: BusMessage[] = [];
  await cat.bus.subscribe(topic, (m) => {
    got.push(m);
    return Promise.resolve();
  });
  return got;
}

describe('the deployed entry points (functions/index.ts)', () => {
  let cat: Catalog;
  const saved = { ...process.env };

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stockops-fn-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(SMALL));
    process.env.STOCKOPS_DATA_DIR = dir;
    process.env.STOCKOPS_CONFIG = config;
    const index = await import('../../functions/index.js');
    cat = await index.instanceCatalog();
  });
  afterAll(async () => {
    await cat.close();
    process.env = saved;
  });

  it('opens its catalog from the environment', () => {
    expect(cat.config.watchlist).toEqual(SMALL.watchlist);
    expect(cat.config.warehouse).toEqual({
      kind: 'duckdb',
      path: `${process.env.STOCKOPS_DATA_DIR}/warehouse.duckdb`,
    });
  });

  it('stockopsSchedule fans out one stockops-ingest message per watched ticker', async () => {
    const sent = await listen(cat, TOPICS.ingest);
    await fn('stockopsSchedule')(pubsubEvent(base64({ date: DATE })));
    const runId: unknown = expect.stringMatching(new RegExp(`^${DATE}-[0-9a-f]{8}$`));
    expect(sent.map((m) => m.data)).toEqual([
      { runId, date: DATE, ticker: 'SP500' },
      { runId, date: DATE, ticker: 'AAPL' },
    ]);
    // One run: both messages carry the same run id.
    const ids = new Set(sent.map((m) => (m.data as { runId: string }).runId));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(sent.map((m) => m.attributes)).toEqual([
      { run_id: id, ticker: 'SP500', date: DATE },
      { run_id: id, ticker: 'AAPL', date: DATE },
    ]);
  });

  it('stockopsIngest ingests one ticker and hands over on stockops-model; stockopsModel finishes it on stockops-done', async () => {
    const model = await listen(cat, TOPICS.model);
    const done = await listen(cat, TOPICS.done);
    const msg = { runId: 'fn-run', date: DATE, ticker: 'SP500' };
    const attrs = { run_id: 'fn-run', ticker: 'SP500', date: DATE };
    await fn('stockopsIngest')(pubsubEvent(base64(msg)));
    expect(model.map((m) => [m.data, m.attributes])).toEqual([[msg, attrs]]);
    expect(done).toEqual([]);
    expect(await cat.warehouse.select('predictions', {})).toEqual([]);

    await fn('stockopsModel')(pubsubEvent(base64(msg)));
    expect(done).toHaveLength(1);
    expect(done[0]?.data).toMatchObject({ ...msg, status: 'ok', asOf: DATE, decision: 'train' });
    expect(done[0]?.attributes).toEqual({ ...attrs, status: 'ok' });

    const preds = await cat.warehouse.select('predictions', { where: { ticker: 'SP500' } });
    expect(preds.map((p) => [p.as_of_date, p.run_id])).toEqual(
      cat.config.horizons.map(() => [DATE, 'fn-run']),
    );
    const runs = await cat.warehouse.select('pipeline_runs', { where: { run_id: 'fn-run' } });
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.status === 'ok')).toBe(true);
  });

  it('a re-delivered message writes the same rows again', async () => {
    const before = {
      predictions: await cat.warehouse.select('predictions', {}),
      decisions: await cat.warehouse.select('model_decisions', {}),
      drift: await cat.warehouse.select('drift_scores', {}),
      features: await cat.warehouse.select('features', {}),
    };
    const msg = { runId: 'fn-run', date: DATE, ticker: 'SP500' };
    await fn('stockopsIngest')(pubsubEvent(base64(msg), '2'));
    await fn('stockopsModel')(pubsubEvent(base64(msg), '2'));
    expect({
      predictions: await cat.warehouse.select('predictions', {}),
      decisions: await cat.warehouse.select('model_decisions', {}),
      drift: await cat.warehouse.select('drift_scores', {}),
      features: await cat.warehouse.select('features', {}),
    }).toEqual(before);
    // pipeline_runs is append-only: the redelivery is a second attempt of each stage, all ok.
    const runs = await cat.warehouse.select('pipeline_runs', { where: { run_id: 'fn-run' } });
    expect(runs).toHaveLength(12);
    expect(new Set(runs.map((r) => r.attempt)).size).toBe(4);
  });

  it('a failing ticker is reported on the done topic, not thrown (no pointless retries)', async () => {
    const done = await listen(cat, TOPICS.done);
    const model = await listen(cat, TOPICS.model);
    const msg = { runId: 'fn-nope', date: DATE, ticker: 'NOPE' };
    await expect(fn('stockopsIngest')(pubsubEvent(base64(msg)))).resolves.toBeUndefined();
    expect(done[0]?.data).toMatchObject({ ...msg, status: 'failed', failedStage: 'ingest' });
    expect((done[0]?.data as { error: string }).error).toMatch(/NOPE: unknown ticker/);
    expect(model).toEqual([]);
  });

  it('a malformed event is logged, dead-lettered with the reason naming the field, and acknowledged', async () => {
    const ingest = fn('stockopsIngest');
    const model = fn('stockopsModel');
    const schedule = fn('stockopsSchedule');
    const cases: [Handler, CloudEvent<unknown>, RegExp][] = [
      [ingest, pubsubEvent('%%% not base64 json'), /^stockopsIngest: .*not base64-encoded JSON/],
      [
        ingest,
        pubsubEvent(base64({ runId: 'r', date: '2020-13-45', ticker: 'SP500' })),
        /^stockopsIngest: date: expected a real calendar date/,
      ],
      [
        model,
        pubsubEvent(base64({ runId: 'r', date: DATE, ticker: 'aapl' })),
        /^stockopsModel: ticker: expected an upper-case ticker symbol/,
      ],
      [model, pubsubEvent(base64({ date: DATE, ticker: 'SP500' })), /^stockopsModel: runId: /],
      [
        schedule,
        pubsubEvent(base64({ date: DATE, tickers: ['SP500', 'msft'] })),
        /^stockopsSchedule: tickers\.1: expected an upper-case ticker symbol/,
      ],
      [
        schedule,
        { ...pubsubEvent(undefined), data: { not: 'pubsub' } },
        /^stockopsSchedule: not a Pub\/Sub message event/,
      ],
    ];
    const sent = await listen(cat, TOPICS.ingest);
    const dead = await listen(cat, TOPICS.deadLetter);
    for (const [f, event, message] of cases) {
      await expect(f(event)).resolves.toBeUndefined();
      const last = dead.at(-1);
      expect(last?.attributes?.reason).toMatch(message);
      expect(last?.data).toMatchObject({ reason: last?.attributes?.reason });
    }
    expect(dead).toHaveLength(cases.length);
    // The original message travels with the reason, for whoever inspects the dead letters.
    expect(dead[0]?.data.message).toEqual({ data: '%%% not base64 json', messageId: '1' });
    expect(sent).toEqual([]);
    expect(await cat.warehouse.select('pipeline_runs', { where: { run_id: 'r' } })).toEqual([]);
  });

  it('answers a structured-mode CloudEvent over HTTP, and acknowledges a malformed one', async () => {
    const server = getTestServer('stockopsSchedule');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const post = (event: CloudEvent<unknown>) =>
      fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(event),
      });
    try {
      const sent = await listen(cat, TOPICS.ingest);
      const dead = await listen(cat, TOPICS.deadLetter);
      const ok = await post(pubsubEvent(base64({ date: DATE, tickers: ['SP500'] }), 'h1'));
      expect(ok.status).toBe(204);
      expect(sent.map((m) => m.data)).toEqual([expect.objectContaining({ ticker: 'SP500' })]);
      // Malformed: acknowledged (2xx, so Pub/Sub does not redeliver it forever), dead-lettered.
      const bad = await post(pubsubEvent(base64({ date: 'tomorrow' }), 'h2'));
      expect(bad.status).toBe(204);
      expect(sent).toHaveLength(1);
      expect(dead.map((m) => m.attributes?.reason)).toEqual([
        expect.stringMatching(/^stockopsSchedule: date: expected a real calendar date/),
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the handlers with a temp catalog', () => {
  let cat: Catalog;
  beforeAll(async () => {
    ({ cat } = await tempCatalog(SMALL));
  });
  afterAll(() => cat.close());

  it('onSchedule without a date or tickers uses today in New York and the watchlist', async () => {
    const sent = await listen(cat, TOPICS.ingest);
    const before = todayInNewYork();
    const out = await onSchedule({}, cat);
    const after = todayInNewYork();
    expect(out.map((m) => m.ticker)).toEqual(cat.config.watchlist);
    expect([before, after]).toContain(out[0]?.date);
    expect(sent.map((m) => m.data)).toEqual(out);
  });

  it('onSchedule: a redelivered message (same message id) replays the same run id', async () => {
    const a = await onSchedule({ date: '2020-04-17' }, cat, 'msg-1');
    const again = await onSchedule({ date: '2020-04-17' }, cat, 'msg-1');
    const other = await onSchedule({ date: '2020-04-17' }, cat, 'msg-2');
    expect(again).toEqual(a);
    expect(other[0]?.runId).not.toBe(a[0]?.runId);
    expect(a[0]?.runId).toMatch(/^2020-04-17-[0-9a-f]{8}$/);
  });

  it('todayInNewYork is the New York date, not the UTC one', () => {
    // 02:00 UTC on 2020-04-18 is still the evening of 2020-04-17 in New York (EDT, UTC-4).
    expect(todayInNewYork(new Date('2020-04-18T02:00:00Z'))).toBe('2020-04-17');
    expect(todayInNewYork(new Date('2020-04-18T04:00:00Z'))).toBe('2020-04-18');
  });

  it('a transient error is rethrown (non-2xx, so Pub/Sub redelivers) and recorded; a permanent one is not', async () => {
    const failFor = (ticker: string): Promise<never> =>
      Promise.reject(
        ticker === 'SP500'
          ? Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
          : new Error(`${ticker}: the source answered garbage`),
      );
    const { cat: flaky } = await tempCatalog(SMALL, {
      market: {
        kind: 'flaky',
        fetch: (ticker) => failFor(ticker),
        fetchResponse: (ticker) => failFor(ticker),
      },
    });
    try {
      const done = await listen(flaky, TOPICS.done);
      const model = await listen(flaky, TOPICS.model);
      const msg = { runId: 'flaky', date: DATE, ticker: 'SP500' };
      await expect(onIngest(msg, flaky)).rejects.toThrow(/ECONNRESET/);
      expect(done).toEqual([]);
      expect(model).toEqual([]);
      const [row] = await flaky.warehouse.select('pipeline_runs', {
        where: { run_id: 'flaky', status: 'failed' },
      });
      expect(row?.message).toMatch(/read ECONNRESET \[transient: network error ECONNRESET\]$/);

      const bad = { runId: 'flaky', date: DATE, ticker: 'AAPL' };
      await expect(onIngest(bad, flaky)).resolves.toMatchObject({ status: 'failed' });
      expect(done.map((m) => m.data)).toEqual([
        expect.objectContaining({ ...bad, status: 'failed', failedStage: 'ingest' }),
      ]);
    } finally {
      await flaky.close();
    }
  });

  it('onIngest then onModel return the results they publish', async () => {
    const model = await listen(cat, TOPICS.model);
    const done = await listen(cat, TOPICS.done);
    const msg = { runId: 'h-run', date: DATE, ticker: 'SP500' };
    const ingested = await onIngest(msg, cat);
    expect(ingested).toMatchObject({ ticker: 'SP500', status: 'ok', asOf: DATE, lastBar: DATE });
    expect(model.map((m) => m.data)).toEqual([msg]);
    const result = await onModel(msg, cat);
    expect(result).toMatchObject({ ticker: 'SP500', status: 'ok', decision: 'train' });
    expect(done.map((m) => m.data)).toEqual([{ ...msg, ...result }]);
  });
});
