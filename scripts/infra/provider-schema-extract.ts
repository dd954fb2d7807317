/**
 * Turns a CDK for Terraform provider package's jsii assembly (`.jsii`, ~100 MB of JSON) into the
 * small schema the infra check reads (scripts/infra/schema-check.ts): for every resource and data
 * source, its arguments (required or not, deprecated per their description) and its nested blocks
 * (single or repeatable, required or not). The bindings are generated from `terraform providers
 * schema -json`, so this is that schema, minus types and allowed values.
 *
 * Usage: tsx scripts/infra/provider-schema-extract.ts <.jsii> <out.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProviderSchema, SchemaBody } from './schema-types.js';

interface JsiiType {
  fqn?: string;
  primitive?: string;
  collection?: { kind: string; elementtype: JsiiType };
  union?: { types: JsiiType[] };
}
interface JsiiProperty {
  name: string;
  optional?: boolean;
  type: JsiiType;
  docs?: { summary?: string; remarks?: string };
}
interface JsiiDecl {
  kind: string;
  datatype?: boolean;
  docs?: { summary?: string };
  properties?: JsiiProperty[];
  initializer?: { parameters?: { name: string; type: JsiiType }[] };
}
interface Assembly {
  name: string;
  version: string;
  types: Record<string, JsiiDecl>;
}

// "Represents a {@link https://registry.terraform.io/providers/hashicorp/google/6.50.0/docs/resources/x google_x}."
const REPRESENTS =
  /\{@link https:\/\/registry\.terraform\.io\/providers\/([\w-]+\/[\w-]+)\/([\d.]+)\/docs\/(resources|data-sources)\/\w+ ([\w-]+)\}/;
// "Docs at Terraform Registry: {@link …#build_config Cloudfunctions2Function#build_config}"
const ANCHOR = /#(\w+) [\w]+#\w+\}/;
// The provider's own wording when an argument is on its way out (jsii keeps no deprecation flag).
const DEPRECATED = /\b(is|are|has been|was|now) deprecated\b|^deprecated\b|\bdeprecated[.:]/i;

const snake = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The struct a property's type names, and whether the property holds a list of them. */
function structOf(t: JsiiType, types: Assembly['types']): { fqn: string; list: boolean } | null {
  const isStruct = (fqn: string | undefined): fqn is string =>
    fqn !== undefined && types[fqn]?.datatype === true;
  if (isStruct(t.fqn)) return { fqn: t.fqn, list: false };
  const candidates = t.union ? t.union.types : [t];
  for (const c of candidates) {
    const el = c.collection?.kind === 'array' ? c.collection.elementtype : undefined;
    if (isStruct(el?.fqn)) return { fqn: el.fqn, list: true };
  }
  return null;
}

function bodyOf(fqn: string, types: Assembly['types'], seen: string[] = []): SchemaBody {
  const body: SchemaBody = { attrs: {}, blocks: {} };
  if (seen.includes(fqn)) return body; // recursive types (rare): stop, the depth is enough
  for (const p of types[fqn]?.properties ?? []) {
    const remarks = `${p.docs?.summary ?? ''}\n${p.docs?.remarks ?? ''}`;
    const name = ANCHOR.exec(remarks)?.[1] ?? snake(p.name);
    const required = p.optional !== true;
    const struct = structOf(p.type, types);
    // The generator describes every nested block as "<name> block."; a struct-typed property
    // without that summary is an object-typed argument, written `name = { … }`.
    if (struct && /^\w+ block\.$/.test(p.docs?.summary ?? '')) {
      body.blocks[name] = {
        nesting: struct.list ? 'list' : 'single',
        ...(required ? { required: true } : {}),
        body: bodyOf(struct.fqn, types, [...seen, fqn]),
      };
    } else {
      const summary = p.docs?.summary ?? '';
      body.attrs[name] = {
        ...(required ? { required: true } : {}),
        ...(DEPRECATED.test(summary) ? { deprecated: summary.slice(0, 200) } : {}),
      };
    }
  }
  return body;
}

export function extract(assembly: Assembly): ProviderSchema {
  const out: ProviderSchema = {
    package: `${assembly.name}@${assembly.version}`,
    provider: '',
    version: '',
    resources: {},
    dataSources: {},
  };
  for (const decl of Object.values(assembly.types)) {
    if (decl.kind !== 'class') continue;
    const m = REPRESENTS.exec(decl.docs?.summary ?? '');
    const config = decl.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
    if (!m || !config) continue;
    const [, provider = '', version = '', kind, tfType = ''] = m;
    out.provider = provider;
    out.version = version;
    // The provider block itself ("google") is documented under resources too; it is not one.
    if (!tfType.includes('_')) continue;
    (kind === 'resources' ? out.resources : out.dataSources)[tfType] = bodyOf(
      config,
      assembly.types,
    );
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [jsii, dest] = process.argv.slice(2);
  if (!jsii || !dest) throw new Error('usage: provider-schema-extract.ts <.jsii> <out.json>');
  const schema = extract(JSON.parse(readFileSync(jsii, 'utf8')) as Assembly);
  writeFileSync(dest, JSON.stringify(schema));
  const n = (o: object) => Object.keys(o).length;
  console.log(
    `${schema.package}: ${schema.provider} ${schema.version}, ${n(schema.resources)} resources, ${n(schema.dataSources)} data sources`,
  );
}
