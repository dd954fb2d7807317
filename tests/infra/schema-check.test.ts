/**
 * The provider-schema check (scripts/infra/schema-check.ts) on the real infra/ and on a fixture of
 * planted mistakes. The schema comes from `make infra-schema` (scripts/infra/provider-schema.sh,
 * which `make test` runs first): fetched once from the npm registry, then read offline.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkInfra,
  formatFinding,
  readSchema,
  SCHEMA_DIR,
} from '../../scripts/infra/schema-check.js';
import type { ProviderSchema } from '../../scripts/infra/schema-types.js';
import { loadModules } from '../../scripts/infra/tf-files.js';
import { repoFixtures } from '../support/paths.js';
import { INFRA_DIR } from './hcl.js';

const SCHEMA_FILE = join(SCHEMA_DIR, 'google.json');
const FIXTURE = join(repoFixtures, 'infra-schema');

describe('infra/ against the Google provider schema', () => {
  let schema: ProviderSchema;
  beforeAll(() => {
    if (!existsSync(SCHEMA_FILE)) {
      throw new Error(
        `${SCHEMA_FILE} is missing: run \`make infra-schema\` once (it downloads it)`,
      );
    }
    schema = readSchema(SCHEMA_FILE);
  });

  it('is the pinned provider release, within infra/versions.tf', () => {
    expect([schema.package, schema.provider, schema.version]).toEqual([
      '@cdktf/provider-google@16.12.1',
      'hashicorp/google',
      '6.50.0',
    ]);
    expect(Object.keys(schema.resources).length).toBeGreaterThan(1000);
    // What the check relies on, read from the schema rather than assumed.
    const fn = schema.resources.google_cloudfunctions2_function;
    expect(fn?.attrs.location).toEqual({ required: true });
    expect(fn?.blocks.build_config?.body.blocks.source?.nesting).toBe('single');
    const service = fn?.blocks.service_config?.body;
    expect(service?.blocks.secret_environment_variables?.nesting).toBe('list');
    expect(service?.blocks.secret_environment_variables?.body.attrs.key).toEqual({
      required: true,
    });
    // A map argument is an argument (`environment_variables = {…}`), not a block.
    expect(service?.attrs.environment_variables).toEqual({});
  });

  it('finds nothing wrong in infra/, and reads every file and module directory', async () => {
    const findings = await checkInfra(INFRA_DIR, schema);
    expect(findings.map(formatFinding)).toEqual([]);
    const modules = await loadModules(INFRA_DIR);
    const decls = modules.flatMap((m) => m.decls);
    expect(decls.length).toBeGreaterThan(40);
    const types = new Set(decls.map((d) => d.type));
    for (const t of [
      'google_cloudfunctions2_function',
      'google_logging_metric',
      'google_project',
    ]) {
      expect(types).toContain(t);
    }
  });

  it('reports planted mistakes with file and line: typos, unknown blocks, missing required, nesting', async () => {
    const findings = (await checkInfra(FIXTURE, schema)).map(formatFinding);
    expect(findings).toEqual([
      'infra-schema/main.tf:2: google_cloudfunctions2_function.fn: missing required argument location',
      'infra-schema/main.tf:4: google_cloudfunctions2_function.fn: unknown argument descripton; did you mean description?',
      'infra-schema/main.tf:9: google_cloudfunctions2_function.fn.build_config: unknown block storage_source in build_config (wrong nesting: it belongs in build_config.source)',
      'infra-schema/main.tf:14: google_cloudfunctions2_function.fn: service_config may appear at most once (2 given)',
      'infra-schema/main.tf:21: google_cloudfunctions2_function.fn: unknown block retry_settings',
      'infra-schema/main.tf:28: google_pubsub_topic.t: labels is an argument: write `labels = …`, not a block',
      'infra-schema/main.tf:36: google_storage_bucket.b: versioning is a block: write `versioning { … }`, not `versioning = …`',
      'infra-schema/main.tf:39: google_storage_bucket.b.lifecycle_rule: missing required block condition in lifecycle_rule',
      'infra-schema/main.tf:56: google_logging_metric.m.metric_descriptor.labels.content: unknown argument value_tpye in metric_descriptor.labels.content; did you mean value_type?',
      'infra-schema/main.tf:62: google_cloud_funtion.typo: unknown resource type google_cloud_funtion in hashicorp/google 6.50.0',
      'infra-schema/main.tf:66: data.google_projekt.p: unknown data source google_projekt in hashicorp/google 6.50.0; did you mean google_project?',
      'infra-schema/main.tf:68: module.job: missing required argument region (variable of infra-schema/modules/job without a default)',
      'infra-schema/main.tf:70: module.job: unknown argument regoin: infra-schema/modules/job has no variable "regoin"; did you mean region?',
      'infra-schema/modules/job/main.tf:17: google_cloud_run_v2_job.job.template.template.containers: unknown argument env_vars in template.template.containers',
    ]);
  });

  it('flags an argument the provider describes as deprecated', async () => {
    // 6.50.0's bindings mark no argument of infra/'s resources deprecated; a schema that does is
    // reported at the argument's line.
    const fn = structuredClone(schema.resources.google_pubsub_topic);
    if (!fn) throw new Error('google_pubsub_topic missing from the schema');
    fn.attrs.labels = { deprecated: 'Deprecated: use tags.' };
    const findings = await checkInfra(FIXTURE, {
      ...schema,
      resources: { ...schema.resources, google_pubsub_topic: fn },
    });
    expect(
      findings.filter((f) => f.address === 'google_pubsub_topic.t').map(formatFinding),
    ).toEqual([
      'infra-schema/main.tf:28: google_pubsub_topic.t: labels is an argument: write `labels = …`, not a block',
      'infra-schema/main.tf:28: google_pubsub_topic.t: labels is deprecated: Deprecated: use tags.',
    ]);
  });
});
