/**
 * The warehouse on BigQuery (`@google-cloud/bigquery`), loaded by the catalog only when config names it.
 *
 * Writes never stream (streaming inserts de-duplicate only best-effort): each table's rows go to a
 * fresh staging table by one load job (newline-delimited JSON), then one MERGE per table on the
 * natural key upserts them. A batch of several tables runs its MERGEs in one multi-statement
 * transaction, so either every table changes or none does. Staging tables are dropped afterwards and
 * expire on their own after a day if the drop never happens.
 */
import { randomUUID } from 'node:crypto';
import {
  BigQuery,
  type Dataset,
  type Query as BqQuery,
  type TableMetadata,
} from '@google-cloud/bigquery';
import pThrottle from 'p-throttle';
import {
  checkLocation,
  deleteStatement,
  fieldsOf,
  fromBigQuery,
  isConcurrentUpdateError,
  isTransientBigQueryError,
  lastPerKey,
  mergeScript,
  mergeStatement,
  partitionRange,
  selectStatement,
  tableMetadata,
  tablePath,
  toNdjson,
  type Param,
  type Statement,
} from './bigquery-sql.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { WarehouseError, type Query, type Warehouse, type WriteBatch } from './port.js';
import { tables, type NewRow, type RowOf, type TableName } from './schema.js';
import { validateRow } from './validate.js';

/**
 * `tables.insert` is limited to 10 requests per second per user
 * (https://cloud.google.com/bigquery/quotas, API quotas). A commit stages every table at once (up
 * to 9 inserts), so one adapter (one per function instance) keeps under half the limit: retries
 * and other callers of the service account keep room, and the staged design has one committer.
 */
export const TABLES_INSERT_PER_SECOND = 4;

export interface BigQueryWarehouseOptions {
  projectId: string;
  dataset: string;
  /** The emulator's URL in tests; production leaves it unset. */
  apiEndpoint?: string;
  /**
   * The client's own retries of a failed request (default 3, about 16 s of backoff when the service
   * is unreachable) before the call fails with a retryable WarehouseError. 0 fails at once.
   */
  retries?: number;
  /** Dataset location when init creates it (BigQuery's default: US). */
  location?: string;
  /**
   * Called between the phases of a write: after every staging load, before the MERGEs. Tests use it
   * to cut the service at a known point; production leaves it unset.
   */
  onPhase?: (phase: 'staged', detail: { staging: Record<string, string> }) => Promise<void>;
}

/** What the adapter sent, per call type and table: DML statements and load jobs are BigQuery quotas. */
export interface BigQueryStats {
  loadJobs: number;
  /** MERGE and DELETE statements. */
  dmlStatements: number;
  /** Query jobs of any kind (a multi-statement transaction is one job). */
  queryJobs: number;
  byTable: Partial<Record<TableName, { loadJobs: number; dmlStatements: number }>>;
}

export interface BigQueryWarehouse extends Warehouse {
  readonly kind: 'bigquery';
  /** Counters since creation (or the last reset). */
  stats(): BigQueryStats;
  resetStats(): void;
}

const STAGING_PREFIX = '_staging_';
const STAGING_TTL_MS = 24 * 60 * 60 * 1000;
const CONFLICT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8_000 };

type MakeRequest = BigQuery['makeAuthenticatedRequest'];

/**
 * With a custom apiEndpoint the client skips authentication, so a load job's upload reaches
 * teeny-request with no headers object and dies on `headers['Content-Type'] = ...` (client 9.3).
 * Giving every request a headers object is what authentication would have done.
 */
function ensureHeaders(bq: BigQuery): void {
  const original: MakeRequest = bq.makeAuthenticatedRequest.bind(bq);
  const patched = ((reqOpts: Parameters<MakeRequest>[0], cfg: Parameters<MakeRequest>[1]) =>
    original({ ...reqOpts, headers: { ...(reqOpts.headers ?? {}) } }, cfg)) as MakeRequest;
  bq.makeAuthenticatedRequest = patched;
}

function emptyStats(): BigQueryStats {
  return { loadJobs: 0, dmlStatements: 0, queryJobs: 0, byTable: {} };
}

export function createBigQueryWarehouse(opts: BigQueryWarehouseOptions): BigQueryWarehouse {
  const { projectId, dataset: datasetId } = opts;
  checkLocation(projectId, datasetId);
  const bq = new BigQuery({
    projectId,
    apiEndpoint: opts.apiEndpoint,
    ...(opts.retries === undefined
      ? {}
      : { retryOptions: { autoRetry: opts.retries > 0, maxRetries: opts.retries } }),
  });
  ensureHeaders(bq);
  const dataset: Dataset = bq.dataset(datasetId);
  const createTable = pThrottle({ limit: TABLES_INSERT_PER_SECOND, interval: 1_000, strict: true })(
    (id: string, options: TableMetadata) => dataset.createTable(id, options),
  );
  const path = (table: string): string => tablePath(projectId, datasetId, table);
  let stats = emptyStats();
  const count = (table: TableName, what: 'loadJobs' | 'dmlStatements'): void => {
    stats[what]++;
    const t = (stats.byTable[table] ??= { loadJobs: 0, dmlStatements: 0 });
    t[what]++;
  };

  // DATE and TIMESTAMP parameters must be the client's wrapper types: a plain string is sent as null.
  function toQuery(st: Statement): BqQuery {
    const params: Record<string, unknown> = {};
    const types: Record<string, string> = {};
    for (const [name, p] of Object.entries<Param>(st.params)) {
      types[name] = p.type;
      params[name] =
        p.type === 'DATE'
          ? BigQuery.date(String(p.value))
          : p.type === 'TIMESTAMP'
            ? BigQuery.timestamp(String(p.value))
            : p.value;
    }
    return { query: st.sql, params, types };
  }

  // jobs.insert then getQueryResults: it waits for the job and surfaces a failed statement as an error.
  async function runQuery(st: Statement): Promise<Record<string, unknown>[]> {
    stats.queryJobs++;
    const [job] = await bq.createQueryJob(toQuery(st));
    const [rows] = await job.getQueryResults();
    return rows as Record<string, unknown>[];
  }

  async function guarded<R>(operation: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof WarehouseError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      throw new WarehouseError(
        `BigQuery ${operation} failed: ${message}`,
        operation,
        isTransientBigQueryError(e),
        { cause: e },
      );
    }
  }

  async function stage<T extends TableName>(name: T, rows: NewRow<T>[]): Promise<string> {
    const id = `${STAGING_PREFIX}${name}_${randomUUID().replaceAll('-', '')}`;
    const [table] = await createTable(id, {
      schema: { fields: fieldsOf(name) },
      expirationTime: String(Date.now() + STAGING_TTL_MS),
    });
    count(name, 'loadJobs');
    await new Promise<void>((resolve, reject) => {
      const sink = table.createWriteStream({
        sourceFormat: 'NEWLINE_DELIMITED_JSON',
        writeDisposition: 'WRITE_TRUNCATE',
        createDisposition: 'CREATE_NEVER',
      });
      sink.once('error', reject);
      sink.once('complete', (job: { metadata?: { status?: { errorResult?: unknown } } }) => {
        const failed = job.metadata?.status?.errorResult;
        if (failed) reject(new Error(`load job into ${id} failed: ${JSON.stringify(failed)}`));
        else resolve();
      });
      sink.end(toNdjson(name, rows));
    });
    return id;
  }

  async function dropStaging(ids: string[]): Promise<void> {
    // Best effort: a staging table left behind (service gone mid-write) expires by itself.
    await Promise.allSettled(ids.map((id) => dataset.table(id).delete()));
  }

  async function writeBatch(batch: WriteBatch): Promise<Partial<Record<TableName, number>>> {
    const entries = (Object.entries(batch) as [TableName, RowOf<TableName>[]][]).filter(
      ([, rows]) => rows !== undefined,
    );
    for (const [name, rows] of entries) {
      if (!(name in tables)) throw new Error(`unknown warehouse table "${name}"`);
      for (const r of rows) validateRow(name, r);
    }
    const written: Partial<Record<TableName, number>> = {};
    const work = entries
      .map(([name, rows]) => [name, lastPerKey(name, rows)] as const)
      .filter(([name, rows]) => {
        written[name] = rows.length;
        return rows.length > 0;
      });
    if (work.length === 0) return written;
    const operation = `upsert ${work.map(([n]) => n).join(',')}`;
    const staging: Record<string, string> = {};
    await guarded(operation, async () => {
      try {
        // Every load first: a failed load leaves the tables untouched.
        await Promise.all(
          work.map(async ([name, rows]) => {
            staging[name] = await stage(name, rows);
          }),
        );
        await opts.onPhase?.('staged', { staging: { ...staging } });
        const single = work.length === 1;
        const merges = work.map(([name, rows], i) =>
          mergeStatement(
            name,
            path(name),
            path(staging[name] as string),
            `t${i}`,
            single ? partitionRange(name, rows) : undefined,
          ),
        );
        for (const [name] of work) count(name, 'dmlStatements');
        const script = mergeScript(merges);
        // Concurrent tickers' transactions on one table can abort each other; the script is
        // idempotent, so it runs again here before the whole call fails as retryable.
        await withRetry(() => runQuery(script), isConcurrentUpdateError, CONFLICT_RETRY);
      } finally {
        await dropStaging(Object.values(staging));
      }
    });
    return written;
  }

  return {
    kind: 'bigquery',
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    init: () =>
      guarded('init', async () => {
        const [exists] = await dataset.exists();
        if (!exists) {
          await dataset
            .create(opts.location ? { location: opts.location } : {})
            .catch(ignoreAlreadyExists);
        }
        // One tables.list, then tables.insert only for missing ones: every function instance runs
        // init at its cold start, and tables.insert is rate-limited per user (docs/scale.md).
        const [present] = await dataset.getTables();
        const have = new Set(present.map((t) => t.id));
        for (const name of Object.keys(tables) as TableName[]) {
          if (have.has(name)) continue;
          await createTable(name, tableMetadata(name)).catch(ignoreAlreadyExists);
        }
      }),
    upsert: async (name, rows) => (await writeBatch({ [name]: rows }))[name] ?? 0,
    upsertBatch: writeBatch,
    select: <T extends TableName>(name: T, query: Query<T> = {}) =>
      guarded(`select ${name}`, async () => {
        const rows = await runQuery(selectStatement(name, path(name), query));
        return rows.map((r) => fromBigQuery(name, r));
      }),
    delete: async (name, where) => {
      const st = deleteStatement(name, path(name), where);
      await guarded(`delete ${name}`, async () => {
        count(name, 'dmlStatements');
        await runQuery(st);
      });
    },
    close: () => Promise.resolve(),
  };
}

function ignoreAlreadyExists(e: unknown): void {
  if ((e as { code?: unknown }).code !== 409) throw e;
}
