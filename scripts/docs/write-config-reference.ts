/**
 * `make docs`: writes docs/configuration.md from the config schema; `--check` writes nothing and
 * exits 1 naming each key whose row is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pageDifferences, renderConfigReference } from './config-reference.js';

const PAGE = 'docs/configuration.md';
const page = renderConfigReference();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(PAGE, 'utf8');
  } catch {
    // A missing page differs from the generated one in every key; reported below.
  }
  const diffs = pageDifferences(committed, page);
  if (diffs.length) {
    console.error(`${PAGE} is out of date (run \`make docs\`):\n${diffs.join('\n')}`);
    process.exit(1);
  }
  console.log(`${PAGE} is up to date`);
} else {
  writeFileSync(PAGE, page);
  console.log(`wrote ${PAGE}`);
}
