/**
 * infra/backfill-job.tf: the Cloud Run job that runs backfills and `evaluate --seed-ledger`, one
 * shard of the watchlist per task (issue #18, item 4), read back from the HCL as Terraform does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, loadTaskPlacement } from '../../pipelines/config.js';
import { block, INFRA_DIR, loadInfra, type Block, type Infra } from './hcl.js';

let infra: Infra;
let job: Block;
let task: Block;
let container: Block;

beforeAll(async () => {
  infra = await loadInfra();
  job = infra.resources.google_cloud_run_v2_job?.backfill ?? {};
  task = block(block(job, 'template'), 'template');
  container = block(task, 'containers');
});

const seconds = (d: unknown) => Number(/^(\d+)s$/.exec(String(d))?.[1]);

/** A few plausible values for the interpolations of local.common_env (what Terraform would fill in). */
const FILLED: Record<string, string> = {
  '${var.project}': 'my-project',
  '${google_bigquery_dataset.stockops.dataset_id}': 'stockops',
  '${google_storage_bucket.data.name}': 'my-project-stockops',
  '${var.topic_prefix}': 'stockops',
  '${join(",", var.watchlist)}': 'SPY,AAPL,MSFT',
  '${var.git_commit}': '0123456789ab',
};

describe('infra/ backfill job', () => {
  it('is a Cloud Run job with tasks, parallelism and a task timeout far beyond the functions 540 s', () => {
    expect(block(job, 'template').task_count).toBe('${var.backfill_tasks}');
    expect(block(job, 'template').parallelism).toBe('${var.backfill_parallelism}');
    expect(task.timeout).toBe('${var.backfill_task_timeout}');
    const timeout = seconds(infra.variables.backfill_task_timeout?.default);
    expect(timeout).toBeGreaterThanOrEqual(10 * 540);
    // Cloud Run's own limit for a task is 7 days.
    expect(timeout).toBeLessThanOrEqual(7 * 24 * 3600);
    expect(infra.variables.backfill_tasks?.default).toBeGreaterThan(1);
    expect(Number(task.max_retries)).toBeGreaterThanOrEqual(1);
  });

  it('runs the stockops CLI from the image the deploy builds, with native TensorFlow', async () => {
    expect(container.image).toBe('${var.backfill_image}');
    expect(container.command).toEqual(['node', 'dist/pipelines/cli.js']);
    // The CLI the package compiles to (package.json "bin"), so the command exists in the image.
    const pkg = JSON.parse(await readFile(join(INFRA_DIR, '../package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin.stockops).toBe('dist/pipelines/cli.js');
    const dockerfile = await readFile(
      join(INFRA_DIR, '../scripts/infra/backfill/Dockerfile'),
      'utf8',
    );
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    // The native addon must load at build time, or the build fails (never a silent wasm fallback).
    expect(dockerfile).toMatch(/require\('@tensorflow\/tfjs-node'\)/);
    expect(dockerfile).toMatch(/COPY dist \.\/dist/);
    const deploy = await readFile(join(INFRA_DIR, '../scripts/infra/deploy.sh'), 'utf8');
    expect(deploy).toMatch(/-var "backfill_image=\$BACKFILL_IMAGE"/);
    expect(deploy).toMatch(/build_images\n/);
  });

  it('runs as its own service account, with the model function’s data access and no topic', () => {
    expect(task.service_account).toBe('${google_service_account.backfill.email}');
    const mine = Object.values(infra.resources)
      .flatMap((byName) => Object.values(byName))
      .filter((b) => String(b.member).includes('google_service_account.backfill.email'));
    expect(mine.map((b) => b.role).sort()).toEqual([
      'roles/bigquery.dataEditor',
      'roles/bigquery.jobUser',
      'roles/secretmanager.secretAccessor',
      'roles/storage.objectUser',
    ]);
  });

  it('sets the env that configures the pipeline for BigQuery, the bucket, MLflow and native TF', () => {
    const env = String(infra.locals.backfill_env);
    expect(env).toMatch(/for k, v in local\.common_env : k => v if k != "STOCKOPS_BUS"/);
    expect(env).toMatch(/local\.mlflow_env/);
    const dynamic = (container.dynamic as Record<string, Block[]>).env ?? [];
    expect(dynamic[0]?.for_each).toBe('${local.backfill_env}');
    // What the job's environment resolves to, read by the real config loader.
    const common = infra.locals.common_env as Record<string, string>;
    const filled: Record<string, string> = Object.fromEntries(
      Object.entries(common)
        .filter(([k]) => k !== 'STOCKOPS_BUS')
        .map(([k, v]): [string, string] => [k, FILLED[v] ?? v]),
    );
    const statics = /\{\s*STOCKOPS_SOURCE\s*=\s*"yahoo"[\s\S]*?\}/.exec(env)?.[0] ?? '';
    const extra: Record<string, string> = Object.fromEntries(
      [...statics.matchAll(/(STOCKOPS_\w+)\s*=\s*"([^"]*)"/g)].map((m): [string, string] => [
        m[1] ?? '',
        m[2] ?? '',
      ]),
    );
    expect(extra).toEqual({
      STOCKOPS_SOURCE: 'yahoo',
      STOCKOPS_TF_BACKEND: 'tensorflow',
      STOCKOPS_CONCURRENCY: '1',
    });
    const jobEnv = {
      ...filled,
      ...extra,
      MLFLOW_TRACKING_URI: 'https://stockops-mlflow-abc-ue.a.run.app',
      STOCKOPS_MLFLOW_AUTH: 'google-id-token',
      // What Cloud Run sets in each task.
      CLOUD_RUN_TASK_INDEX: '3',
      CLOUD_RUN_TASK_COUNT: '50',
      CLOUD_RUN_EXECUTION: 'stockops-backfill-abcde',
    };
    const c = loadConfig({ env: jobEnv });
    expect(c.warehouse).toMatchObject({ kind: 'bigquery', projectId: 'my-project' });
    expect(c.objectStore).toMatchObject({ kind: 'gcs', bucket: 'my-project-stockops' });
    expect(c.tracking).toMatchObject({ kind: 'mlflow', auth: 'google-id-token' });
    expect(c.bus.kind).toBe('memory');
    expect(c.model.backend).toBe('tensorflow');
    expect(c.watchlist).toEqual(['SPY', 'AAPL', 'MSFT']);
    expect(loadTaskPlacement(jobEnv)).toEqual({
      shard: { index: 3, count: 50 },
      runKey: 'stockops-backfill-abcde',
    });
  });
});
