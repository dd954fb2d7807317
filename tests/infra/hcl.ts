/**
 * Reads infra/ the way Terraform does, without Terraform: every *.tf parsed to JSON with
 * @cdktn/hcl2json (HashiCorp's HCL parser compiled to wasm, so it runs offline), merged with the
 * generated *.tf.json. Expressions stay as their `${…}` source text, which the tests inspect.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from '@cdktn/hcl2json';

export const INFRA_DIR = join(import.meta.dirname, '../../infra');

export type Block = Record<string, unknown>;

export interface Infra {
  /** resource type -> name -> body (each resource block appears once). */
  resources: Record<string, Record<string, Block>>;
  locals: Record<string, unknown>;
  variables: Record<string, Block>;
  outputs: Record<string, Block>;
  /** module name -> its block (`source`, `count`, inputs). */
  modules: Record<string, Block>;
  /** file name -> source text. */
  sources: Record<string, string>;
}

type Parsed = {
  resource?: Record<string, Record<string, Block[]>>;
  locals?: Record<string, unknown>[];
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
  module?: Record<string, Block[]>;
};

export async function loadInfra(dir = INFRA_DIR): Promise<Infra> {
  const infra: Infra = {
    resources: {},
    locals: {},
    variables: {},
    outputs: {},
    modules: {},
    sources: {},
  };
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.tf') || f.endsWith('.tf.json'))
    .sort();
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    infra.sources[file] = text;
    const parsed = file.endsWith('.json')
      ? jsonToParsed(JSON.parse(text) as Record<string, unknown>)
      : ((await parse(file, text)) as Parsed);
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) {
      for (const [name, blocks] of Object.entries(byName)) {
        const seen = (infra.resources[type] ??= {});
        if (seen[name]) throw new Error(`${type}.${name} declared twice (${file})`);
        seen[name] = single(blocks, `${type}.${name}`);
      }
    }
    for (const l of parsed.locals ?? []) {
      for (const [k, v] of Object.entries(l)) {
        if (k in infra.locals) throw new Error(`local.${k} declared twice (${file})`);
        infra.locals[k] = v;
      }
    }
    for (const [k, b] of Object.entries(parsed.variable ?? {}))
      infra.variables[k] = single(b, `var.${k}`);
    for (const [k, b] of Object.entries(parsed.output ?? {}))
      infra.outputs[k] = single(b, `output.${k}`);
    for (const [k, b] of Object.entries(parsed.module ?? {}))
      infra.modules[k] = single(b, `module.${k}`);
  }
  return infra;
}

/** Terraform's JSON syntax has bare objects where hcl2json gives lists of blocks. */
function jsonToParsed(json: Record<string, unknown>): Parsed {
  const locals = json.locals as Record<string, unknown> | undefined;
  if (json.resource || json.variable || json.output) {
    throw new Error('only locals are expected in generated .tf.json files');
  }
  return { locals: locals ? [locals] : [] };
}

function single(blocks: Block[], what: string): Block {
  if (blocks.length !== 1 || !blocks[0]) throw new Error(`${what}: expected one block`);
  return blocks[0];
}

/** The first (only) nested block `name` of a body, as hcl2json lists nested blocks. */
export function block(body: Block, name: string): Block {
  const list = body[name];
  if (!Array.isArray(list) || list.length === 0) throw new Error(`no ${name} block`);
  return list[0] as Block;
}

export function resourcesOf(infra: Infra, type: string): [string, Block][] {
  return Object.entries(infra.resources[type] ?? {});
}

/** Every resource, as [type, name, body]. */
export function allResources(infra: Infra): [string, string, Block][] {
  return Object.entries(infra.resources).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]): [string, string, Block] => [type, name, body]),
  );
}
