/**
 * The MLflow client behind Cloud Run's IAM check (infra/modules/mlflow): with tracking.auth
 * `google-id-token` every request carries `Authorization: Bearer <ID token>` minted for the
 * server's URL. The token comes from google-auth-library through Application Default Credentials,
 * here the instance metadata server a Cloud Run or Cloud Functions instance has: a loopback fake of
 * it (GCE_METADATA_HOST, which gcp-metadata reads) answers the identity endpoint, and a loopback
 * fake of the IAM-checked service lets a request through only with the token it expects.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MlflowClient } from '../../pipelines/ports/tracking/mlflow-client.js';
import { MlflowError } from '../../pipelines/ports/tracking/mlflow-error.js';

/** An unsigned JWT with the claims IdTokenClient reads (`exp`), like the metadata server's. */
function idToken(audience: string, expiresInS: number, n: number): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'RS256' })}.${b64({ aud: audience, exp: now + expiresInS, n })}.sig`;
}

function listen(server: Server): Promise<string> {
  return new Promise((res) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      res(`127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    }),
  );
}

// What the fake metadata server was asked, and how long the next token it mints lives.
const minted: { audience: string | null; token: string }[] = [];
let lifetimeS = 3600;
// What the fake service saw.
const seen: (string | undefined)[] = [];
let metadata: Server;
let service: Server;
let serviceUri: string;

const valid = (req: IncomingMessage) =>
  minted.some((m) => req.headers.authorization === `Bearer ${m.token}`);

beforeAll(async () => {
  metadata = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    // The real server refuses requests without this header (it stops SSRF through proxies).
    if (req.headers['metadata-flavor'] !== 'Google') return res.writeHead(403).end();
    if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/identity') {
      const audience = url.searchParams.get('audience');
      const token = idToken(audience ?? '', lifetimeS, minted.length);
      minted.push({ audience, token });
      res.writeHead(200, { 'Metadata-Flavor': 'Google', 'Content-Type': 'text/plain' });
      return res.end(token);
    }
    res.writeHead(404, { 'Metadata-Flavor': 'Google' }).end();
  });
  service = createServer((req, res) => {
    seen.push(req.headers.authorization);
    // Cloud Run's answer to a request without a valid token for an invoker.
    if (!valid(req)) return res.writeHead(401).end('Unauthorized');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ experiment: { experiment_id: '7', name: 'stockops' } }));
  });
  process.env.GCE_METADATA_HOST = await listen(metadata);
  // Skip the library's "are we on Google Cloud?" probe: we are, as far as it is concerned.
  process.env.METADATA_SERVER_DETECTION = 'assume-present';
  // No gcloud user credentials or key file from this machine may stand in for the instance's.
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  process.env.CLOUDSDK_CONFIG = mkdtempSync(join(tmpdir(), 'stockops-gcloud-'));
  serviceUri = `http://${await listen(service)}/`;
});

afterAll(async () => {
  await new Promise((r) => metadata.close(r));
  await new Promise((r) => service.close(r));
});

beforeEach(() => {
  minted.length = 0;
  seen.length = 0;
  lifetimeS = 3600;
});

describe('MlflowClient with a Google ID token', () => {
  it('sends an ID token minted for the server URL, and reuses it while it is valid', async () => {
    const client = new MlflowClient({ uri: serviceUri, auth: 'google-id-token' });
    expect(await client.ensureExperiment('stockops')).toBe('7');
    expect(await client.ensureExperiment('stockops')).toBe('7');
    expect(minted).toHaveLength(1);
    // The audience Cloud Run checks: the service URL's origin, no path.
    expect(minted[0]?.audience).toBe(serviceUri.replace(/\/$/, ''));
    expect(seen).toEqual([`Bearer ${minted[0]?.token}`, `Bearer ${minted[0]?.token}`]);
  });

  it('fetches a new token when the cached one is about to expire', async () => {
    lifetimeS = 60; // inside the library's five-minute early-refresh window
    const client = new MlflowClient({ uri: serviceUri, auth: 'google-id-token' });
    await client.ensureExperiment('stockops');
    await client.ensureExperiment('stockops');
    expect(minted).toHaveLength(2);
    expect(seen).toEqual(minted.map((m) => `Bearer ${m.token}`));
  });

  it('is refused by the IAM-checked service without one', async () => {
    const e = await new MlflowClient({ uri: serviceUri })
      .ensureExperiment('stockops')
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MlflowError);
    expect((e as MlflowError).status).toBe(401);
    expect(seen).toEqual([undefined]);
  });

  it('fails retryably, naming the cause, when no token can be had', async () => {
    const saved = process.env.GCE_METADATA_HOST;
    process.env.GCE_METADATA_HOST = '127.0.0.1:9'; // nothing listens on the discard port
    try {
      const e = await new MlflowClient({ uri: serviceUri, auth: 'google-id-token' })
        .ensureExperiment('stockops')
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MlflowError);
      expect((e as MlflowError).message).toMatch(/cannot get a Google ID token/);
      expect((e as MlflowError).retryable).toBe(true);
      expect(seen).toEqual([]);
    } finally {
      process.env.GCE_METADATA_HOST = saved;
    }
  });
});
