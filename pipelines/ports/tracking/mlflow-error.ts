/** Codes for failures found on this side, which another try would only repeat. */
export const BAD_RESPONSE = 'BAD_RESPONSE';
export const EXPERIMENT_DELETED = 'EXPERIMENT_DELETED';
const LOCAL_CODES = new Set([
  BAD_RESPONSE,
  EXPERIMENT_DELETED,
  'ERR_INVALID_URL',
  'ERR_BAD_OPTION',
]);

/**
 * The one error the MLflow client throws. It names the endpoint, the HTTP status and MLflow's
 * error_code, and never carries request config, headers or a URL with credentials in it.
 */
export class MlflowError extends Error {
  constructor(
    message: string,
    /** `METHOD /api/2.0/...` without host or query string. */
    readonly endpoint: string,
    /** HTTP status; undefined when no response came back (network error, timeout). */
    readonly status: number | undefined,
    /** MLflow's error_code (e.g. RESOURCE_DOES_NOT_EXIST), or the network error code. */
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'MlflowError';
  }

  /** Worth another try: the server was unreachable, overloaded or failed on its side. */
  get retryable(): boolean {
    if (this.status === undefined) return !LOCAL_CODES.has(this.errorCode ?? '');
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }

  get notFound(): boolean {
    return this.errorCode === 'RESOURCE_DOES_NOT_EXIST' || this.status === 404;
  }

  get alreadyExists(): boolean {
    return this.errorCode === 'RESOURCE_ALREADY_EXISTS';
  }

  /** The credentials were missing or refused: retrying or trying the next record will not help. */
  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export function isMlflowError(e: unknown): e is MlflowError {
  return e instanceof MlflowError;
}

/** Replaces every occurrence of each secret in `text`; secrets shorter than 4 characters are ignored. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}
