/**
 * The dashboard views: one SELECT per `views/<name>.sql`, the same text for BigQuery and DuckDB.
 * Table references are written `${dataset}.<table>`: BigQuery substitutes the dataset
 * (`` `project.dataset` ``, e.g. Terraform's templatefile), DuckDB the schema the tables live in.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The SQL files sit beside this module in the repository, and two levels up from dist/dashboards. */
export function viewsDir(): string {
  const candidates = [join(here, 'views'), join(here, '..', '..', 'dashboards', 'views')];
  const dir = candidates.find((d) => existsSync(d));
  if (!dir) throw new Error(`dashboard views not found (looked in ${candidates.join(', ')})`);
  return dir;
}

/** Every view's name (its file name without .sql), sorted. */
export function viewNames(): string[] {
  return readdirSync(viewsDir())
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();
}

const PLACEHOLDER = /\$\{dataset\}/g;

/** The view's SELECT with `${dataset}` replaced by `dataset` (a schema name or a quoted path). */
export function viewSql(name: string, dataset: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a view name: ${JSON.stringify(name)}`);
  const file = join(viewsDir(), `${name}.sql`);
  if (!existsSync(file)) throw new Error(`no view "${name}" (${file} is missing)`);
  const text = readFileSync(file, 'utf8');
  if (!text.includes('${dataset}')) throw new Error(`view ${name} reads no \${dataset} table`);
  return text.replace(PLACEHOLDER, dataset);
}
