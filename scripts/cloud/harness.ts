/**
 * The cloud chain on local emulators, shared by the tests and `make cloud-demo`: the three functions
 * as real processes (scripts/functions/serve.ts, each with the given environment, as Cloud
 * Functions would run them), the Eventarc bridge from their trigger topics, and collectors on the
 * done and dead-letter topics. `stop()` ends everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import { topicsFor, type Topics } from '../../pipelines/ports/bus/topics.js';
import { startBridge, type Bridge } from './bridge.js';

const ROOT = resolve(import.meta.dirname, '../..');

export const FUNCTION_NAMES = ['stockopsSchedule', 'stockopsIngest', 'stockopsModel'] as const;
/** The fan-in (on the done topic) runs only where writes are staged, so it is opt-in here. */
export type FunctionName = (typeof FUNCTION_NAMES)[number] | 'stockopsCommit';

export interface Received {
  data: Record<string, unknown>;
  attributes: Record<string, string>;
  messageId: string;
}

export interface CloudChainOptions {
  /** host:port of the Pub/Sub emulator (PUBSUB_EMULATOR_HOST). */
  pubsubHost: string;
  projectId: string;
  topicPrefix: string;
  /** The functions' environment (warehouse, bucket, config...); the bus variables are added here. */
  env: NodeJS.ProcessEnv;
  maxDeliveryAttempts?: number;
  backoffSeconds?: { min: number; max: number };
  /** The functions to start (default FUNCTION_NAMES; add `stockopsCommit` for staged writes). */
  functions?: readonly FunctionName[];
  /** Every chunk a function prints, prefixed with its name (the logs are also kept in `logs`). */
  onLog?: (line: string) => void;
}

export interface CloudChain {
  topics: Topics;
  client: PubSub;
  bridge: Bridge;
  /** Messages on `<prefix>-done` and `<prefix>-dead-letter`, in arrival order. */
  done: Received[];
  dead: Received[];
  logs: string[];
  publish(topic: string, json: unknown): Promise<string>;
  publishRaw(topic: string, data: Buffer): Promise<string>;
  /** Resolves when `ok()` holds; rejects after `ms` with `what()` and the functions' last logs. */
  waitFor(ok: () => boolean, what: () => string, ms: number): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no free port'))));
    });
  });
}

async function startFunction(
  name: FunctionName,
  env: NodeJS.ProcessEnv,
  logs: string[],
  onLog?: (line: string) => void,
): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  // node itself (not the tsx wrapper), so a signal reaches the function's own process.
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/functions/serve.ts', name, String(port)],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (b: Buffer) => {
    const line = `${name}: ${b.toString()}`;
    logs.push(line);
    onLog?.(line);
  };
  await new Promise<void>((ok, fail) => {
    let out = '';
    proc.stdout?.on('data', (b: Buffer) => {
      keep(b);
      out += b.toString();
      if (out.includes('listening on')) ok();
    });
    proc.stderr?.on('data', keep);
    proc.once('exit', (code) =>
      fail(new Error(`${name} exited ${code}: ${logs.join('').slice(-4000)}`)),
    );
  });
  return { proc, url: `http://127.0.0.1:${port}/` };
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

export async function startCloudChain(opts: CloudChainOptions): Promise<CloudChain> {
  const topics = topicsFor({ kind: 'memory', topicPrefix: opts.topicPrefix });
  const env: NodeJS.ProcessEnv = {
    ...opts.env,
    STOCKOPS_BUS: 'pubsub',
    STOCKOPS_TOPIC_PREFIX: opts.topicPrefix,
    GOOGLE_CLOUD_PROJECT: opts.projectId,
    PUBSUB_EMULATOR_HOST: opts.pubsubHost,
    METADATA_SERVER_DETECTION: 'none',
  };
  const client = new PubSub({
    projectId: opts.projectId,
    apiEndpoint: opts.pubsubHost,
    emulatorMode: true,
  });
  const logs: string[] = [];
  const done: Received[] = [];
  const dead: Received[] = [];
  const procs: ChildProcess[] = [];
  const subs: Subscription[] = [];
  let bridge: Bridge | undefined;

  const stop = async () => {
    await bridge?.stop();
    for (const s of subs) await s.delete().catch(() => undefined);
    await client.close();
    await Promise.all(procs.map(stopProcess));
  };

  const collect = async (topic: string, into: Received[]) => {
    const t = client.topic(topic);
    if (!(await t.exists())[0]) await t.create().catch(() => undefined);
    const [sub] = await t.createSubscription(`${topic}-collect-${Date.now().toString(36)}`);
    sub.on('message', (m: Message) => {
      into.push({
        data: JSON.parse(m.data.toString('utf8')) as Record<string, unknown>,
        attributes: m.attributes,
        messageId: m.id,
      });
      m.ack();
    });
    sub.on('error', () => undefined);
    subs.push(sub);
  };

  try {
    const trigger: Record<FunctionName, string> = {
      stockopsSchedule: topics.schedule,
      stockopsIngest: topics.ingest,
      stockopsModel: topics.model,
      stockopsCommit: topics.done,
    };
    const names = opts.functions ?? FUNCTION_NAMES;
    const started = await Promise.all(names.map((n) => startFunction(n, env, logs, opts.onLog)));
    procs.push(...started.map((s) => s.proc));
    await collect(topics.done, done);
    await collect(topics.deadLetter, dead);
    bridge = await startBridge({
      host: opts.pubsubHost,
      projectId: opts.projectId,
      routes: names.map((n, i) => ({
        topic: trigger[n],
        url: started[i]?.url ?? '',
        deadLetterTopic: topics.deadLetter,
      })),
      maxDeliveryAttempts: opts.maxDeliveryAttempts,
      backoffSeconds: opts.backoffSeconds,
    });
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    topics,
    client,
    bridge,
    done,
    dead,
    logs,
    publish: (topic, json) => client.topic(topic).publishMessage({ json }),
    publishRaw: (topic, data) => client.topic(topic).publishMessage({ data }),
    async waitFor(ok, what, ms) {
      const until = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > until) {
          throw new Error(`timed out waiting: ${what()}\n${logs.join('').slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}
