/**
 * Cloud Storage through `@google-cloud/storage` (loaded only when config names `gcs`). Each put is
 * one non-resumable upload, so an object appears whole or not at all; `putIfAbsent` is the same
 * upload with the precondition `ifGenerationMatch: 0`, which the service refuses (412) when any
 * generation of the object exists. Failures come out as ObjectStoreError, transient or not.
 */
import { IdempotencyStrategy, Storage, type File } from '@google-cloud/storage';
import { downloadObject, isTransientStatus } from './gcs-download.js';
import { assertKey, ObjectStoreError, type ObjectStore } from './port.js';

export interface GcsObjectStoreOptions {
  bucket: string;
  /** The emulator (http://127.0.0.1:PORT); unset in production. */
  apiEndpoint?: string;
  projectId?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** The client's own retries of one call, before a transient error reaches the caller. */
  retries?: number;
  /** Cap on the client's backoff between those retries. */
  maxRetryDelayMs?: number;
}

function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  const status = (e as { status?: unknown; response?: { status?: unknown } }).response?.status;
  return typeof status === 'number' ? status : undefined;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createGcsObjectStore(opts: GcsObjectStoreOptions): ObjectStore {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxRetryDelayMs = opts.maxRetryDelayMs ?? 16_000;
  // Reads bypass the client's download (gcs-download.ts says why), with the same number of retries.
  const readRetry = {
    attempts: (opts.retries ?? 3) + 1,
    baseDelayMs: 1_000,
    maxDelayMs: maxRetryDelayMs,
  };
  const storage = new Storage({
    ...(opts.apiEndpoint ? { apiEndpoint: opts.apiEndpoint } : {}),
    ...(opts.projectId ? { projectId: opts.projectId } : {}),
    timeout: timeoutMs,
    retryOptions: {
      autoRetry: true,
      maxRetries: opts.retries ?? 3,
      // Whole seconds, at least 1: the upload path backs off from 1 s and refuses a lower cap.
      maxRetryDelay: Math.max(1, Math.round(maxRetryDelayMs / 1000)),
      totalTimeout: 120,
      // Every write here is safe to repeat: put replaces an object whole with the same bytes, and a
      // repeated putIfAbsent that had in fact succeeded reads as "existed", which callers handle.
      idempotencyStrategy: IdempotencyStrategy.RetryAlways,
    },
  });
  const bucket = storage.bucket(opts.bucket);
  const file = (key: string): File => {
    assertKey(key);
    return bucket.file(key);
  };
  const wrap = (op: string, key: string, e: unknown): ObjectStoreError => {
    const status = statusOf(e);
    const transient = isTransientStatus(status);
    const where = `gs://${opts.bucket}/${key}`;
    const hint = status === 404 ? ` (does the bucket ${opts.bucket} exist?)` : '';
    return new ObjectStoreError(
      `cloud storage ${op} ${where} failed${status ? ` with HTTP ${status}` : ''}: ${describe(e)}${hint}`,
      transient,
      { cause: e },
    );
  };
  const upload = async (key: string, data: Uint8Array | string, createOnly: boolean) => {
    const f = file(key);
    await f.save(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data), {
      resumable: false,
      contentType: key.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      ...(createOnly ? { preconditionOpts: { ifGenerationMatch: 0 } } : {}),
    });
  };

  return {
    kind: 'gcs',
    async put(key, data) {
      try {
        await upload(key, data, false);
      } catch (e) {
        throw wrap('put', key, e);
      }
    },
    async putIfAbsent(key, data) {
      try {
        await upload(key, data, true);
        return true;
      } catch (e) {
        if (statusOf(e) === 412) return false;
        throw wrap('putIfAbsent', key, e);
      }
    },
    async get(key) {
      assertKey(key);
      try {
        return await downloadObject(storage, opts.bucket, key, { timeoutMs, retry: readRetry });
      } catch (e) {
        throw wrap('get', key, e);
      }
    },
    async list(prefix) {
      try {
        const [files] = await bucket.getFiles({
          ...(prefix ? { prefix } : {}),
          autoPaginate: true,
        });
        return files.map((f) => f.name).sort();
      } catch (e) {
        throw wrap('list', `${prefix}*`, e);
      }
    },
    async delete(key) {
      try {
        await file(key).delete({ ignoreNotFound: true });
      } catch (e) {
        throw wrap('delete', key, e);
      }
    },
    uri(key) {
      assertKey(key);
      return `gs://${opts.bucket}/${key}`;
    },
  };
}
