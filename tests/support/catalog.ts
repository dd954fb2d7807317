import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCatalog, type Catalog, type CatalogOverrides } from '../../pipelines/catalog.js';
import { loadConfig, type ConfigOverrides } from '../../pipelines/config.js';
import { nullLogger } from '../../pipelines/log.js';

/** A catalog on embedded defaults in a fresh temp folder. */
export async function tempCatalog(
  overrides: ConfigOverrides = {},
  over: CatalogOverrides = {},
): Promise<{ cat: Catalog; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'stockops-it-'));
  const config = loadConfig({ env: { STOCKOPS_DATA_DIR: dir }, overrides });
  const cat = await openCatalog(config, { log: nullLogger, ...over });
  return { cat, dir };
}
