/**
 * The task flags of `backfill` and `evaluate`: one shard of the watchlist per task. A Cloud Run job
 * runs the same command in every task and the job sets CLOUD_RUN_TASK_INDEX / _COUNT (config.ts
 * reads them); locally `--task-index/--task-count` do the same, and `--run-key` stands in for the
 * execution's name so the shards of one backfill share their run ids.
 */
import type { Command } from 'commander';
import { loadTaskPlacement, type Config, type Env, type TaskPlacement } from '../config.js';
import { shardOf } from '../shard.js';

export interface TaskFlags {
  taskIndex?: string;
  taskCount?: string;
  runKey?: string;
}

export function addTaskFlags(cmd: Command): Command {
  return cmd
    .option('--task-index <i>', "this task's shard, 0-based (else $CLOUD_RUN_TASK_INDEX, else 0)")
    .option('--task-count <n>', 'tasks sharing the watchlist (else $CLOUD_RUN_TASK_COUNT, else 1)')
    .option(
      '--run-key <key>',
      'name of the whole sharded run: its tasks derive the same run ids (else $CLOUD_RUN_EXECUTION)',
    );
}

export interface Task extends TaskPlacement {
  /** This task's tickers: its shard of the configured watchlist. */
  tickers: string[];
  /** `task 1 of 8 (0-based): 3 of 20 tickers`, for the log and the summary. */
  label: string;
}

export function taskFrom(flags: TaskFlags, config: Config, env: Env): Task {
  const placement = loadTaskPlacement(env, flags);
  // Unsharded, the watchlist runs as written (its order is the summary's order).
  const tickers =
    placement.shard.count === 1 ? config.watchlist : shardOf(config.watchlist, placement.shard);
  const { index, count } = placement.shard;
  const label = `task ${index} of ${count} (0-based): ${tickers.length} of ${new Set(config.watchlist).size} tickers`;
  return { ...placement, tickers, label };
}
