import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { block, INFRA_DIR, loadInfra, type Block, type Infra } from './hcl.js';

interface FunctionDef {
  name: string;
  entry_point: string;
  trigger: string;
  publishes: string[];
  memory: string;
  cpu: string;
  timeout: number;
  concurrency: number;
}

let infra: Infra;
let topics: Record<string, string>;
let functions: Record<string, FunctionDef>;
let fn: Block;

beforeAll(async () => {
  infra = await loadInfra();
  topics = infra.locals.topic_names as Record<string, string>;
  functions = infra.locals.functions as Record<string, FunctionDef>;
  fn = infra.resources.google_cloudfunctions2_function?.fn ?? {};
});

/** The topic key an expression like `${google_pubsub_topic.stage["schedule"].id}` names. */
const topicKey = (expr: unknown) => /google_pubsub_topic\.stage\["(\w+)"\]/.exec(String(expr))?.[1];

describe('infra/ topics, functions and the scheduler', () => {
  it('has the design topics: one per stage plus the dead-letter topic, all declared', () => {
    expect(topics).toEqual({
      schedule: '${var.topic_prefix}-schedule',
      ingest: '${var.topic_prefix}-ingest',
      model: '${var.topic_prefix}-model',
      done: '${var.topic_prefix}-done',
      dead_letter: '${var.topic_prefix}-dead-letter',
    });
    expect(infra.resources.google_pubsub_topic?.stage?.for_each).toBe('${local.topic_names}');
  });

  it('deploys the design functions, each triggered by its own topic and publishing only to declared topics', () => {
    const byEntry = Object.fromEntries(Object.values(functions).map((f) => [f.entry_point, f]));
    expect(byEntry.stockopsSchedule?.trigger).toBe('schedule');
    expect(byEntry.stockopsIngest?.trigger).toBe('ingest');
    expect(byEntry.stockopsModel?.trigger).toBe('model');
    expect(byEntry.stockopsSchedule?.publishes).toContain('ingest');
    expect(byEntry.stockopsIngest?.publishes).toContain('model');
    expect(byEntry.stockopsModel?.publishes).toContain('done');
    for (const f of Object.values(functions)) {
      expect(Object.keys(topics)).toContain(f.trigger);
      for (const t of f.publishes)
        expect(Object.keys(topics), `${f.entry_point} -> ${t}`).toContain(t);
      // A topic a function publishes to must also grant it publisher (iam.test.ts lists the rest).
      for (const t of f.publishes) {
        const key = Object.keys(functions).find((k) => functions[k] === f);
        const grant = Object.values(infra.resources.google_pubsub_topic_iam_member ?? {}).find(
          (b) => topicKey(b.topic) === t && String(b.member).includes(`fn["${key}"]`),
        );
        expect(grant, `${f.entry_point} may publish to ${t}`).toBeDefined();
      }
    }
  });

  it('runs 2nd gen nodejs24 functions on Eventarc Pub/Sub triggers with retry on', () => {
    expect(fn.for_each).toBe('${local.functions}');
    expect(block(fn, 'build_config').runtime).toBe('nodejs24');
    expect(block(fn, 'build_config').entry_point).toBe('${each.value.entry_point}');
    const trigger = block(fn, 'event_trigger');
    expect(trigger.event_type).toBe('google.cloud.pubsub.topic.v1.messagePublished');
    expect(trigger.retry_policy).toBe('RETRY_POLICY_RETRY');
    expect(trigger.pubsub_topic).toBe('${google_pubsub_topic.stage[each.value.trigger].id}');
    expect(trigger.service_account_email).toBe('${google_service_account.invoker.email}');
  });

  it("points the scheduler's target topic at the schedule function's trigger", () => {
    const job = infra.resources.google_cloud_scheduler_job?.daily ?? {};
    const target = topicKey(block(job, 'pubsub_target').topic_name);
    const scheduleFn = Object.values(functions).find((f) => f.entry_point === 'stockopsSchedule');
    expect(target).toBeDefined();
    expect(target).toBe(scheduleFn?.trigger);
    expect(job.time_zone).toBe('${var.schedule_time_zone}');
    expect(infra.variables.schedule_time_zone?.default).toBe('America/New_York');
    // After the 16:00 New York close, on weekdays.
    const [minute, hour, , , dow] = String(infra.variables.schedule?.default).split(' ');
    expect(Number(hour) * 60 + Number(minute)).toBeGreaterThan(16 * 60);
    expect(dow).toBe('1-5');
  });

  it('sizes each function within Cloud Run limits, with the model function large enough to train', () => {
    const mib = (m: string) => (m.endsWith('Gi') ? parseFloat(m) * 1024 : parseFloat(m));
    for (const f of Object.values(functions)) {
      expect(f.timeout).toBeLessThanOrEqual(540); // event-driven functions' maximum
      if (parseFloat(f.cpu) < 1) expect(f.concurrency).toBe(1); // Cloud Run: concurrency > 1 needs 1 vCPU
      if (mib(f.memory) > 1024) expect(parseFloat(f.cpu)).toBeGreaterThanOrEqual(1);
    }
    // docs/deploying.md, the functions table: native training peaked at 1134 MiB RSS.
    expect(mib(functions.model?.memory ?? '0')).toBeGreaterThan(1134);
  });

  it('gives the functions the build commit and the design environment', () => {
    const env = infra.locals.common_env as Record<string, string>;
    expect(env.STOCKOPS_GIT_COMMIT).toBe('${var.git_commit}');
    expect(env).toMatchObject({ STOCKOPS_WAREHOUSE: 'bigquery', STOCKOPS_BUS: 'pubsub' });
    for (const k of [
      'GOOGLE_CLOUD_PROJECT',
      'STOCKOPS_BQ_DATASET',
      'STOCKOPS_BUCKET',
      'STOCKOPS_TOPIC_PREFIX',
      'STOCKOPS_TICKERS',
    ]) {
      expect(env[k], k).toBeTruthy();
    }
    const modelEnv = String((functions.model as unknown as { env: string }).env);
    expect(modelEnv).toMatch(/STOCKOPS_TF_BACKEND\s+= "tensorflow"/);
    // One vCPU: TensorFlow's pools set to 1 explicitly (docs/model.md, "Threads").
    expect(modelEnv).toMatch(/STOCKOPS_TF_INTRAOP_THREADS\s+= "1"/);
    expect(modelEnv).toMatch(/STOCKOPS_TF_INTEROP_THREADS\s+= "1"/);
  });

  it('gives every subscription it owns exponential backoff and a dead-letter policy, and the deploy sets them on the triggers', async () => {
    const done = infra.resources.google_pubsub_subscription?.done ?? {};
    expect(block(done, 'retry_policy')).toEqual({
      minimum_backoff: '${local.retry_min_backoff}',
      maximum_backoff: '${local.retry_max_backoff}',
    });
    expect(topicKey(block(done, 'dead_letter_policy').dead_letter_topic)).toBe('dead_letter');
    const deploy = await readFile(join(INFRA_DIR, '../scripts/infra/deploy.sh'), 'utf8');
    for (const flag of [
      '--dead-letter-topic',
      '--max-delivery-attempts',
      '--min-retry-delay',
      '--max-retry-delay',
    ]) {
      expect(deploy).toContain(flag);
    }
  });

  it('keeps the bucket private and expires raw archives', () => {
    const bucket = infra.resources.google_storage_bucket?.data ?? {};
    expect(bucket.uniform_bucket_level_access).toBe(true);
    expect(bucket.public_access_prevention).toBe('enforced');
    const rules = (bucket.lifecycle_rule as Block[]).map((r) => ({
      prefix: block(r, 'condition').matches_prefix,
      action: block(r, 'action').type,
    }));
    expect(rules).toContainEqual({ prefix: ['raw/'], action: 'Delete' });
    expect(rules).toContainEqual({ prefix: ['models/'], action: 'SetStorageClass' });
    expect(rules).not.toContainEqual({ prefix: ['models/'], action: 'Delete' });
  });

  it('declares the required outputs and an alert for each failure signal', () => {
    expect(Object.keys(infra.outputs)).toEqual(
      expect.arrayContaining(['topics', 'bucket', 'dataset', 'dashboard_url']),
    );
    const metrics = infra.locals.log_metrics as Record<string, unknown>;
    expect(Object.keys(metrics).sort()).toEqual([
      'dataset_drift',
      'dead_lettered',
      'failed_tickers',
      'served_mase_breach',
    ]);
    const alerts = infra.resources.google_monitoring_alert_policy ?? {};
    expect(alerts.pipeline?.for_each).toBe('${google_logging_metric.pipeline}');
    expect(alerts.run_not_finished).toBeDefined();
    for (const a of Object.values(alerts))
      expect(a.notification_channels).toBe('${var.notification_channels}');
  });
});
