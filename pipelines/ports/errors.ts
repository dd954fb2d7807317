/**
 * Error classification at the port boundary: a transient error (the service or the network was
 * briefly unavailable) is worth a redelivery; a permanent one (bad data, a contract violation, a
 * bad request) would fail the same way again, so it is recorded and acknowledged instead.
 */

export type ErrorClass = 'transient' | 'permanent';

// gRPC status codes (Pub/Sub, BigQuery Storage) worth retrying.
const GRPC_TRANSIENT = new Map([
  [4, 'DEADLINE_EXCEEDED'],
  [8, 'RESOURCE_EXHAUSTED'],
  [10, 'ABORTED'],
  [14, 'UNAVAILABLE'],
]);
const NODE_TRANSIENT = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
// BigQuery's error reasons (errors[].reason) that its documentation says to retry.
const BQ_TRANSIENT = new Set([
  'rateLimitExceeded',
  'backendError',
  'internalError',
  'jobRateLimitExceeded',
]);

type Shape = {
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  name?: unknown;
  reason?: unknown;
  message?: unknown;
  errors?: unknown;
  response?: { status?: unknown; data?: unknown };
  cause?: unknown;
  /** ObjectStoreError / WarehouseError: the adapter already knows. */
  transient?: unknown;
  retryable?: unknown;
};

const reasonsOf = (errors: unknown): unknown[] =>
  Array.isArray(errors) ? (errors as ({ reason?: unknown } | null)[]).map((x) => x?.reason) : [];

const httpTransient = (s: unknown): boolean =>
  typeof s === 'number' && (s === 408 || s === 429 || s >= 500);

/** Why one error (not its causes) is transient, or undefined when it is not. */
function transientReason(e: Shape): string | undefined {
  const { code } = e;
  if (e.transient === true || e.retryable === true) {
    return `${typeof e.name === 'string' ? e.name : 'port error'} marked transient by its adapter`;
  }
  if (typeof code === 'string' && NODE_TRANSIENT.has(code)) return `network error ${code}`;
  if (typeof code === 'number' && GRPC_TRANSIENT.has(code) && !('response' in e && e.response)) {
    // A number below 100 is a gRPC status; HTTP statuses are checked below.
    return `gRPC ${GRPC_TRANSIENT.get(code)}`;
  }
  for (const s of [e.response?.status, e.statusCode, e.status, code]) {
    if (httpTransient(s)) return `HTTP ${String(s)}`;
  }
  // ApiError (@google-cloud/common) lifts errors[] to the error; gaxios leaves it in the body.
  const body = (e.response?.data as { error?: { errors?: unknown } } | undefined)?.error?.errors;
  const reasons = [e.reason, ...[e.errors, body].flatMap(reasonsOf)];
  const bq = reasons.find((r): r is string => typeof r === 'string' && BQ_TRANSIENT.has(r));
  if (bq) return `BigQuery ${bq}`;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timeout (${String(e.name)})`;
  if (typeof e.message === 'string' && /\b(timed? ?out|socket hang up)\b/i.test(e.message)) {
    return 'timeout';
  }
  return undefined;
}

/** Classifies an error by itself and its chain of causes (StageFailed, AggregateError, ...). */
export function classifyError(err: unknown): { kind: ErrorClass; reason: string } {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const reason = transientReason(e);
    if (reason) return { kind: 'transient', reason };
    queue.push((e as Shape).cause);
    if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]));
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'permanent', reason: message.slice(0, 500) };
}

export const isTransient = (err: unknown): boolean => classifyError(err).kind === 'transient';
