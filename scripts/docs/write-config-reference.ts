/**
 * `make docs`: writes the generated pages, docs/configuration.md (from the config schema) and
 * docs/warehouse-tables.md (from the warehouse schema module); `--check` writes nothing and exits 1
 * naming each key or table that is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pageDifferences, renderConfigReference } from './config-reference.js';
import { renderWarehouseReference, warehouseDifference } from './warehouse-reference.js';

const PAGES = [
  {
    path: 'docs/configuration.md',
    render: renderConfigReference,
    diff: pageDifferences,
  },
  {
    path: 'docs/warehouse-tables.md',
    render: renderWarehouseReference,
    diff: (a: string, b: string) => [warehouseDifference(a, b)].filter((d) => d !== undefined),
  },
];

const check = process.argv.includes('--check');
let stale = false;
for (const page of PAGES) {
  const text = page.render();
  if (!check) {
    writeFileSync(page.path, text);
    console.log(`wrote ${page.path}`);
    continue;
  }
  let committed = '';
  try {
    committed = readFileSync(page.path, 'utf8');
  } catch {
    // A missing page differs from the generated one everywhere; reported below.
  }
  const diffs = page.diff(committed, text);
  if (diffs.length) {
    stale = true;
    console.error(`${page.path} is out of date (run \`make docs\`):\n${diffs.join('\n')}`);
  } else console.log(`${page.path} is up to date`);
}
if (stale) process.exit(1);
