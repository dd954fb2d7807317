/**
 * Run records that could not be delivered, one JSON object per record key (artifacts base64), so a
 * later `syncOutbox` can deliver them. A record saved twice under one key overwrites itself.
 * It lives on an object store: a local folder, or Cloud Storage under `mlflow-outbox/` in the
 * cloud, where a function instance's own disk is gone when the instance is recycled.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ObjectStore } from '../object-store/port.js';
import type { RunRecord } from './port.js';

const entrySchema = z.object({
  version: z.literal(1),
  savedAt: z.string(),
  lastError: z.string(),
  record: z.object({
    key: z.string(),
    experiment: z.string(),
    name: z.string(),
    status: z.enum(['FINISHED', 'FAILED']),
    startTime: z.number(),
    endTime: z.number(),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    tags: z.record(z.string(), z.string()),
    metrics: z.array(
      z.object({
        key: z.string(),
        // JSON has no NaN/Infinity; they are stored as strings.
        value: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).transform(Number),
        step: z.number(),
        timestamp: z.number(),
      }),
    ),
    artifacts: z.array(z.object({ path: z.string(), base64: z.string() })),
    model: z.object({ path: z.string(), name: z.string() }).optional(),
  }),
});

export interface OutboxEntry {
  file: string;
  record: RunRecord;
  savedAt: string;
  lastError: string;
}

export function outboxFileName(key: string): string {
  return `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`;
}

/** The outbox's key prefix in the pipeline's object store (bucket layout: `mlflow-outbox/…`). */
export const OUTBOX_STORE_PREFIX = 'mlflow-outbox/';

export class Outbox {
  /** `prefix` is '' or ends with '/'; entries are `<prefix><sha256 of the record key>.json`. */
  constructor(
    readonly store: ObjectStore,
    readonly prefix: string = '',
  ) {
    if (prefix && !prefix.endsWith('/'))
      throw new Error(`outbox prefix "${prefix}" must end with /`);
  }

  /** Where the outbox is, for people: file:///…/ or gs://bucket/mlflow-outbox/. */
  get location(): string {
    if (!this.prefix) return `${this.store.uri('x').slice(0, -1)}`;
    return `${this.store.uri(this.prefix.slice(0, -1))}/`;
  }

  async put(record: RunRecord, lastError: string): Promise<string> {
    const file = outboxFileName(record.key);
    const body = {
      version: 1,
      savedAt: new Date().toISOString(),
      lastError,
      record: {
        ...record,
        metrics: record.metrics.map((m) => ({
          ...m,
          value: Number.isFinite(m.value) ? m.value : String(m.value),
        })),
        artifacts: record.artifacts.map((a) => ({
          path: a.path,
          base64: Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString(
            'base64',
          ),
        })),
      },
    };
    await this.store.put(this.prefix + file, JSON.stringify(body));
    return file;
  }

  /** File names of pending records, in name order (stable across calls). */
  async files(): Promise<string[]> {
    return (await this.store.list(this.prefix))
      .map((k) => k.slice(this.prefix.length))
      .filter((f) => !f.includes('/') && f.endsWith('.json'));
  }

  async read(file: string): Promise<OutboxEntry> {
    const path = this.store.uri(this.prefix + file);
    let raw: unknown;
    try {
      const bytes = await this.store.get(this.prefix + file);
      if (!bytes) throw new Error('gone (delivered by another sync?)');
      raw = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new Error(`outbox file ${path} is not readable JSON: ${(e as Error).message}`);
    }
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `outbox file ${path} is not a run record (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
      );
    }
    const { record, savedAt, lastError } = parsed.data;
    return {
      file,
      savedAt,
      lastError,
      record: {
        ...record,
        artifacts: record.artifacts.map((a) => ({
          path: a.path,
          data: new Uint8Array(Buffer.from(a.base64, 'base64')),
        })),
      },
    };
  }

  async remove(file: string): Promise<void> {
    await this.store.delete(this.prefix + file);
  }
}
