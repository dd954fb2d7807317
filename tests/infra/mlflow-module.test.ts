/**
 * infra/modules/mlflow and its wiring in infra/mlflow.tf (issue #18, item 5): the MLflow tracking
 * server on Cloud Run with a Cloud SQL PostgreSQL backend store, off by default, never public, and
 * the pipeline pointed at it with ID-token authentication.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allResources, block, INFRA_DIR, loadInfra, type Block, type Infra } from './hcl.js';

let root: Infra;
let mod: Infra;
let service: Block;
let container: Block;

beforeAll(async () => {
  root = await loadInfra();
  mod = await loadInfra(join(INFRA_DIR, 'modules/mlflow'));
  service = mod.resources.google_cloud_run_v2_service?.mlflow ?? {};
  container = block(block(service, 'template'), 'containers');
});

const PUBLIC = /allUsers|allAuthenticatedUsers/;

describe('the MLflow server module', () => {
  it('is off by default, and on only through var.mlflow_server', () => {
    expect(root.variables.mlflow_server?.default).toBe(false);
    expect(root.modules.mlflow?.source).toBe('./modules/mlflow');
    expect(root.modules.mlflow?.count).toBe('${var.mlflow_server ? 1 : 0}');
  });

  it('grants run.invoker only to the pipeline accounts and the named operators, never the public', () => {
    const iam = allResources(mod).filter(([type]) => /_iam_(member|binding|policy)$/.test(type));
    const invokers = iam.filter(([, , b]) => b.role === 'roles/run.invoker');
    expect(invokers.map(([type, name]) => `${type}.${name}`)).toEqual([
      'google_cloud_run_v2_service_iam_member.invoker',
    ]);
    const [, , invoker] = invokers[0] ?? [];
    expect(invoker?.for_each).toBe('${var.invokers}');
    expect(invoker?.member).toBe('${each.value}');
    expect(invoker?.name).toBe('${google_cloud_run_v2_service.mlflow.name}');
    // No binding anywhere names the public; a policy or binding resource could replace members.
    for (const [type, name, b] of [...iam, ...allResources(root)]) {
      expect(JSON.stringify(b.member ?? ''), `${type}.${name}`).not.toMatch(PUBLIC);
      expect(type).not.toMatch(/_iam_(binding|policy)$/);
    }
    // What the root passes: the model function's and the job's accounts, plus operators.
    const passed = String(root.modules.mlflow?.invokers);
    expect(passed).toMatch(
      /model\s*=\s*"serviceAccount:\$\{google_service_account\.fn\["model"\]\.email\}"/,
    );
    expect(passed).toMatch(
      /backfill\s*=\s*"serviceAccount:\$\{google_service_account\.backfill\.email\}"/,
    );
    expect(passed).toMatch(/for m in var\.mlflow_operators : m => m/);
    // Both inputs refuse the public members, so none can be passed in.
    expect(String((mod.variables.invokers?.validation as Block[])[0]?.condition)).toMatch(
      /!contains\(\["allUsers", "allAuthenticatedUsers"\], m\)/,
    );
    const operators = (root.variables.mlflow_operators?.validation as Block[])[0];
    expect(operators?.condition).toMatch(/\^\(user\|group\|serviceAccount\|domain\):/);
    // The service itself keeps Cloud Run's IAM check: nothing turns it off.
    expect(service).not.toHaveProperty('invoker_iam_disabled');
  });

  it('stores runs and the registry in Cloud SQL PostgreSQL, reached only through the connector', () => {
    const sql = mod.resources.google_sql_database_instance?.mlflow ?? {};
    expect(String(sql.database_version)).toMatch(/^POSTGRES_/);
    const ip = block(block(sql, 'settings'), 'ip_configuration');
    expect(ip).not.toHaveProperty('authorized_networks');
    expect(ip.ssl_mode).toBe('ENCRYPTED_ONLY');
    expect(block(block(sql, 'settings'), 'backup_configuration').enabled).toBe(true);
    const volume = block(block(service, 'template'), 'volumes');
    expect(block(volume, 'cloud_sql_instance').instances).toEqual([
      '${google_sql_database_instance.mlflow.connection_name}',
    ]);
    expect(block(container, 'volume_mounts')).toMatchObject({
      name: 'cloudsql',
      mount_path: '/cloudsql',
    });
    // The password comes from Secret Manager at run time; Terraform never holds a value.
    const env = container.env as Block[];
    const password = env.find((e) => e.name === 'MLFLOW_DB_PASSWORD');
    expect(block(block(password ?? {}, 'value_source'), 'secret_key_ref').secret).toBe(
      '${google_secret_manager_secret.db_password.secret_id}',
    );
    expect(mod.resources).not.toHaveProperty('google_secret_manager_secret_version');
    expect(mod.resources).not.toHaveProperty('google_sql_user');
  });

  it('keeps artifacts in a private bucket behind the server’s artifact proxy', async () => {
    const bucket = mod.resources.google_storage_bucket?.artifacts ?? {};
    expect(bucket.public_access_prevention).toBe('enforced');
    expect(bucket.uniform_bucket_level_access).toBe(true);
    const env = container.env as Block[];
    expect(env.find((e) => e.name === 'MLFLOW_ARTIFACTS_DESTINATION')?.value).toBe(
      'gs://${google_storage_bucket.artifacts.name}/artifacts',
    );
    const entry = await readFile(join(INFRA_DIR, '../scripts/infra/mlflow/entrypoint.sh'), 'utf8');
    // The pipeline's client uploads through the server (pipelines/ports/tracking/mlflow-client.ts).
    expect(entry).toMatch(/--serve-artifacts/);
    expect(entry).toMatch(/postgresql\+psycopg2:\/\/.*host=\/cloudsql\//);
    const dockerfile = await readFile(
      join(INFRA_DIR, '../scripts/infra/mlflow/Dockerfile'),
      'utf8',
    );
    expect(dockerfile).toMatch(
      /mlflow==\d+\.\d+\.\d+ psycopg2-binary==[\d.]+ google-cloud-storage==/,
    );
  });

  it('points the model function and the backfill job at it, with ID-token authentication', () => {
    const uri = String(root.locals.mlflow_tracking_uri);
    expect(uri).toBe('${var.mlflow_server ? module.mlflow[0].uri : var.mlflow_tracking_uri}');
    const env = String(root.locals.mlflow_env);
    expect(env).toMatch(/MLFLOW_TRACKING_URI = local\.mlflow_tracking_uri/);
    expect(env).toMatch(/var\.mlflow_server \? \{ STOCKOPS_MLFLOW_AUTH = "google-id-token" \}/);
    const functions = root.locals.functions as Record<string, { env: string }>;
    expect(functions.model?.env).toMatch(/local\.mlflow_env/);
    expect(String(root.locals.backfill_env)).toMatch(/local\.mlflow_env/);
    // Users with their own server keep mlflow_tracking_uri; the two are exclusive.
    const out = (root.outputs.mlflow?.precondition as Block[])[0];
    expect(out?.condition).toBe('${!(var.mlflow_server && var.mlflow_tracking_uri != "")}');
    expect(root.variables.mlflow_tracking_uri?.default).toBe('');
  });
});
