/**
 * Writes infra/tables.gen.tf.json from the schema module (see tables.ts for the partitioning rule).
 * Run after changing pipelines/ports/warehouse/schema.ts: `npx tsx scripts/infra/gen-tables.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { format } from 'prettier';
import { TABLES_FILE, tablesTerraformJson } from './tables.js';

export async function renderTablesFile(): Promise<string> {
  return format(JSON.stringify(tablesTerraformJson()), { parser: 'json' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(TABLES_FILE, await renderTablesFile());
  console.log(`wrote ${TABLES_FILE}`);
}
