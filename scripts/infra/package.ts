/**
 * Builds the Cloud Functions source the deploy uploads: compiled JS (tsconfig.build.json), a
 * package.json for production and its lockfile, zipped.
 *
 * Production runs native TensorFlow. The repository's package.json denies @tensorflow/tfjs-node's
 * install script (`allowScripts`), because that script downloads libtensorflow, which development
 * machines here cannot do (scripts/native-tf/ builds the addon instead). Cloud Build can download
 * it, so the deploy manifest allows the script and makes tfjs-node a normal dependency: a failed
 * download then fails the build instead of silently leaving the functions on wasm.
 *
 *   npx tsx scripts/infra/package.ts <out dir> <git commit>   prints the zip's path
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';

const run = promisify(execFile);
export const TFJS_NODE = '@tensorflow/tfjs-node';

export interface PackageJson {
  name: string;
  version: string;
  type?: string;
  main?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
  [key: string]: unknown;
}

/** The repository's manifest, rewritten for the functions: runtime dependencies only, tfjs-node's script allowed. */
export function deployManifest(pkg: PackageJson, gitCommit: string): PackageJson {
  const tfjsNode = pkg.optionalDependencies?.[TFJS_NODE] ?? pkg.dependencies?.[TFJS_NODE];
  if (!tfjsNode) throw new Error(`package.json has no ${TFJS_NODE} dependency to install natively`);
  if (!pkg.main) throw new Error('package.json has no "main": the functions framework needs it');
  const optional = { ...pkg.optionalDependencies };
  delete optional[TFJS_NODE];
  const out: PackageJson = {
    name: `${pkg.name}-functions`,
    version: pkg.version,
    private: true,
    description: `StockOps Cloud Functions, built from commit ${gitCommit}`,
    type: pkg.type,
    main: pkg.main,
    engines: pkg.engines,
    dependencies: { ...pkg.dependencies, [TFJS_NODE]: tfjsNode },
    // No scripts: the source is compiled already, so Cloud Build must not run a build script.
    allowScripts: { ...pkg.allowScripts, [TFJS_NODE]: true },
  };
  if (Object.keys(optional).length) out.optionalDependencies = optional;
  return out;
}

export interface BuildOptions {
  root: string;
  outDir: string;
  gitCommit: string;
  /** Regenerate package-lock.json for the new manifest (needs the npm registry). Default true. */
  lock?: boolean;
}

export interface BuiltPackage {
  dir: string;
  zip: string;
  manifest: PackageJson;
}

export async function buildPackage(o: BuildOptions): Promise<BuiltPackage> {
  if (!/^[0-9a-f]{7,40}(-dirty)?$/.test(o.gitCommit)) {
    throw new Error(`git commit "${o.gitCommit}" is not a commit hash`);
  }
  const root = resolve(o.root);
  const dir = join(resolve(o.outDir), 'package');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await run(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')],
    {
      cwd: root,
    },
  );
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as PackageJson;
  const manifest = deployManifest(pkg, o.gitCommit);
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (o.lock ?? true) {
    // Start from the repository's lock so every version stays pinned; npm only re-homes tfjs-node.
    await copyFile(join(root, 'package-lock.json'), join(dir, 'package-lock.json'));
    await run(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
      { cwd: dir },
    );
  }
  const zip = new AdmZip();
  zip.addLocalFolder(dir, '', (name) => !name.endsWith('.map'));
  const zipPath = join(resolve(o.outDir), `function-source-${o.gitCommit}.zip`);
  await zip.writeZipPromise(zipPath);
  return { dir, zip: zipPath, manifest };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [outDir, gitCommit] = process.argv.slice(2);
  if (!outDir || !gitCommit) {
    console.error('usage: package.ts <out dir> <git commit>');
    process.exit(1);
  }
  const built = await buildPackage({ root: process.cwd(), outDir, gitCommit });
  console.log(built.zip);
}
