/**
 * The catalog: the one place that turns config into port adapters (Kedro's catalog, unstorage's
 * factory). Stages never import an adapter; cloud SDKs load lazily, only when config names them.
 */
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createBundledSource } from './ports/market-data/bundled.js';
import { createCompositeSource } from './ports/market-data/composite.js';
import { createCsvFolderSource } from './ports/market-data/csv-folder.js';
import type { MarketDataSource } from './ports/market-data/port.js';
import { createYahooSource } from './ports/market-data/yahoo.js';
import { createLocalObjectStore } from './ports/object-store/local.js';
import type { ObjectStore } from './ports/object-store/port.js';
import { createMemoryBus } from './ports/bus/memory.js';
import type { Bus } from './ports/bus/port.js';
import { createLocalTracker } from './ports/tracking/local.js';
import type { Tracker } from './ports/tracking/port.js';
import { createDuckDbWarehouse } from './ports/warehouse/duckdb.js';
import type { Warehouse } from './ports/warehouse/port.js';
import { createStagedWarehouse } from './ports/warehouse/staged.js';

export interface Catalog {
  config: Config;
  market: MarketDataSource;
  warehouse: Warehouse;
  store: ObjectStore;
  tracker: Tracker;
  bus: Bus;
  log: Logger;
  close(): Promise<void>;
}

export interface CatalogOverrides {
  log?: Logger;
  market?: MarketDataSource;
  tracker?: Tracker;
}

export function marketSourceFor(cfg: Config, log: Logger): MarketDataSource {
  const s = cfg.source;
  switch (s.kind) {
    case 'bundled':
      return createBundledSource();
    case 'csv':
      return createCompositeSource([
        createCsvFolderSource({ dir: s.csvDir ?? '.' }),
        createBundledSource(),
      ]);
    case 'yahoo':
      return createYahooSource({
        timeoutMs: s.timeoutMs,
        retries: s.retries,
        log: (m, f) => log.warn(m, f),
      });
  }
}

/** The warehouse's committed tables, as readers after the day's commit see them (`stockops status`). */
export async function committedWarehouseFor(cfg: Config): Promise<Warehouse> {
  const w = cfg.warehouse;
  if (w.kind === 'duckdb') return createDuckDbWarehouse({ path: w.path, shared: w.shared });
  const { createBigQueryWarehouse } = await import('./ports/warehouse/bigquery.js');
  return createBigQueryWarehouse(w);
}

/** The warehouse, or (writes `staged`) the same one behind per-ticker batches in the store. */
async function warehouseFor(cfg: Config, store: ObjectStore): Promise<Warehouse> {
  const committed = await committedWarehouseFor(cfg);
  if (cfg.warehouseWrites === 'direct') return committed;
  return createStagedWarehouse({ committed, store, prefix: cfg.stagingPrefix });
}

export async function storeFor(cfg: Config): Promise<ObjectStore> {
  const o = cfg.objectStore;
  if (o.kind === 'local') return createLocalObjectStore({ dir: o.dir });
  const { createGcsObjectStore } = await import('./ports/object-store/gcs.js');
  return createGcsObjectStore(o);
}

/** Where the MLflow outbox lives: in the bucket on Cloud Storage (instance disks are lost), else `outboxDir`. */
export function outboxStoreFor(cfg: Config, store: ObjectStore): ObjectStore | undefined {
  return cfg.objectStore.kind === 'local' ? undefined : store;
}

async function trackerFor(cfg: Config, log: Logger, store: ObjectStore): Promise<Tracker> {
  const t = cfg.tracking;
  if (t.kind === 'local') return createLocalTracker({ dir: t.dir });
  const { createMlflowTracker } = await import('./ports/tracking/mlflow.js');
  return createMlflowTracker({ ...t, outboxStore: outboxStoreFor(cfg, store), log });
}

async function busFor(cfg: Config): Promise<Bus> {
  const b = cfg.bus;
  if (b.kind === 'memory') return createMemoryBus();
  const { createPubSubBus } = await import('./ports/bus/pubsub.js');
  return createPubSubBus(b);
}

export async function openCatalog(config: Config, over: CatalogOverrides = {}): Promise<Catalog> {
  const log = over.log ?? createLogger();
  const store = await storeFor(config);
  const warehouse = await warehouseFor(config, store);
  await warehouse.init();
  const tracker = over.tracker ?? (await trackerFor(config, log, store));
  const bus = await busFor(config);
  return {
    config,
    market: over.market ?? marketSourceFor(config, log),
    warehouse,
    store,
    tracker,
    bus,
    log,
    async close() {
      await bus.close();
      await tracker.close?.();
      await warehouse.close();
    },
  };
}
