/** Object store port: model artifacts and run artifacts, addressed by `/`-separated keys. */
export interface ObjectStore {
  readonly kind: string;
  /** Writes the whole object; readers never see a half-written one. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  /** A URI a person can use to find the object (file://… or gs://…). */
  uri(key: string): string;
}

export function assertKey(key: string): void {
  if (!key || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '')) {
    throw new Error(
      `invalid object key "${key}": use relative /-separated names without "..", "//"`,
    );
  }
}
