import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPackage,
  deployManifest,
  TFJS_NODE,
  type PackageJson,
  type BuiltPackage,
} from '../../scripts/infra/package.js';
import { INFRA_DIR } from './hcl.js';

const root = join(INFRA_DIR, '..');
const run = promisify(execFile);

describe('the deploy package', () => {
  let out: string;
  let built: BuiltPackage;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'stockops-package-'));
    // The real build: tsc, the production manifest, its lockfile (npm registry), the zip.
    built = await buildPackage({ root, outDir: out, gitCommit: 'abc1234def56' });
  }, 600_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('uploads a manifest that installs tfjs-node with its install script allowed, so production runs native TensorFlow', () => {
    const zip = new AdmZip(built.zip);
    const manifest = JSON.parse(zip.readAsText('package.json')) as PackageJson;
    expect(manifest.allowScripts?.[TFJS_NODE]).toBe(true);
    expect(manifest.dependencies?.[TFJS_NODE]).toMatch(/\d/);
    expect(manifest.optionalDependencies?.[TFJS_NODE]).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.description).toContain('abc1234def56');
    expect(built.manifest).toEqual(manifest);
    // The repository itself still denies the script (this machine cannot download libtensorflow).
    const repo = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
    expect(repo.allowScripts?.[TFJS_NODE]).toBe(false);
  });

  it('ships the compiled entry point and a lockfile in step with the manifest', () => {
    const zip = new AdmZip(built.zip);
    const manifest = JSON.parse(zip.readAsText('package.json')) as PackageJson;
    expect(zip.getEntry(String(manifest.main))).not.toBeNull();
    expect(zip.readAsText(String(manifest.main))).toMatch(/stockopsSchedule/);
    const lock = JSON.parse(zip.readAsText('package-lock.json')) as {
      packages: Record<
        string,
        { dependencies?: Record<string, string>; optional?: boolean; hasInstallScript?: boolean }
      >;
    };
    expect(lock.packages['']?.dependencies?.[TFJS_NODE]).toBe(manifest.dependencies?.[TFJS_NODE]);
    const tfjsNode = lock.packages[`node_modules/${TFJS_NODE}`];
    expect(tfjsNode?.optional).toBeUndefined();
    expect(tfjsNode?.hasInstallScript).toBe(true);
  });

  it('refuses a manifest without tfjs-node, or a commit that is not a hash', async () => {
    expect(() =>
      deployManifest({ name: 'x', version: '1.0.0', main: 'i.js', dependencies: {} }, 'abc1234'),
    ).toThrow(/no @tensorflow\/tfjs-node dependency/);
    await expect(buildPackage({ root, outDir: out, gitCommit: 'main' })).rejects.toThrow(
      /not a commit hash/,
    );
  });
});

describe('make plan / make deploy without a project or credentials', () => {
  const deploy = join(root, 'scripts/infra/deploy.sh');
  const attempt = async (env: Record<string, string>) => {
    try {
      await run('bash', [deploy, 'plan'], { env: { PATH: process.env.PATH ?? '', ...env } });
      return { code: 0, stderr: '' };
    } catch (e) {
      const err = e as { code: number; stderr: string };
      return { code: err.code, stderr: err.stderr };
    }
  };

  it('stops with a clear message and a non-zero exit when no project is configured', async () => {
    const r = await attempt({});
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no Google Cloud project configured: set STOCKOPS_PROJECT/);
  });

  it('stops before touching anything when there are no credentials', async () => {
    const config = await mkdtemp(join(tmpdir(), 'stockops-gcloud-'));
    try {
      // An empty gcloud config directory: no account, no application-default credentials.
      const r = await attempt({
        STOCKOPS_PROJECT: 'stockops-test',
        STOCKOPS_STATE_BUCKET: 'stockops-test-tfstate',
        CLOUDSDK_CONFIG: config,
        HOME: config,
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /no Google Cloud credentials: run 'gcloud auth application-default login'/,
      );
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });
});
