import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yahooFixtures } from './paths.js';

interface Fixture {
  request: { url: string };
  response: { status: number; bodyJson: unknown };
}

export function fixtureBody(name: string, dir = yahooFixtures): unknown {
  const f = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Fixture;
  return f.response.bodyJson;
}

/** Yahoo's reply for a symbol it does not know (as recorded in yahoo.test.ts). */
export const notFoundBody = {
  chart: {
    result: null,
    error: { code: 'Not Found', description: 'No data found, symbol may be delisted' },
  },
};

/**
 * A `fetch` that answers chart requests by symbol: the recorded body for a known one, Yahoo's 404
 * for any other. The recorded body is the same whatever range is asked for, as a recording is.
 */
export function replayBySymbol(bodies: Record<string, unknown>): typeof fetch {
  return (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const symbol = decodeURIComponent(/\/v8\/finance\/chart\/([^?/]+)/.exec(url)?.[1] ?? '');
    const body = bodies[symbol];
    return Promise.resolve(
      new Response(JSON.stringify(body ?? notFoundBody), {
        status: body === undefined ? 404 : 200,
        headers: { 'content-type': 'application/json' },
      }),
    );
  };
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
