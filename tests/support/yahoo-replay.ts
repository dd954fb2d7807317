import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yahooFixtures } from './paths.js';

interface Fixture {
  request: { url: string };
  response: { status: number; bodyJson: unknown };
}

export function fixtureBody(name: string): unknown {
  const f = JSON.parse(readFileSync(join(yahooFixtures, name), 'utf8')) as Fixture;
  return f.response.bodyJson;
}

export type Reply = { status: number; body: unknown } | 'network-error';

/**
 * A `fetch` that replays recorded Yahoo responses: each call takes the next scripted reply (the last
 * one repeats), and records the URLs asked for.
 */
export function replayFetch(replies: Reply[]): typeof fetch & { urls: string[] } {
  const urls: string[] = [];
  let i = 0;
  const f = (input: string | URL | Request): Promise<Response> => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const reply = replies[Math.min(i++, replies.length - 1)];
    if (!reply || reply === 'network-error') return Promise.reject(new TypeError('fetch failed'));
    return Promise.resolve(
      new Response(JSON.stringify(reply.body), {
        status: reply.status,
        headers: { 'content-type': 'application/json' },
      }),
    );
  };
  return Object.assign(f, { urls });
}
