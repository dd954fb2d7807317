/**
 * The Cloud Functions as the Functions Framework runs them: Pub/Sub CloudEvents in, the in-process
 * bus and the embedded warehouse out. functions/index.ts opens its catalog from process.env, so the
 * environment points at a temp folder before it is imported.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { getFunction, getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadEventError } from '../../functions/events.js';
import { onSchedule, onTicker, TOPICS, todayInNewYork } from '../../functions/handlers.js';
import type { Catalog } from '../../pipelines/catalog.js';
import type { BusMessage } from '../../pipelines/ports/bus/port.js';
import { tempCatalog } from '../support/catalog.js';

const SMALL = {
  watchlist: ['SP500', 'AAPL'],
  source: { startDate: '2018-06-01' },
  model: { units: 16, epochs: 2, trainDays: 200 },
};
const DATE = '2020-04-17';

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

  it('stockopsSchedule fans out one stockops-ticker message per watched ticker', async () => {
    const sent = await listen(cat, TOPICS.ticker);
    await fn('stockopsSchedule')(pubsubEvent(base64({ date: DATE })));
    const runId: unknown = expect.stringMatching(new RegExp(`^${DATE}-[0-9a-f]{8}$`));
    expect(sent.map((m) => m.data)).toEqual([
      { runId, date: DATE, ticker: 'SP500' },
      { runId, date: DATE, ticker: 'AAPL' },
    ]);
    // One run: both messages carry the same run id.
    const ids = new Set(sent.map((m) => (m.data as { runId: string }).runId));
    expect(ids.size).toBe(1);
  });

  it('stockopsTicker runs one ticker and publishes its result on stockops-ticker-done', async () => {
    const done = await listen(cat, TOPICS.done);
    const msg = { runId: 'fn-run', date: DATE, ticker: 'SP500' };
    await fn('stockopsTicker')(pubsubEvent(base64(msg)));
    expect(done).toHaveLength(1);
    expect(done[0]?.data).toMatchObject({ ...msg, status: 'ok', asOf: DATE, decision: 'train' });

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
    };
    const msg = { runId: 'fn-run', date: DATE, ticker: 'SP500' };
    await fn('stockopsTicker')(pubsubEvent(base64(msg), '2'));
    expect({
      predictions: await cat.warehouse.select('predictions', {}),
      decisions: await cat.warehouse.select('model_decisions', {}),
    }).toEqual(before);
  });

  it('a failing ticker is reported on the done topic, not thrown (no pointless retries)', async () => {
    const done = await listen(cat, TOPICS.done);
    const msg = { runId: 'fn-nope', date: DATE, ticker: 'NOPE' };
    await expect(fn('stockopsTicker')(pubsubEvent(base64(msg)))).resolves.toBeUndefined();
    expect(done[0]?.data).toMatchObject({ ...msg, status: 'failed', failedStage: 'ingest' });
    expect((done[0]?.data as { error: string }).error).toMatch(/NOPE: unknown ticker/);
  });

  it('a malformed event throws a BadEventError naming the field', async () => {
    const ticker = fn('stockopsTicker');
    const schedule = fn('stockopsSchedule');
    const cases: [Handler, CloudEvent<unknown>, RegExp][] = [
      [ticker, pubsubEvent('%%% not base64 json'), /stockopsTicker: .*not base64-encoded JSON/],
      [
        ticker,
        pubsubEvent(base64({ runId: 'r', date: '2020-13-45', ticker: 'SP500' })),
        /stockopsTicker: date: expected a real calendar date/,
      ],
      [
        ticker,
        pubsubEvent(base64({ runId: 'r', date: DATE, ticker: 'aapl' })),
        /stockopsTicker: ticker: expected an upper-case ticker symbol/,
      ],
      [ticker, pubsubEvent(base64({ date: DATE, ticker: 'SP500' })), /stockopsTicker: runId: /],
      [
        schedule,
        pubsubEvent(base64({ date: DATE, tickers: ['SP500', 'msft'] })),
        /stockopsSchedule: tickers\.1: expected an upper-case ticker symbol/,
      ],
      [
        schedule,
        { ...pubsubEvent(undefined), data: { not: 'pubsub' } },
        /stockopsSchedule: not a Pub\/Sub message event/,
      ],
    ];
    const sent = await listen(cat, TOPICS.ticker);
    for (const [f, event, message] of cases) {
      const error = await f(event).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BadEventError);
      expect((error as Error).message).toMatch(message);
    }
    expect(sent).toEqual([]);
  });

  it('answers a structured-mode CloudEvent over HTTP, and refuses a malformed one', async () => {
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
      const sent = await listen(cat, TOPICS.ticker);
      const ok = await post(pubsubEvent(base64({ date: DATE, tickers: ['SP500'] }), 'h1'));
      expect(ok.status).toBe(204);
      expect(sent.map((m) => m.data)).toEqual([expect.objectContaining({ ticker: 'SP500' })]);
      const bad = await post(pubsubEvent(base64({ date: 'tomorrow' }), 'h2'));
      expect(bad.status).toBe(500);
      expect(sent).toHaveLength(1);
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
    const sent = await listen(cat, TOPICS.ticker);
    const before = todayInNewYork();
    const out = await onSchedule({}, cat);
    const after = todayInNewYork();
    expect(out.map((m) => m.ticker)).toEqual(cat.config.watchlist);
    expect([before, after]).toContain(out[0]?.date);
    expect(sent.map((m) => m.data)).toEqual(out);
  });

  it('todayInNewYork is the New York date, not the UTC one', () => {
    // 02:00 UTC on 2020-04-18 is still the evening of 2020-04-17 in New York (EDT, UTC-4).
    expect(todayInNewYork(new Date('2020-04-18T02:00:00Z'))).toBe('2020-04-17');
    expect(todayInNewYork(new Date('2020-04-18T04:00:00Z'))).toBe('2020-04-18');
  });

  it('onTicker returns the result it publishes', async () => {
    const done = await listen(cat, TOPICS.done);
    const msg = { runId: 'h-run', date: DATE, ticker: 'SP500' };
    const result = await onTicker(msg, cat);
    expect(result).toMatchObject({ ticker: 'SP500', status: 'ok', decision: 'train' });
    expect(done.map((m) => m.data)).toEqual([{ ...msg, ...result }]);
  });
});
