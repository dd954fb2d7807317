/** Object store port: model artifacts and run artifacts, addressed by `/`-separated keys. */
export interface ObjectStore {
  readonly kind: string;
  /** Writes the whole object, replacing any there; readers never see a half-written one. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /**
   * Creates the object only when the key is free: true when this call created it, false when an
   * object was already there (left as it was). Atomic: of callers racing on one key exactly one wins.
   * For what must never be overwritten once written (published model versions, raw archives).
   */
  putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Keys starting with `prefix` (a plain string prefix, not only whole folders), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** A URI a person can use to find the object (file://… or gs://…). */
  uri(key: string): string;
}

/**
 * A failure of the store itself, not of the caller's input. `transient` (network, timeouts, 429,
 * 5xx) means the same call may succeed later, so a caller (or Pub/Sub's redelivery) should retry.
 */
export class ObjectStoreError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }
}

export function assertKey(key: string): void {
  if (
    !key ||
    key.startsWith('/') ||
    key.split('/').some((p) => p === '..' || p === '.' || p === '')
  ) {
    throw new Error(
      `invalid object key "${key}": use relative /-separated names without ".", "..", "//"`,
    );
  }
}
