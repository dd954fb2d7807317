/**
 * The import graph read from the sources (imports, `import type`, `export … from`, dynamic
 * `import()`), resolved the way `tsc` resolves them (NodeNext: `./x.js` is `./x.ts`), and the
 * layering rules of issue #11 checked on it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** One import, as repository-relative paths with `/` separators. */
export interface ImportEdge {
  from: string;
  to: string;
}

export interface Violation extends ImportEdge {
  rule: string;
}

const RESOLUTION: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  resolveJsonModule: true,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.d.ts'))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/**
 * Every import between the repository's own files under `folders` of `root` (packages are left
 * out). A relative import that does not resolve throws: a graph with holes would pass vacuously.
 */
export function importGraph(root: string, folders: readonly string[]): ImportEdge[] {
  const rel = (path: string): string => relative(root, path).split(sep).join('/');
  const edges: ImportEdge[] = [];
  for (const file of folders.flatMap((f) => sourceFiles(join(root, f)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of importedFiles) {
      const resolved = ts.resolveModuleName(spec, file, RESOLUTION, ts.sys).resolvedModule;
      if (!resolved) {
        if (spec.startsWith('.')) throw new Error(`${rel(file)}: cannot resolve import "${spec}"`);
        continue;
      }
      if (resolved.isExternalLibraryImport) continue;
      edges.push({ from: rel(file), to: rel(resolved.resolvedFileName) });
    }
  }
  return edges;
}

/** The stage folders: each stage's pure nodes and its `step.ts`. */
export const STAGES = ['ingest', 'features', 'model', 'forecast', 'drift', 'record'] as const;

/**
 * What a stage may import from `pipelines/ports/`: each port's interface (`port.ts`), the warehouse
 * tables (`warehouse/schema.ts`) and the shared error classification (`errors.ts`). Adapters are
 * reached only through the catalog (`pipelines/catalog.ts`), which a stage may import.
 */
const PORT_API = /^pipelines\/ports\/(?:[^/]+\/port\.ts|warehouse\/schema\.ts|errors\.ts)$/;

const stageOf = (path: string): string | undefined =>
  STAGES.find((s) => path.startsWith(`pipelines/${s}/`));

/**
 * Imports that point the wrong way: a stage importing an adapter (anything under `pipelines/ports/`
 * but the port API), an adapter importing a stage, or `pipelines/` importing `functions/`.
 * `allowed` lists known exceptions as `from -> to`.
 */
export function layerViolations(
  edges: readonly ImportEdge[],
  allowed: ReadonlySet<string> = new Set(),
): Violation[] {
  const out: Violation[] = [];
  for (const { from, to } of edges) {
    if (allowed.has(`${from} -> ${to}`)) continue;
    if (stageOf(from) && to.startsWith('pipelines/ports/') && !PORT_API.test(to)) {
      out.push({ from, to, rule: 'a stage imports an adapter (only port.ts, schema, errors)' });
    }
    if (from.startsWith('pipelines/ports/') && stageOf(to)) {
      out.push({ from, to, rule: 'a port or adapter imports a stage' });
    }
    if (from.startsWith('pipelines/') && to.startsWith('functions/')) {
      out.push({ from, to, rule: 'pipelines/ imports functions/' });
    }
  }
  return out;
}
