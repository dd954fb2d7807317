/**
 * Every Terraform configuration under a root (the root and each module directory such as
 * infra/modules/<name>), read the way Terraform reads it: *.tf through @cdktn/hcl2json (HashiCorp's
 * HCL parser compiled to wasm, offline) and *.tf.json as JSON. Each resource, data source and
 * module call comes with its file and line, so a finding can point at the source.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from '@cdktn/hcl2json';

export type Body = Record<string, unknown>;

export interface Decl {
  kind: 'resource' | 'data' | 'module';
  /** Resource or data source type; for a module call, its name. */
  type: string;
  name: string;
  body: Body;
  /** Path from the scanned root's parent, e.g. `infra/functions.tf`. */
  file: string;
  /** 1-based line of the block's header. */
  line: number;
  /** The file's text, for locating arguments inside the block. */
  text: string;
  json: boolean;
}

export interface TfModule {
  dir: string;
  decls: Decl[];
  /** Input variables: name -> whether a caller must set it (no default). */
  variables: Record<string, { required: boolean }>;
}

type Parsed = Record<string, Record<string, unknown> | Record<string, unknown>[] | undefined>;

const KINDS = { resource: 'resource', data: 'data' } as const;

/** Each directory under `root` (itself included) holding *.tf or *.tf.json files. */
export async function loadModules(root: string, base = join(root, '..')): Promise<TfModule[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && (e.name.endsWith('.tf') || e.name.endsWith('.tf.json')))
    .map((e) => e.name)
    .sort();
  const out: TfModule[] = [];
  if (files.length > 0) out.push(await loadModule(root, files, base));
  for (const e of entries.filter((d) => d.isDirectory() && !d.name.startsWith('.')).sort()) {
    out.push(...(await loadModules(join(root, e.name), base)));
  }
  return out;
}

async function loadModule(dir: string, files: string[], base: string): Promise<TfModule> {
  const mod: TfModule = { dir: relative(base, dir), decls: [], variables: {} };
  for (const name of files) {
    const path = join(dir, name);
    const file = relative(base, path);
    const text = await readFile(path, 'utf8');
    const json = name.endsWith('.json');
    const parsed = json ? (JSON.parse(text) as Parsed) : ((await parse(name, text)) as Parsed);
    for (const kind of ['resource', 'data'] as const) {
      const byType = (parsed[KINDS[kind]] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [type, byName] of Object.entries(byType)) {
        for (const [n, bodies] of Object.entries(byName)) {
          for (const body of asList(bodies)) {
            const header = headerLine(text, json, [kind, type, n]);
            mod.decls.push({ kind, type, name: n, body, file, line: header, text, json });
          }
        }
      }
    }
    for (const [n, bodies] of Object.entries((parsed.module ?? {}) as Record<string, unknown>)) {
      for (const body of asList(bodies)) {
        const header = headerLine(text, json, ['module', n]);
        mod.decls.push({ kind: 'module', type: n, name: n, body, file, line: header, text, json });
      }
    }
    for (const [n, bodies] of Object.entries((parsed.variable ?? {}) as Record<string, unknown>)) {
      const [body] = asList(bodies);
      mod.variables[n] = { required: !(body && 'default' in body) };
    }
  }
  return mod;
}

/** hcl2json gives a list of bodies per label; Terraform's JSON syntax allows a bare object. */
export function asList(v: unknown): Body[] {
  if (Array.isArray(v)) return v.filter((b): b is Body => typeof b === 'object' && b !== null);
  return typeof v === 'object' && v !== null ? [v as Body] : [];
}

function headerLine(text: string, json: boolean, labels: string[]): number {
  const lines = text.split('\n');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!json) {
    const [kw, ...rest] = labels;
    const re = new RegExp(`^\\s*${kw}\\s+${rest.map((l) => `"${esc(l)}"`).join('\\s+')}\\s*\\{`);
    const i = lines.findIndex((l) => re.test(l));
    return i + 1 || 1;
  }
  // JSON syntax: the line of the innermost label's key, searched in order.
  let from = 0;
  for (const l of labels) {
    const re = new RegExp(`"${esc(l)}"\\s*:`);
    const i = lines.findIndex((line, k) => k >= from && re.test(line));
    if (i < 0) return from + 1;
    from = i;
  }
  return from + 1;
}
