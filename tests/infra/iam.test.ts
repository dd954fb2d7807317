import { beforeAll, describe, expect, it } from 'vitest';
import { allResources, loadInfra, resourcesOf, type Block, type Infra } from './hcl.js';

/**
 * Each identity's documented role set (docs/deploying.md, "Deploying to Google Cloud"): role on resource.
 * A binding Terraform declares that is not here, or one listed here that Terraform lacks, fails.
 */
const DOCUMENTED: Record<string, string[]> = {
  'fn[schedule]': [
    'roles/bigquery.dataViewer on google_bigquery_dataset.stockops',
    'roles/storage.objectUser on google_storage_bucket.data',
    'roles/pubsub.publisher on google_pubsub_topic.stage[ingest]',
    'roles/pubsub.publisher on google_pubsub_topic.stage[dead_letter]',
  ],
  'fn[ingest]': [
    'roles/bigquery.dataEditor on google_bigquery_dataset.stockops',
    'roles/bigquery.jobUser on project',
    'roles/storage.objectUser on google_storage_bucket.data',
    'roles/pubsub.publisher on google_pubsub_topic.stage[model]',
    'roles/pubsub.publisher on google_pubsub_topic.stage[dead_letter]',
  ],
  'fn[model]': [
    'roles/bigquery.dataEditor on google_bigquery_dataset.stockops',
    'roles/bigquery.jobUser on project',
    'roles/storage.objectUser on google_storage_bucket.data',
    'roles/pubsub.publisher on google_pubsub_topic.stage[done]',
    'roles/pubsub.publisher on google_pubsub_topic.stage[dead_letter]',
    'roles/secretmanager.secretAccessor on google_secret_manager_secret.mlflow[*]',
  ],
  // The backfill job (backfill-job.tf): the model function's data access, no topic.
  backfill: [
    'roles/bigquery.dataEditor on google_bigquery_dataset.stockops',
    'roles/bigquery.jobUser on project',
    'roles/storage.objectUser on google_storage_bucket.data',
    'roles/secretmanager.secretAccessor on google_secret_manager_secret.mlflow[*]',
  ],
  'fn[commit]': [
    'roles/bigquery.dataEditor on google_bigquery_dataset.stockops',
    'roles/bigquery.jobUser on project',
    'roles/storage.objectUser on google_storage_bucket.data',
    // The follow-up flush re-drives a stalled run's unreported tickers.
    'roles/pubsub.publisher on google_pubsub_topic.stage[ingest]',
    'roles/pubsub.publisher on google_pubsub_topic.stage[dead_letter]',
  ],
  invoker: ['roles/run.invoker on google_cloudfunctions2_function.fn[*]'],
  builder: [
    'roles/artifactregistry.writer on google_artifact_registry_repository.functions',
    'roles/storage.objectViewer on google_storage_bucket.source',
    'roles/logging.logWriter on project',
  ],
  'pubsub-agent': [
    'roles/iam.serviceAccountTokenCreator on google_service_account.invoker',
    'roles/pubsub.publisher on google_pubsub_topic.stage[dead_letter]',
    'roles/pubsub.subscriber on google_pubsub_subscription.done',
  ],
  'scheduler-agent': [
    'roles/pubsub.publisher on google_pubsub_topic.stage[schedule]',
    'roles/pubsub.publisher on google_pubsub_topic.stage[done]',
  ],
};

/** Roles that exist only at project level; nothing else may be granted project-wide. */
const PROJECT_LEVEL_ALLOWED = new Set(['roles/bigquery.jobUser', 'roles/logging.logWriter']);

const IAM_TYPE = /^google_.*_iam_(member|binding|policy)$/;
const TARGET_ATTRS = [
  'project',
  'dataset_id',
  'bucket',
  'topic',
  'subscription',
  'secret_id',
  'service',
  'service_account_id',
  'repository',
];

function principalOf(member: string): string {
  const sa = /google_service_account\.(\w+)(?:\["(\w+)"\])?\.email/.exec(member);
  if (sa) return sa[2] ? `${sa[1]}[${sa[2]}]` : (sa[1] as string);
  if (member === '${local.pubsub_agent}') return 'pubsub-agent';
  if (member === '${local.scheduler_agent}') return 'scheduler-agent';
  throw new Error(`unrecognised IAM member ${member}`);
}

function refOf(expr: string): string | undefined {
  const m = /(google_[a-z0-9_]+)\.(\w+)(?:\["(\w+)"\])?/.exec(expr);
  if (!m) return undefined;
  return m[3] ? `${m[1]}.${m[2]}[${m[3]}]` : `${m[1]}.${m[2]}`;
}

function targetOf(type: string, name: string, body: Block): string {
  const attr = TARGET_ATTRS.find((a) => typeof body[a] === 'string');
  if (!attr) throw new Error(`${type}.${name}: no target attribute`);
  const expr = body[attr] as string;
  if (type === 'google_project_iam_member') {
    if (expr !== '${var.project}') throw new Error(`${type}.${name}: project is ${expr}`);
    return 'project';
  }
  if (expr.includes('each.value')) {
    const each = refOf(String(body.for_each));
    if (!each) throw new Error(`${type}.${name}: for_each is not a resource`);
    return `${each}[*]`;
  }
  const ref = refOf(expr);
  if (!ref) throw new Error(`${type}.${name}: ${attr} = ${expr} names no resource`);
  return ref;
}

let infra: Infra;
let bindings: { type: string; name: string; principal: string; role: string; target: string }[];

beforeAll(async () => {
  infra = await loadInfra();
  bindings = allResources(infra)
    .filter(([type]) => IAM_TYPE.test(type))
    .map(([type, name, body]) => ({
      type,
      name,
      principal: principalOf(String(body.member)),
      role: String(body.role),
      target: targetOf(type, name, body),
    }));
});

describe('infra/ identity and access', () => {
  it('grants every identity exactly its documented roles, on the documented resources', () => {
    const actual: Record<string, string[]> = {};
    for (const b of bindings) (actual[b.principal] ??= []).push(`${b.role} on ${b.target}`);
    for (const roles of Object.values(actual)) roles.sort();
    const expected = Object.fromEntries(
      Object.entries(DOCUMENTED).map(([p, roles]) => [p, [...roles].sort()]),
    );
    expect(actual).toEqual(expected);
  });

  it('has one service account per function, each running its own function', () => {
    const functions = infra.locals.functions as Record<string, unknown>;
    const [, sa] = resourcesOf(infra, 'google_service_account').find(([n]) => n === 'fn') ?? [];
    expect(sa?.for_each).toBe('${local.functions}');
    const [, fn] = resourcesOf(infra, 'google_cloudfunctions2_function')[0] ?? [];
    const service = (fn?.service_config as Block[])[0];
    expect(service?.service_account_email).toBe('${google_service_account.fn[each.key].email}');
    expect(Object.keys(functions).sort()).toEqual(['commit', 'ingest', 'model', 'schedule']);
  });

  it('never binds editor or owner, nor anything authoritative, project-wide', () => {
    for (const b of bindings) expect(b.role).not.toMatch(/^roles\/(editor|owner)$/);
    for (const text of Object.values(infra.sources)) {
      expect(text).not.toMatch(/roles\/(editor|owner)\b/);
    }
    const types = Object.keys(infra.resources);
    expect(types.filter((t) => /_iam_(binding|policy)$/.test(t))).toEqual([]);
    for (const b of bindings.filter((x) => x.target === 'project')) {
      expect(PROJECT_LEVEL_ALLOWED, `${b.type}.${b.name}`).toContain(b.role);
    }
  });

  it('creates no service-account keys', () => {
    expect(Object.keys(infra.resources)).not.toContain('google_service_account_key');
  });

  it('lets only the functions that log to MLflow read its credentials, and mounts them only there', () => {
    const readers = bindings.filter((b) => b.target.startsWith('google_secret_manager_secret'));
    expect(new Set(readers.map((b) => b.principal))).toEqual(new Set(['fn[model]', 'backfill']));
    const functions = infra.locals.functions as Record<string, { mlflow: boolean }>;
    expect(
      Object.entries(functions)
        .filter(([, f]) => f.mlflow)
        .map(([k]) => k),
    ).toEqual(['model']);
    const [, fn] = resourcesOf(infra, 'google_cloudfunctions2_function')[0] ?? [];
    const service = (fn?.service_config as Block[])[0] as Block;
    const secrets = (service.dynamic as Record<string, Block[]>).secret_environment_variables?.[0];
    expect(secrets?.for_each).toMatch(/each\.value\.mlflow && var\.mlflow_basic_auth/);
  });
});
