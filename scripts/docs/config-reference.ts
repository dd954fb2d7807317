/**
 * docs/configuration.md, generated: every key of the zod config schema (read through zod's own JSON
 * Schema export, so types and bounds are the validator's), its default (from `loadConfig` itself),
 * and the variable, flag and meaning from `pipelines/config-docs.ts`. Pure apart from `loadConfig`:
 * the caller writes the page (`write-config-reference.ts`) or compares it (the test).
 */
import { z } from 'zod';
import { configSchema, loadConfig, type Env } from '../../pipelines/config.js';
import {
  KEY_DOCS,
  OTHER_VARIABLES,
  VARIANT_ENV,
  type KeyDoc,
} from '../../pipelines/config-docs.js';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
}

export interface ConfigKey {
  /** Dotted path, e.g. `model.threads.intraOp`. */
  key: string;
  /** The top-level key it sits under (itself for a top-level value). */
  section: string;
  type: string;
  required: boolean;
  /** For an adapter section: the `kind`s whose variant has this key. */
  variants?: string[];
}

/** Paths are output by the loader with this in place of the data folder and a fixed commit. */
export const BASE_ENV: Env = {
  STOCKOPS_DATA_DIR: '$STOCKOPS_DATA_DIR',
  STOCKOPS_GIT_COMMIT: 'unknown',
};
const SAFE_MAX = Number.MAX_SAFE_INTEGER;

const variantsOf = (n: JsonSchema): JsonSchema[] | undefined => {
  const opts = n.oneOf ?? n.anyOf;
  return opts?.every((o) => o.properties?.kind?.const !== undefined) ? opts : undefined;
};

function bounds(n: JsonSchema): string[] {
  const lo = n.minimum !== undefined && n.minimum > -SAFE_MAX;
  const hi = n.maximum !== undefined && n.maximum < SAFE_MAX;
  if (lo && hi && n.exclusiveMinimum === undefined && n.exclusiveMaximum === undefined) {
    return [`${n.minimum}–${n.maximum}`];
  }
  const b: string[] = [];
  if (n.minimum !== undefined && n.minimum > -SAFE_MAX) b.push(`≥ ${n.minimum}`);
  if (n.exclusiveMinimum !== undefined) b.push(`> ${n.exclusiveMinimum}`);
  if (n.maximum !== undefined && n.maximum < SAFE_MAX) b.push(`≤ ${n.maximum}`);
  if (n.exclusiveMaximum !== undefined) b.push(`< ${n.exclusiveMaximum}`);
  return b;
}

const code = (s: unknown): string => `\`${String(s)}\``;

/** One spec of a discriminated list (an indicator): `macd(fast, slow, signal)`. */
function variantShape(o: JsonSchema): string {
  const fields = Object.keys(o.properties ?? {}).filter((k) => k !== 'kind');
  const kind = String(o.properties?.kind?.const);
  return fields.length ? `${kind}(${fields.join(', ')})` : kind;
}

function typeText(n: JsonSchema): string {
  const variants = variantsOf(n);
  if (variants) return `one of ${variants.map(variantShape).join(', ')}`;
  if (n.enum) return `one of ${n.enum.map(code).join(', ')}`;
  if (n.const !== undefined) return code(n.const);
  if (n.type === 'array' && n.items) {
    const at = n.minItems ? `, at least ${n.minItems}` : '';
    return `list of (${typeText(n.items)})${at}`;
  }
  if (n.type === 'integer' || n.type === 'number') return [n.type, ...bounds(n)].join(', ');
  if (n.type === 'string') {
    if (n.format === 'uri') return 'URL';
    if (n.pattern) return `string matching ${code(n.pattern)}`;
    return n.minLength ? 'non-empty string' : 'string';
  }
  return n.type ?? 'value';
}

function walk(n: JsonSchema, path: string[], required: boolean, out: Map<string, ConfigKey>): void {
  const key = path.join('.');
  const section = path[0] ?? '';
  const variants = path.length > 0 && n.type !== 'array' ? variantsOf(n) : undefined;
  if (variants) {
    for (const v of variants) {
      const kind = String(v.properties?.kind?.const);
      for (const [name, child] of Object.entries(v.properties ?? {})) {
        const k = `${key}.${name}`;
        const seen = out.get(k);
        const type =
          name === 'kind'
            ? `one of ${variants.map((o) => code(o.properties?.kind?.const)).join(', ')}`
            : typeText(child);
        if (seen) seen.variants?.push(kind);
        else
          out.set(k, {
            key: k,
            section,
            type,
            required: v.required?.includes(name) ?? false,
            variants: [kind],
          });
      }
    }
    return;
  }
  if (n.type === 'object' && n.properties) {
    for (const [name, child] of Object.entries(n.properties)) {
      walk(child, [...path, name], n.required?.includes(name) ?? false, out);
    }
    return;
  }
  out.set(key, { key, section, type: typeText(n), required });
}

/** Every key of the config schema, in schema order. */
export function configKeys(): ConfigKey[] {
  const out = new Map<string, ConfigKey>();
  walk(z.toJSONSchema(configSchema) as JsonSchema, [], true, out);
  return [...out.values()];
}

export function valueAt(cfg: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], cfg);
}

/** The env that selects the adapter variant a key belongs to, when the default config has another. */
export function variantEnv(k: ConfigKey): Env {
  if (!k.variants) return {};
  const defaultKind = valueAt(loadConfig({ env: BASE_ENV }), `${k.section}.kind`);
  if (k.variants.includes(String(defaultKind))) return {};
  return VARIANT_ENV[`${k.section}.${k.variants[0]}`] ?? {};
}

/** A default as written on the page: lists item by item, an indicator spec as `macd(12, 26, 9)`. */
function formatValue(v: unknown): string {
  if (!Array.isArray(v)) return code(JSON.stringify(v).replace(/^"(.*)"$/, '$1'));
  return (v as unknown[])
    .map((x) => {
      if (typeof x !== 'object' || x === null) return code(String(x));
      const { kind, ...rest } = x as Record<string, unknown>;
      const args = Object.values(rest).map(String).join(', ');
      return code(args ? `${String(kind)}(${args})` : String(kind));
    })
    .join(', ');
}

function defaultText(k: ConfigKey, doc: KeyDoc | undefined): string {
  if (doc?.defaultText) return doc.defaultText;
  const env = variantEnv(k);
  const v = valueAt(loadConfig({ env: { ...BASE_ENV, ...env } }), k.key);
  if (v === undefined) return 'unset';
  // A key holding the selecting variable's placeholder has no default: that variable sets it.
  if (typeof v === 'string' && Object.values(env).includes(v)) return '— (required)';
  return formatValue(v);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

function row(k: ConfigKey): string {
  const doc = KEY_DOCS[k.key];
  const setBy = [doc?.env?.name, doc?.flag?.name].filter(Boolean).map(code).join(', ') || '—';
  const type = `${k.type}${k.required ? '' : ', optional'}`;
  const when =
    k.variants && k.key !== `${k.section}.kind`
      ? ` (${k.variants.map((v) => `kind ${code(v)}`).join(', ')})`
      : '';
  const meaning = `${doc?.meaning ?? 'UNDOCUMENTED'}${when}`;
  return `| ${code(k.key)} | ${cell(type)} | ${cell(defaultText(k, doc))} | ${setBy} | ${cell(meaning)} |`;
}

/** Schema keys without an entry in KEY_DOCS, and entries that name no schema key. */
export function docProblems(): { undocumented: string[]; stale: string[] } {
  const keys = new Set(configKeys().map((k) => k.key));
  return {
    undocumented: [...keys].filter((k) => !KEY_DOCS[k]),
    stale: Object.keys(KEY_DOCS).filter((k) => !keys.has(k)),
  };
}

const HEADER = `# Configuration reference

<!-- Generated by \`make docs\` (scripts/docs/write-config-reference.ts) from the zod schema in
pipelines/config-schema.ts, the loader's defaults and the words in pipelines/config-docs.ts. Do not
edit by hand: tests/unit/config-reference.test.ts fails when this page differs from what it writes. -->

Resolution order: the defaults below → a JSON file (\`--config\` or \`STOCKOPS_CONFIG\`) → environment
variables → CLI flags. The file has the shape of \`configSchema\` (see \`stockops.demo.json\`); nested
keys are written nested (\`{"model": {"epochs": 8}}\` sets \`model.epochs\`). Every object is strict:
an unknown or misspelled key is refused, naming the key and the nearest valid one (\`unknown key
"model.epoch" in c.json (did you mean "model.epochs"?)\`). \`--tickers ''\` is refused, and so is an
\`MLFLOW_TRACKING_URI\` that is not an \`http(s)://\` URL. The sections \`warehouse\`, \`objectStore\`,
\`tracking\` and \`bus\` name an adapter by \`kind\`; a file or variable that picks another \`kind\`
replaces the section rather than mixing two adapters' keys, and each key says which kinds have it.
\`$STOCKOPS_DATA_DIR\` in a default is the data folder (\`.data\`; \`.data/demo\` for \`stockops demo\`).
`;

const SECTION_TITLE: Record<string, string> = { '': 'Run' };

/** The whole page. Throws naming the keys when the schema and KEY_DOCS disagree. */
export function renderConfigReference(): string {
  const { undocumented, stale } = docProblems();
  if (undocumented.length || stale.length) {
    throw new Error(
      `pipelines/config-docs.ts is out of step with the schema: undocumented ${undocumented.join(', ') || 'none'}; stale ${stale.join(', ') || 'none'}`,
    );
  }
  const keys = configKeys();
  const groups = new Map<string, ConfigKey[]>();
  // Top-level values (watchlist, lookback, …) share one table; each object section has its own.
  for (const k of keys) {
    const g = k.key.includes('.') ? k.section : '';
    groups.set(g, [...(groups.get(g) ?? []), k]);
  }
  const order = ['', ...[...groups.keys()].filter((g) => g !== '')];
  const tables = order.map((g) =>
    [
      `## ${SECTION_TITLE[g] ?? g}`,
      '',
      '| key | type | default | set by | meaning |',
      '|---|---|---|---|---|',
      ...(groups.get(g) ?? []).map(row),
    ].join('\n'),
  );
  const other = [
    '## Other environment variables',
    '',
    'These set no config key.',
    '',
    '| variable | read by | meaning |',
    '|---|---|---|',
    ...OTHER_VARIABLES.map(
      (v) => `| ${v.name.split(', ').map(code).join(', ')} | ${v.readBy} | ${cell(v.meaning)} |`,
    ),
  ].join('\n');
  return `${HEADER}\n${[...tables, other].join('\n\n')}\n`;
}

/** The key rows of a page, by key. */
function rowsByKey(page: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of page.split('\n')) {
    const key = /^\| `([^`]+)` \|/.exec(line)?.[1];
    if (key) m.set(key, line);
  }
  return m;
}

/** What differs between a committed page and the generated one, named by key. */
export function pageDifferences(committed: string, generated: string): string[] {
  const a = rowsByKey(committed);
  const b = rowsByKey(generated);
  const out: string[] = [];
  for (const [k, line] of b) {
    if (!a.has(k)) out.push(`${k}: missing from the page`);
    else if (a.get(k) !== line)
      out.push(`${k}: the page says\n  ${a.get(k)}\nbut the schema gives\n  ${line}`);
  }
  for (const k of a.keys()) if (!b.has(k)) out.push(`${k}: on the page but not in the schema`);
  if (!out.length && committed !== generated) {
    const al = committed.split('\n');
    const bl = generated.split('\n');
    const i = al.findIndex((l, j) => l !== bl[j]);
    out.push(`text outside the key rows differs at line ${i < 0 ? al.length + 1 : i + 1}`);
  }
  return out;
}
