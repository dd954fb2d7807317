/**
 * Run records that could not be delivered, one JSON file per record key (artifacts base64), so a
 * later `syncOutbox` can deliver them. A record saved twice under one key overwrites itself.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
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

export class Outbox {
  constructor(readonly dir: string) {}

  async put(record: RunRecord, lastError: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
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
    const path = join(this.dir, file);
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify(body));
    await rename(tmp, path);
    return file;
  }

  /** File names of pending records, oldest name order (stable across calls). */
  async files(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith('.json')).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async read(file: string): Promise<OutboxEntry> {
    const path = join(this.dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
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
    await rm(join(this.dir, file), { force: true });
  }
}
