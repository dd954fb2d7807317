/**
 * The error classifier on errors the real clients raise: axios and gaxios against a local HTTP
 * server (statuses, timeouts, refused connections) and google-gax against pstest or a closed port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import axios from 'axios';
import { request as gaxiosRequest } from 'gaxios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadEventError } from '../../functions/events.js';
import { classifyError, isTransient } from '../../pipelines/ports/errors.js';
import { StageFailed } from '../../pipelines/record/runs.js';
import { PipelineError } from '../../pipelines/types.js';
import { freePort, startPubSubEmulator, type PubSubEmulator } from '../support/emulators/pubsub.js';

let server: Server;
let base = '';
const caught = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );

beforeAll(async () => {
  server = createServer((req, res) => {
    const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status'));
    if (!status) return; // never answers: the client's timeout fires
    const reason = new URL(req.url ?? '/', 'http://x').searchParams.get('reason');
    res.writeHead(status, { 'content-type': 'application/json' });
    // BigQuery's error body: {error: {code, message, errors: [{reason, message}]}}.
    res.end(
      JSON.stringify({ error: { code: status, message: 'x', errors: reason ? [{ reason }] : [] } }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('classifyError on axios errors', () => {
  it.each([503, 500, 429, 408])('HTTP %i is transient', async (status) => {
    const e = await caught(axios.get(`${base}/?status=${status}`));
    expect(classifyError(e)).toEqual({ kind: 'transient', reason: `HTTP ${status}` });
  });
  it.each([400, 401, 403, 404, 409])('HTTP %i is permanent', async (status) => {
    expect(classifyError(await caught(axios.get(`${base}/?status=${status}`))).kind).toBe(
      'permanent',
    );
  });
  it('a timeout and a refused connection are transient', async () => {
    const slow = await caught(axios.get(`${base}/?status=0`, { timeout: 50 }));
    expect(classifyError(slow)).toMatchObject({
      kind: 'transient',
      reason: 'network error ECONNABORTED',
    });
    const port = await freePort();
    const refused = await caught(axios.get(`http://127.0.0.1:${port}/`));
    expect(classifyError(refused)).toMatchObject({
      kind: 'transient',
      reason: 'network error ECONNREFUSED',
    });
  });
});

describe('classifyError on gaxios errors (the Google REST clients)', () => {
  it('BigQuery rateLimitExceeded and backendError are transient even as a 403/400', async () => {
    for (const reason of ['rateLimitExceeded', 'backendError']) {
      const e = await caught(
        gaxiosRequest({ url: `${base}/?status=403&reason=${reason}`, retry: false }),
      );
      expect(classifyError(e)).toEqual({ kind: 'transient', reason: `BigQuery ${reason}` });
    }
    const invalid = await caught(
      gaxiosRequest({ url: `${base}/?status=400&reason=invalidQuery`, retry: false }),
    );
    expect(classifyError(invalid).kind).toBe('permanent');
  });
  it('a 502 is transient, a 404 permanent', async () => {
    expect(
      isTransient(await caught(gaxiosRequest({ url: `${base}/?status=502`, retry: false }))),
    ).toBe(true);
    expect(
      isTransient(await caught(gaxiosRequest({ url: `${base}/?status=404`, retry: false }))),
    ).toBe(false);
  });
});

describe('classifyError on google-gax (gRPC) errors', () => {
  let emulator: PubSubEmulator;
  beforeAll(async () => {
    process.env.METADATA_SERVER_DETECTION = 'none';
    emulator = await startPubSubEmulator();
  });
  afterAll(() => emulator.stop());

  it('NOT_FOUND from the emulator is permanent', async () => {
    const ps = new PubSub({ projectId: 'p', apiEndpoint: emulator.host, emulatorMode: true });
    try {
      const e = await caught(ps.topic('no-such-topic').getMetadata());
      expect((e as { code: number }).code).toBe(5);
      expect(classifyError(e).kind).toBe('permanent');
    } finally {
      await ps.close();
    }
  });
  it('a server that is not there is UNAVAILABLE or DEADLINE_EXCEEDED: transient', async () => {
    const port = await freePort();
    const ps = new PubSub({ projectId: 'p', apiEndpoint: `127.0.0.1:${port}`, emulatorMode: true });
    try {
      const e = await caught(ps.getTopics({ gaxOpts: { timeout: 2000, retry: null } }));
      expect([4, 14]).toContain((e as { code: number }).code);
      expect(classifyError(e).reason).toMatch(/^gRPC (UNAVAILABLE|DEADLINE_EXCEEDED)$/);
    } finally {
      await ps.close();
    }
  });
});

describe('classifyError on the pipeline own errors and wrapped causes', () => {
  it('bad data, contract violations and bad messages are permanent, with their message', () => {
    const bad = new PipelineError('more than 5 % bad rows', 'AAPL', 'max_bad_share');
    expect(classifyError(bad)).toEqual({ kind: 'permanent', reason: bad.message });
    expect(
      isTransient(new BadEventError('stockopsIngest: ticker: expected an upper-case ticker')),
    ).toBe(false);
    expect(isTransient(new RangeError('invalid run date'))).toBe(false);
  });
  it('a transient cause inside StageFailed or an AggregateError is found', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyError(new StageFailed('ingest', reset))).toMatchObject({ kind: 'transient' });
    expect(isTransient(new AggregateError([new Error('x'), reset]))).toBe(true);
    expect(isTransient(new StageFailed('model', new Error('boom')))).toBe(false);
  });
});
