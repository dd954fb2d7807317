/**
 * One object's bytes, without `@google-cloud/storage`'s stream path. In 8.x every `download()` runs
 * through teeny-request 11's stream mode, which puts 11 error and close listeners on one PassThrough
 * and prints a MaxListenersExceededWarning for every object read
 * (https://github.com/googleapis/google-cloud-node/issues/9185, open; `validation: false` does not
 * help). The client still authorises the request, so credentials (and none on the emulator) work as
 * for its own calls; the bytes come from fetch, checked against the CRC32C the service sends, as the
 * client checks them; transient failures are retried with the project's backoff.
 */
import { CRC32C, type Storage } from '@google-cloud/storage';
import { withRetry, type RetryPolicy } from '../retry.js';

/** An HTTP failure shaped like the client's ApiError (`code` the status), so callers classify both alike. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const TRANSIENT_STATUS = new Set([408, 429]);

/** No status (no answer: refused, reset, timed out; or corrupted in transit), 5xx, 408, 429. */
export function isTransientStatus(status: number | undefined): boolean {
  return status === undefined || status >= 500 || TRANSIENT_STATUS.has(status);
}

const isTransientDownload = (e: unknown): boolean =>
  isTransientStatus(e instanceof DownloadError ? e.code : undefined);

function authorise(storage: Storage, uri: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    storage.makeAuthenticatedRequest(
      { uri, method: 'GET' },
      {
        onAuthenticated: (err, reqOpts) => {
          if (err) reject(err);
          else resolve({ ...((reqOpts?.headers ?? {}) as Record<string, string>) });
        },
      },
    );
  });
}

/** The `crc32c=` part of `x-goog-hash: crc32c=…,md5=…`, if the service sent one. */
function sentCrc32c(header: string | null): string | undefined {
  return header
    ?.split(',')
    .map((part) => part.trim())
    .find((part) => part.startsWith('crc32c='))
    ?.slice('crc32c='.length);
}

async function fetchOnce(
  storage: Storage,
  uri: string,
  timeoutMs: number,
): Promise<Uint8Array | undefined> {
  const headers = await authorise(storage, uri);
  let res: Response;
  try {
    res = await fetch(uri, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new DownloadError(`request failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (res.status === 404) {
    const text = await res.text();
    // Cloud Storage says "No such object" or "The specified bucket does not exist" (the emulator
    // says "Not Found" for both): only the latter is an error here.
    if (/bucket does not exist/i.test(text)) throw new DownloadError(text.trim(), 404);
    return undefined;
  }
  if (!res.ok) {
    throw new DownloadError((await res.text()).trim() || res.statusText, res.status);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const sent = sentCrc32c(res.headers.get('x-goog-hash'));
  // A transcoded (gzip-stored) object's hash is of the stored bytes, not of these.
  if (sent && !res.headers.get('content-encoding')) {
    const crc = new CRC32C();
    crc.update(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const got = crc.toString();
    if (got !== sent) {
      throw new DownloadError(`CRC32C mismatch: received ${got}, the service sent ${sent}`);
    }
  }
  return bytes;
}

/** The object's bytes, or undefined when there is no such object (the bucket existing). */
export function downloadObject(
  storage: Storage,
  bucket: string,
  key: string,
  opts: { timeoutMs: number; retry: RetryPolicy },
): Promise<Uint8Array | undefined> {
  const uri =
    `${storage.apiEndpoint}/storage/v1/b/${encodeURIComponent(bucket)}` +
    `/o/${encodeURIComponent(key)}?alt=media`;
  return withRetry(() => fetchOnce(storage, uri, opts.timeoutMs), isTransientDownload, opts.retry);
}
