/**
 * Which tickers one task of a sharded batch (a Cloud Run job's task, or `--task-index/--task-count`
 * locally) takes: the watchlist sorted and dealt round-robin. Sorting makes the split independent of
 * the order the watchlist was written in, so every task of an execution computes the same partition
 * on its own, without talking to the others; dealing round-robin keeps the shards' sizes within one
 * of each other. Pure: config.ts reads the task index and count and validates them here.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from './config-schema.js';

export interface Shard {
  /** 0-based index of this task. */
  index: number;
  /** How many tasks share the watchlist. */
  count: number;
}

/** The whole watchlist in one task: what a run without a task index or count does. */
export const WHOLE: Shard = { index: 0, count: 1 };

// Cloud Run allows up to 10,000 tasks per job execution.
export const MAX_TASKS = 10_000;

const whole = z.string().regex(/^\d+$/, 'a whole number').transform(Number);
const shardSchema = z
  .strictObject({
    index: whole.pipe(z.number().int().min(0)),
    count: whole.pipe(z.number().int().min(1).max(MAX_TASKS)),
  })
  .refine((s) => s.index < s.count, { message: 'the task index must be below the task count' });

/** Where each value came from, for the error message (e.g. `CLOUD_RUN_TASK_INDEX`, `--task-index`). */
export interface ShardInput {
  index?: { value: string; from: string };
  count?: { value: string; from: string };
}

/** The validated shard; unset index is 0, unset count is 1. Throws ConfigError naming the source. */
export function parseShard(input: ShardInput): Shard {
  const index = input.index ?? { value: '0', from: 'the task index' };
  const count = input.count ?? { value: '1', from: 'the task count' };
  const r = shardSchema.safeParse({ index: index.value.trim(), count: count.value.trim() });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path[0] === 'index' ? index : issue?.path[0] === 'count' ? count : undefined;
  const what = field
    ? `${field.from} "${field.value}" is not valid (${issue?.message ?? 'invalid'})`
    : `${index.from} ${index.value} is not below ${count.from} ${count.value}`;
  throw new ConfigError(
    `invalid shard: ${what}; expected 0 <= index < count <= ${MAX_TASKS} (whole numbers)`,
  );
}

/** The tickers of `shard`: sorted, de-duplicated, every `count`-th from position `index`. */
export function shardOf(tickers: readonly string[], shard: Shard): string[] {
  const sorted = [...new Set(tickers)].sort();
  return sorted.filter((_, i) => i % shard.count === shard.index);
}

/**
 * A run id every task of one execution derives alike (so a day's rows from all shards carry one run
 * id), from a key naming the execution: `<prefix>-<sha256(key, prefix)[0:8]>`.
 */
export function sharedRunId(prefix: string, key: string): string {
  const h = createHash('sha256')
    .update(JSON.stringify([key, prefix]))
    .digest('hex');
  return `${prefix}-${h.slice(0, 8)}`;
}
