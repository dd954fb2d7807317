/**
 * docs/configuration.md is what scripts/docs/config-reference.ts generates from the schema, every
 * schema key has words in pipelines/config-docs.ts, and every variable and flag named there really
 * sets its key (checked through loadConfig and the CLI's configFrom, not by reading the words).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configFrom } from '../../pipelines/cli/options.js';
import { KEY_DOCS, OTHER_VARIABLES } from '../../pipelines/config-docs.js';
import { loadConfig } from '../../pipelines/config.js';
import {
  BASE_ENV,
  configKeys,
  docProblems,
  pageDifferences,
  renderConfigReference,
  valueAt,
  variantEnv,
} from '../../scripts/docs/config-reference.js';

const keys = configKeys();
const setters = keys.flatMap((k) => {
  const doc = KEY_DOCS[k.key];
  return doc ? [{ k, doc }] : [];
});

describe('the configuration reference', () => {
  it('covers every schema key, nested and per adapter kind', () => {
    const names = keys.map((k) => k.key);
    // Spot checks that the walk reaches each shape: nested object, adapter variant, list.
    expect(names).toEqual(
      expect.arrayContaining(['model.threads.intraOp', 'warehouse.projectId', 'indicators']),
    );
    expect(keys.find((k) => k.key === 'bus.topicPrefix')?.variants).toEqual(['memory', 'pubsub']);
    expect(docProblems()).toEqual({ undocumented: [], stale: [] });
  });

  it('is the committed docs/configuration.md (else run `make docs`)', () => {
    const committed = readFileSync('docs/configuration.md', 'utf8');
    expect(pageDifferences(committed, renderConfigReference())).toEqual([]);
  });

  it('names the key whose row is out of date', () => {
    const page = renderConfigReference();
    const edited = page.replace('| `30` | `STOCKOPS_LOOKBACK`', '| `31` | `STOCKOPS_LOOKBACK`');
    expect(edited).not.toBe(page);
    const diffs = pageDifferences(edited, page);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatch(/^lookback: the page says/);
    expect(pageDifferences(page.replace(/^\| `model\.units`.*\n/m, ''), page)).toEqual([
      'model.units: missing from the page',
    ]);
  });

  it.each(setters.filter((s) => s.doc.env).map((s) => [s.k.key, s] as const))(
    'the variable listed for %s sets it',
    (_key, { k, doc }) => {
      const env = doc.env;
      if (!env) throw new Error('filtered above');
      const base = { ...BASE_ENV, ...variantEnv(k), ...env.with };
      const before = valueAt(loadConfig({ env: base }), k.key);
      const after = valueAt(loadConfig({ env: { ...base, [env.name]: env.probe } }), k.key);
      expect(after).not.toEqual(before);
    },
  );

  it.each(setters.filter((s) => s.doc.flag).map((s) => [s.k.key, s] as const))(
    'the flag listed for %s sets it',
    (_key, { k, doc }) => {
      const flag = doc.flag;
      if (!flag) throw new Error('filtered above');
      const prop = flag.name
        .replace(/^--/, '')
        .replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
      const env = { ...BASE_ENV, ...flag.with };
      const before = valueAt(configFrom({}, env), k.key);
      const after = valueAt(configFrom({ [prop]: flag.probe }, env), k.key);
      expect(after).not.toEqual(before);
    },
  );

  it('lists every variable pipelines/config.ts reads, and where the others are read', () => {
    const documented = new Set([
      ...setters.flatMap(({ doc }) => (doc.env ? [doc.env.name] : [])),
      ...OTHER_VARIABLES.flatMap((v) => v.name.split(', ')),
    ]);
    const source = readFileSync('pipelines/config.ts', 'utf8');
    const read = [...source.matchAll(/env\.([A-Z][A-Z0-9_]+)|num\(env, '([A-Z0-9_]+)'\)/g)].map(
      (m) => m[1] ?? m[2] ?? '',
    );
    expect(read.length).toBeGreaterThan(20);
    expect([...new Set(read)].filter((n) => !documented.has(n))).toEqual([]);
    for (const v of OTHER_VARIABLES) {
      const file = /`([^`]+)`/.exec(v.readBy)?.[1] ?? '';
      const text = readFileSync(file, 'utf8');
      for (const name of v.name.split(', ')) expect(text, `${name} in ${file}`).toContain(name);
    }
  });
});
