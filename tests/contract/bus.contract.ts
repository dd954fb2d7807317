/** The bus port's contract: one suite, run on the in-process bus and on Pub/Sub (pstest). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipelines/config.js';
import type { Bus, BusMessage } from '../../pipelines/ports/bus/port.js';
import { tickerAttributes, topicsFor } from '../../pipelines/ports/bus/topics.js';

/** Polls until `ok()` holds (Pub/Sub delivers asynchronously), failing with what was seen. */
export async function eventually(ok: () => boolean, what: () => string, ms = 20_000) {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface BusUnderTest {
  bus: Bus;
  /** Topic names that exist on the bus, where it can list them (Pub/Sub); undefined otherwise. */
  topicNames?: () => Promise<string[]>;
}

export function busContract(name: string, make: () => Promise<BusUnderTest>): void {
  describe(`bus contract: ${name}`, () => {
    let b: BusUnderTest;
    let n = 0;
    // Each test on its own topic, so one test's messages never reach another's subscriber.
    const fresh = () => `contract-${Date.now().toString(36)}-${(n += 1)}`;
    const collect = async (topic: string) => {
      const got: BusMessage[] = [];
      const stop = await b.bus.subscribe(topic, (m) => {
        got.push(m);
        return Promise.resolve();
      });
      return { got, stop };
    };

    beforeAll(async () => {
      b = await make();
    });
    afterAll(() => b.bus.close());

    it('delivers a published JSON body to a subscriber, and publish returns a message id', async () => {
      const topic = fresh();
      const { got, stop } = await collect(topic);
      const body = {
        runId: 'r1',
        date: '2020-04-17',
        ticker: 'SP500',
        nested: { n: 1.5, ok: true },
      };
      const id = await b.bus.publish(topic, body);
      expect(typeof id).toBe('string');
      expect(id.length).toBeGreaterThan(0);
      await eventually(
        () => got.length === 1,
        () => JSON.stringify(got),
      );
      expect(got[0]).toMatchObject({ topic, data: body });
      await stop();
    });

    it('carries the attributes run_id, ticker and date', async () => {
      const topic = fresh();
      const { got, stop } = await collect(topic);
      const m = { runId: 'r2', date: '2020-04-17', ticker: 'AAPL' };
      await b.bus.publish(topic, m, tickerAttributes(m));
      await eventually(
        () => got.length === 1,
        () => JSON.stringify(got),
      );
      expect(got[0]?.attributes).toEqual({ run_id: 'r2', ticker: 'AAPL', date: '2020-04-17' });
      await stop();
    });

    it('gives every subscriber every message, in order for one publisher on one topic', async () => {
      const topic = fresh();
      const a = await collect(topic);
      const c = await collect(topic);
      for (let i = 0; i < 5; i++) await b.bus.publish(topic, { i });
      await eventually(
        () => a.got.length === 5 && c.got.length === 5,
        () => `${a.got.length} and ${c.got.length} of 5`,
      );
      for (const s of [a, c]) {
        expect(s.got.map((m) => m.data.i).sort()).toEqual([0, 1, 2, 3, 4]);
        await s.stop();
      }
    });

    it('stops delivering to a subscriber once it unsubscribed', async () => {
      const topic = fresh();
      const kept = await collect(topic);
      const gone = await collect(topic);
      await gone.stop();
      await b.bus.publish(topic, { after: true });
      await eventually(
        () => kept.got.length === 1,
        () => 'the kept subscriber got nothing',
      );
      // Give a late delivery time to arrive before asserting it never does.
      await new Promise((r) => setTimeout(r, 300));
      expect(gone.got).toEqual([]);
      await kept.stop();
    });

    it('names the daily path topics from config bus.topicPrefix, and publishes to them', async () => {
      const cfg = loadConfig({ env: { STOCKOPS_TOPIC_PREFIX: 'acme-prod' } });
      const t = topicsFor(cfg.bus);
      expect(t).toEqual({
        schedule: 'acme-prod-schedule',
        ingest: 'acme-prod-ingest',
        model: 'acme-prod-model',
        done: 'acme-prod-done',
        deadLetter: 'acme-prod-dead-letter',
      });
      expect(topicsFor(loadConfig({}).bus).ingest).toBe('stockops-ingest');
      const { got, stop } = await collect(t.done);
      await b.bus.publish(t.done, { ticker: 'SP500' });
      await eventually(
        () => got.length === 1,
        () => 'nothing on the done topic',
      );
      expect(got[0]?.topic).toBe('acme-prod-done');
      if (b.topicNames) expect(await b.topicNames()).toContain('acme-prod-done');
      await stop();
    });

    it('refuses to publish or subscribe after close(), naming the topic', async () => {
      const other = await make();
      await other.bus.close();
      await expect(other.bus.publish('late-topic', {})).rejects.toThrow(/late-topic.*after close/);
      await expect(other.bus.subscribe('late-topic', () => Promise.resolve())).rejects.toThrow(
        /late-topic.*after close/,
      );
      await other.bus.close(); // idempotent
    });
  });
}
