import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalObjectStore } from '../../pipelines/ports/object-store/local.js';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import { createStagedWarehouse } from '../../pipelines/ports/warehouse/staged.js';
import { objectStoreContract } from '../contract/object-store.contract.js';
import { warehouseContract } from '../contract/warehouse.contract.js';
import { committingEachWrite } from '../support/staged.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stockops-'));

warehouseContract('duckdb (file)', () => createDuckDbWarehouse({ path: join(tmp(), 'w.duckdb') }));
warehouseContract('duckdb (memory)', () => createDuckDbWarehouse({ path: ':memory:' }));
const staged = async () =>
  createStagedWarehouse({
    committed: await createDuckDbWarehouse({ path: ':memory:' }),
    store: createLocalObjectStore({ dir: tmp() }),
  });
// Reads see the staged batches over the committed tables; then the same with every write committed.
warehouseContract('staged on duckdb (overlay)', staged);
warehouseContract('staged on duckdb (committed)', async () => committingEachWrite(await staged()));
objectStoreContract('local folder', () => Promise.resolve(createLocalObjectStore({ dir: tmp() })));
