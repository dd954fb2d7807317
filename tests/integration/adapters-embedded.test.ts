import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import { objectStoreContract } from '../contract/object-store.contract.js';
import { warehouseContract } from '../contract/warehouse.contract.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stockops-'));

warehouseContract('duckdb (file)', () => createDuckDbWarehouse({ path: join(tmp(), 'w.duckdb') }));
warehouseContract('duckdb (memory)', () => createDuckDbWarehouse({ path: ':memory:' }));
objectStoreContract('local folder', () => Promise.resolve(createLocalObjectStore({ dir: tmp() })));
