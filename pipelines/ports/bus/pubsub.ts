/**
 * Bus on Google Cloud Pub/Sub (`@google-cloud/pubsub`, loaded only by this adapter). Messages are
 * JSON bodies with string attributes. Topics are created by infra/ in production; against an
 * emulator this adapter creates the ones it publishes to (the emulator starts empty).
 */
import { randomUUID } from 'node:crypto';
import type { Message, PubSub, Subscription, Topic } from '@google-cloud/pubsub';
import type { Bus, BusMessage } from './port.js';

export interface PubSubBusOptions {
  projectId: string;
  /** host:port of an emulator; unset in production. */
  emulatorHost?: string;
}

const ALREADY_EXISTS = 6;

function codeOf(e: unknown): number | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}

export async function createPubSubBus(opts: PubSubBusOptions): Promise<Bus> {
  const { PubSub: Client } = await import('@google-cloud/pubsub');
  const client: PubSub = new Client({
    projectId: opts.projectId,
    ...(opts.emulatorHost ? { apiEndpoint: opts.emulatorHost, emulatorMode: true } : {}),
  });
  const topics = new Map<string, Promise<Topic>>();
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const ensure = async (topic: Topic): Promise<Topic> => {
    if (!opts.emulatorHost) return topic;
    try {
      await topic.create();
    } catch (e) {
      if (codeOf(e) !== ALREADY_EXISTS) throw e;
    }
    return topic;
  };
  const topicOf = (name: string): Promise<Topic> => {
    let t = topics.get(name);
    if (!t) {
      t = ensure(client.topic(name)).catch((e: unknown) => {
        topics.delete(name);
        throw e;
      });
      topics.set(name, t);
    }
    return t;
  };
  const open = (what: string) => {
    if (closed) throw new Error(`pubsub bus: ${what} after close()`);
  };

  return {
    kind: 'pubsub',
    async publish(topic, data, attributes) {
      open(`publish to ${topic}`);
      const t = await topicOf(topic);
      return t.publishMessage({ json: data, ...(attributes ? { attributes } : {}) });
    },
    async subscribe(topic, handler) {
      open(`subscribe to ${topic}`);
      const t = await topicOf(topic);
      // A subscription of its own: it sees every message published from now on.
      const [sub] = await t.createSubscription(`${topic}-listen-${randomUUID().slice(0, 8)}`);
      subscriptions.add(sub);
      sub.on('message', (m: Message) => {
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(m.data.toString('utf8')) as Record<string, unknown>;
        } catch {
          data = { raw: m.data.toString('base64') };
        }
        const msg: BusMessage = {
          topic,
          data,
          ...(Object.keys(m.attributes).length ? { attributes: { ...m.attributes } } : {}),
        };
        handler(msg).then(
          () => m.ack(),
          () => m.nack(),
        );
      });
      return async () => {
        subscriptions.delete(sub);
        await sub.close();
        await sub.delete().catch(() => undefined);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sub of subscriptions) {
        await sub.close();
        await sub.delete().catch(() => undefined);
      }
      subscriptions.clear();
      for (const t of topics.values()) await (await t.catch(() => undefined))?.flush();
      await client.close();
    },
  };
}
