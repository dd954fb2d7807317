/** docs/warehouse-tables.md is what scripts/docs/warehouse-reference.ts generates from the schema module. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tables } from '../../pipelines/ports/warehouse/schema.js';
import {
  renderWarehouseReference,
  warehouseDifference,
} from '../../scripts/docs/warehouse-reference.js';

describe('the warehouse tables page', () => {
  it('is the committed docs/warehouse-tables.md (else run `make docs`)', () => {
    const committed = readFileSync('docs/warehouse-tables.md', 'utf8');
    expect(warehouseDifference(committed, renderWarehouseReference())).toBeUndefined();
  });

  it('has every table with its key, and names the table whose rows are out of date', () => {
    const page = renderWarehouseReference();
    for (const name of Object.keys(tables)) expect(page).toContain(`## \`${name}\``);
    expect(page).toContain('Natural key: `run_id`, `ticker`, `stage`, `attempt`.');
    const edited = page.replace('| `adj_close` | FLOAT64 | yes |', '| `adj_close` | FLOAT64 |  |');
    expect(edited).not.toBe(page);
    expect(warehouseDifference(edited, page)).toMatch(/^table `daily_bars`, line \d+: /);
  });
});
