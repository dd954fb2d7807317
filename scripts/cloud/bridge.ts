/**
 * What Eventarc does for a Pub/Sub-triggered gen2 function, for the emulator (pstest does not
 * push): one subscription per function, with a dead-letter policy; each message is POSTed to the
 * function as a binary-mode CloudEvent (ce-* headers, body = the Pub/Sub push JSON). A 2xx answer
 * acknowledges the message; anything else nacks it, so Pub/Sub redelivers and finally dead-letters.
 */
import { Duration, PubSub, type Message, type Subscription } from '@google-cloud/pubsub';

export interface Route {
  topic: string;
  /** The function's URL. */
  url: string;
  deadLetterTopic: string;
}

export interface Bridge {
  /** Every POST made: the topic, the message id and the status the function answered. */
  posts: { topic: string; messageId: string; status: number }[];
  stop(): Promise<void>;
}

async function ensureTopic(client: PubSub, name: string) {
  const t = client.topic(name);
  const [exists] = await t.exists();
  if (!exists) await t.create();
  return t;
}

export async function startBridge(opts: {
  host: string;
  projectId: string;
  routes: Route[];
  maxDeliveryAttempts?: number;
  /** Redelivery backoff after a nack, seconds (Pub/Sub's minimum is 10 s; pstest takes less). */
  backoffSeconds?: { min: number; max: number };
}): Promise<Bridge> {
  const client = new PubSub({
    projectId: opts.projectId,
    apiEndpoint: opts.host,
    emulatorMode: true,
  });
  const posts: Bridge['posts'] = [];
  const subs: Subscription[] = [];
  for (const r of opts.routes) {
    const topic = await ensureTopic(client, r.topic);
    await ensureTopic(client, r.deadLetterTopic);
    const name = `${r.topic}-eventarc`;
    const [sub] = await topic.createSubscription(name, {
      ackDeadlineSeconds: 600,
      deadLetterPolicy: {
        deadLetterTopic: `projects/${opts.projectId}/topics/${r.deadLetterTopic}`,
        maxDeliveryAttempts: opts.maxDeliveryAttempts ?? 5,
      },
      retryPolicy: {
        minimumBackoff: { seconds: opts.backoffSeconds?.min ?? 1 },
        maximumBackoff: { seconds: opts.backoffSeconds?.max ?? 2 },
      },
    });
    // One message at a time per function, as a gen2 instance with concurrency 1 takes them.
    // Leases long enough for a training: a message held behind a slow one is not redelivered early.
    sub.setOptions({
      flowControl: { maxMessages: 1, allowExcessMessages: false },
      minAckDeadline: Duration.from({ seconds: 300 }),
      maxAckDeadline: Duration.from({ seconds: 600 }),
    });
    sub.on('message', (m: Message) => {
      const publishTime = m.publishTime.toISOString();
      const body = {
        message: {
          data: m.data.toString('base64'),
          attributes: m.attributes,
          messageId: m.id,
          publishTime,
        },
        subscription: `projects/${opts.projectId}/subscriptions/${name}`,
      };
      fetch(r.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
          'ce-source': `//pubsub.googleapis.com/projects/${opts.projectId}/topics/${r.topic}`,
          'ce-id': m.id,
          'ce-time': publishTime,
        },
        body: JSON.stringify(body),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          posts.push({ topic: r.topic, messageId: m.id, status: res.status });
          if (res.ok) m.ack();
          else m.nack();
        },
        () => {
          posts.push({ topic: r.topic, messageId: m.id, status: 0 });
          m.nack();
        },
      );
    });
    sub.on('error', () => undefined);
    subs.push(sub);
  }
  return {
    posts,
    async stop() {
      for (const s of subs) await s.close();
      await client.close();
    },
  };
}
