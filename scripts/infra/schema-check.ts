/**
 * Checks every resource, data source and module call under infra/ (the root and infra/modules/*)
 * against a Google provider schema (provider-schema-extract.ts) without Terraform or a network:
 * unknown resource types, unknown arguments and blocks, missing required ones, wrong nesting (a
 * block written as an argument or the reverse, a single block repeated, a name at the wrong
 * level), and arguments the provider describes as deprecated. Module calls are checked against
 * the called module's variables. Not checked: types, allowed values, references, expressions.
 *
 * Usage: tsx scripts/infra/schema-check.ts [infra dir] (exit 1 on findings).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { locate } from './hcl-lines.js';
import type { ProviderSchema, SchemaBody } from './schema-types.js';
import { asList, loadModules, type Body, type Decl, type TfModule } from './tf-files.js';

export interface Finding {
  file: string;
  line: number;
  /** e.g. `google_cloudfunctions2_function.fn.build_config.source`. */
  address: string;
  message: string;
}

const ROOT = resolve(import.meta.dirname, '../..');
export const SCHEMA_DIR = join(ROOT, '.cache/provider-schema');

// Terraform's own arguments (meta-arguments) of each kind of block, valid on every resource.
const META: Record<Decl['kind'], Set<string>> = {
  resource: new Set([
    'count',
    'for_each',
    'depends_on',
    'provider',
    'lifecycle',
    'provisioner',
    'connection',
  ]),
  data: new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle']),
  module: new Set(['source', 'version', 'count', 'for_each', 'depends_on', 'providers']),
};
// Built into Terraform itself, in no provider's schema.
const BUILTIN_RESOURCES = new Set(['terraform_data']);

export function readSchema(path: string): ProviderSchema {
  return JSON.parse(readFileSync(path, 'utf8')) as ProviderSchema;
}

export async function checkInfra(dir: string, schema: ProviderSchema): Promise<Finding[]> {
  return checkModules(await loadModules(dir), schema);
}

export function checkModules(modules: TfModule[], schema: ProviderSchema): Finding[] {
  const findings: Finding[] = [];
  for (const mod of modules) {
    for (const decl of mod.decls) findings.push(...checkDecl(decl, mod, modules, schema));
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function checkDecl(decl: Decl, mod: TfModule, all: TfModule[], schema: ProviderSchema): Finding[] {
  const out: Finding[] = [];
  const addr =
    decl.kind === 'data' ? `data.${decl.type}.${decl.name}` : `${decl.type}.${decl.name}`;
  const at = (path: string[], message: string): void => {
    const { line } = locate(decl.text, decl.line, path, decl.json);
    out.push({ file: decl.file, line, address: [addr, ...path.slice(0, -1)].join('.'), message });
  };
  if (decl.kind === 'module') {
    checkModuleCall(decl, mod, all, (path, message) => at(path, message));
    return out.map((f) => ({
      ...f,
      address: `module.${decl.name}${f.address.slice(addr.length)}`,
    }));
  }
  if (decl.kind === 'resource' && BUILTIN_RESOURCES.has(decl.type)) return out;
  const table = decl.kind === 'resource' ? schema.resources : schema.dataSources;
  const body = table[decl.type];
  const what = decl.kind === 'resource' ? 'resource type' : 'data source';
  if (!body) {
    out.push({
      file: decl.file,
      line: decl.line,
      address: addr,
      message: `unknown ${what} ${decl.type} in ${schema.provider} ${schema.version}${hint(decl.type, Object.keys(table))}`,
    });
    return out;
  }
  checkBody(decl.body, body, body, [], decl, META[decl.kind], at);
  return out;
}

type Report = (path: string[], message: string) => void;

function checkBody(
  given: Body,
  schema: SchemaBody,
  top: SchemaBody,
  path: string[],
  decl: Decl,
  meta: Set<string>,
  report: Report,
): void {
  const where = path.length ? ` in ${path.join('.')}` : '';
  const present = new Set<string>();
  for (const [key, value] of Object.entries(given)) {
    if (meta.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, bodies] of Object.entries(value as Record<string, unknown>)) {
        const block = schema.blocks[name];
        if (!block) {
          report([...path, name], unknownMessage(name, 'block', where, schema, top));
          continue;
        }
        present.add(name);
        for (const dyn of asList(bodies)) {
          for (const content of asList(dyn.content)) {
            checkBody(
              content,
              block.body,
              top,
              [...path, name, 'content'],
              decl,
              new Set(),
              report,
            );
          }
        }
      }
      continue;
    }
    const loc = locate(decl.text, decl.line, [...path, key], decl.json);
    const block = schema.blocks[key];
    if (block) {
      present.add(key);
      if (loc.syntax === 'argument') {
        report(
          [...path, key],
          `${key}${where} is a block: write \`${key} { … }\`, not \`${key} = …\``,
        );
        continue;
      }
      const instances = asList(value);
      if (instances.length === 0 && !decl.json) {
        report([...path, key], `${key}${where} is a block, not an argument`);
        continue;
      }
      if (block.nesting === 'single' && instances.length > 1) {
        report(
          [...path, key],
          `${key}${where} may appear at most once (${instances.length} given)`,
        );
      }
      for (const b of instances)
        checkBody(b, block.body, top, [...path, key], decl, new Set(), report);
      continue;
    }
    const attr = schema.attrs[key];
    if (attr) {
      present.add(key);
      if (loc.syntax === 'block') {
        report([...path, key], `${key}${where} is an argument: write \`${key} = …\`, not a block`);
      }
      if (attr.deprecated)
        report([...path, key], `${key}${where} is deprecated: ${attr.deprecated}`);
      continue;
    }
    const kind = loc.syntax === 'block' ? 'block' : 'argument';
    report([...path, key], unknownMessage(key, kind, where, schema, top));
  }
  for (const [name, a] of Object.entries(schema.attrs)) {
    if (a.required && !present.has(name)) {
      report([...path, name], `missing required argument ${name}${where}`);
    }
  }
  for (const [name, b] of Object.entries(schema.blocks)) {
    if (b.required && !present.has(name)) {
      report([...path, name], `missing required block ${name}${where}`);
    }
  }
}

/** "unknown argument x in a.b", with where the name does exist or the nearest spelling. */
function unknownMessage(
  key: string,
  kind: string,
  where: string,
  schema: SchemaBody,
  top: SchemaBody,
): string {
  const elsewhere = pathsOf(key, top);
  const base = `unknown ${kind} ${key}${where}`;
  if (elsewhere.length) return `${base} (wrong nesting: it belongs in ${elsewhere.join(' or ')})`;
  return base + hint(key, [...Object.keys(schema.attrs), ...Object.keys(schema.blocks)]);
}

function pathsOf(key: string, body: SchemaBody, path: string[] = []): string[] {
  const here = key in body.attrs || key in body.blocks ? [path.join('.') || 'the top level'] : [];
  return [
    ...here,
    ...Object.entries(body.blocks).flatMap(([n, b]) => pathsOf(key, b.body, [...path, n])),
  ];
}

function checkModuleCall(decl: Decl, mod: TfModule, all: TfModule[], report: Report): void {
  const source = decl.body.source;
  if (typeof source !== 'string' || !/^\.\.?\//.test(source)) return; // registry modules: not ours
  const target = all.find((m) => m.dir === join(mod.dir, source));
  if (!target) {
    report(['source'], `module source ${source} is not a directory with .tf files`);
    return;
  }
  for (const key of Object.keys(decl.body)) {
    if (META.module.has(key) || key in target.variables) continue;
    report(
      [key],
      `unknown argument ${key}: ${target.dir} has no variable "${key}"${hint(key, Object.keys(target.variables))}`,
    );
  }
  for (const [name, v] of Object.entries(target.variables)) {
    if (v.required && !(name in decl.body)) {
      report(
        [name],
        `missing required argument ${name} (variable of ${target.dir} without a default)`,
      );
    }
  }
}

/** "; did you mean x?" for the nearest name within two edits. */
function hint(name: string, names: string[]): string {
  let best: [string, number] | undefined;
  for (const n of names) {
    const d = distance(name, n);
    if (d <= 2 && (!best || d < best[1])) best = [n, d];
  }
  return best ? `; did you mean ${best[0]}?` : '';
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: ${f.address}: ${f.message}`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = resolve(process.argv[2] ?? join(ROOT, 'infra'));
  const schemaFile = process.env.STOCKOPS_PROVIDER_SCHEMA ?? join(SCHEMA_DIR, 'google.json');
  const started = Date.now();
  const schema = readSchema(schemaFile);
  const modules = await loadModules(dir);
  const findings = checkModules(modules, schema);
  for (const f of findings) console.log(formatFinding(f));
  const n = modules.reduce((s, m) => s + m.decls.length, 0);
  console.log(
    `infra schema check: ${n} blocks in ${dir} against ${schema.provider} ${schema.version} (${schema.package}): ` +
      `${findings.length} finding(s), ${Date.now() - started} ms`,
  );
  process.exitCode = findings.length ? 1 : 0;
}
