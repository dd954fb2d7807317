/**
 * BigQuery's documented limits, applied in front of the emulator (which enforces none): an HTTP
 * proxy on 127.0.0.1 between the real client library and bqemulator. Every process that points
 * BIGQUERY_EMULATOR_HOST at it (the functions, the tests) shares one model, as they would share one
 * project. It counts, per base table, load jobs, mutating DML and other query jobs, and it refuses
 * what BigQuery would refuse, answering with BigQuery's own error shapes. The rules and their
 * sources are in docs/scale.md; the numbers are `BIGQUERY_LIMITS` unless a test scales them.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

export interface LimitRules {
  /** Mutating DML (UPDATE, DELETE, MERGE) running at once per table. */
  mutatingDmlRunning: number;
  /** Mutating DML waiting per table; one more fails. */
  mutatingDmlQueued: number;
  /** Load jobs per project per day (failed ones count too). */
  loadJobsPerDay: number;
  /** Table operations (loads and query jobs writing a destination; DML excluded) per table per day. */
  tableOpsPerDay: number;
  /** tables.insert requests per second (per user; the functions share one service account). */
  tablesInsertPerSecond: number;
  /** Table metadata updates (tables.patch/update/delete) per table per 10 s. */
  metadataUpdatesPer10s: number;
  /**
   * How long a mutating job holds its tables at least. Real MERGEs take seconds; the emulator's take
   * milliseconds, so without a floor no two tickers' transactions would ever overlap here.
   */
  dmlHoldMs: number;
}

/** The documented numbers (docs/scale.md has each one's source). */
export const BIGQUERY_LIMITS: LimitRules = {
  mutatingDmlRunning: 2,
  mutatingDmlQueued: 20,
  loadJobsPerDay: 100_000,
  tableOpsPerDay: 1_500,
  tablesInsertPerSecond: 10,
  metadataUpdatesPer10s: 5,
  dmlHoldMs: 1_000,
};

export interface TableCounts {
  load_jobs: number;
  mutating_dml: number;
  other_jobs: number;
}

export interface LimitStats {
  perTable: Record<string, TableCounts>;
  loadJobs: number;
  tablesInserts: number;
  /** Requests refused, by rule. */
  refused: Record<string, number>;
  /** Most tables.insert seen in one second. */
  peakTablesInsertPerSecond: number;
}

export interface BigQueryLimits {
  /** http://127.0.0.1:<port>: the client's apiEndpoint. */
  endpoint: string;
  host: string;
  stats(): LimitStats;
  reset(): void;
  stop(): Promise<void>;
}

const STAGING = /^_staging_(.+)_[0-9a-f]{32}$/;
/** A staging table counts for the table it stages. */
export const baseTable = (id: string): string => STAGING.exec(id)?.[1] ?? id;

const TARGET = /\b(MERGE|DELETE\s+FROM|UPDATE|INSERT\s+INTO)\s+`[^`]*\.([A-Za-z0-9_]+)`/gi;
const READ = /\b(?:FROM|JOIN|USING)\s+`[^`]*\.([A-Za-z0-9_]+)`/gi;

/** The tables a query job mutates and the ones it reads, by base name. */
export function tablesOf(sql: string): { mutates: string[]; reads: string[] } {
  const mutates = new Set<string>();
  for (const m of sql.matchAll(TARGET)) if (!/^INSERT/i.test(m[1] ?? '')) mutates.add(m[2] ?? '');
  const reads = new Set<string>();
  for (const m of sql.matchAll(READ)) reads.add(baseTable(m[1] ?? ''));
  return { mutates: [...mutates].map(baseTable), reads: [...reads] };
}

function bqError(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message, errors: [{ reason, message }] } }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startBigQueryLimits(opts: {
  /** The emulator: http://127.0.0.1:<port>. */
  target: string;
  rules?: Partial<LimitRules>;
}): Promise<BigQueryLimits> {
  const rules = { ...BIGQUERY_LIMITS, ...opts.rules };
  const target = new URL(opts.target);
  let stats: LimitStats;
  const running = new Map<string, number>();
  const queues = new Map<string, (() => void)[]>();
  const tableOps = new Map<string, number>();
  const inserts: number[] = [];
  const metadata = new Map<string, number[]>();
  const reset = () => {
    stats = {
      perTable: {},
      loadJobs: 0,
      tablesInserts: 0,
      refused: {},
      peakTablesInsertPerSecond: 0,
    };
  };
  reset();
  const counts = (t: string): TableCounts =>
    (stats.perTable[t] ??= { load_jobs: 0, mutating_dml: 0, other_jobs: 0 });
  const refuse = (rule: string) => (stats.refused[rule] = (stats.refused[rule] ?? 0) + 1);

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }> =>
    new Promise((resolve, reject) => {
      const up = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          // The body is buffered: sent with its length, never chunked (both at once is invalid HTTP).
          headers: {
            ...Object.fromEntries(
              Object.entries(req.headers).filter(([k]) => k !== 'transfer-encoding'),
            ),
            host: target.host,
            'content-length': String(body.length),
          },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () =>
            resolve({
              status: r.statusCode ?? 502,
              headers: r.headers,
              body: Buffer.concat(chunks),
            }),
          );
          r.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  /** Waits for a slot on every table (2 running, 20 queued each), or refuses. */
  async function acquire(tabs: string[]): Promise<boolean> {
    for (const t of tabs) {
      const q = queues.get(t) ?? [];
      if ((running.get(t) ?? 0) >= rules.mutatingDmlRunning && q.length >= rules.mutatingDmlQueued)
        return false;
    }
    for (const t of tabs) {
      while ((running.get(t) ?? 0) >= rules.mutatingDmlRunning) {
        await new Promise<void>((wake) => {
          const q = queues.get(t) ?? [];
          q.push(wake);
          queues.set(t, q);
        });
      }
      running.set(t, (running.get(t) ?? 0) + 1);
    }
    return true;
  }
  function release(tabs: string[]): void {
    for (const t of tabs) {
      running.set(t, (running.get(t) ?? 1) - 1);
      queues.get(t)?.shift()?.();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (r: Awaited<ReturnType<typeof forward>>) => {
      const headers = { ...r.headers };
      delete headers['transfer-encoding'];
      headers['content-length'] = String(r.body.length);
      res.writeHead(r.status, headers);
      res.end(r.body);
    };
    if (req.method === 'POST' && /\/upload\/bigquery\/v2\/projects\/[^/]+\/jobs$/.test(path)) {
      // A load job (the client's multipart upload: JSON configuration, then the rows).
      const table = baseTable(/"tableId"\s*:\s*"([^"]+)"/.exec(body.toString('utf8'))?.[1] ?? '?');
      stats.loadJobs++;
      counts(table).load_jobs++;
      const ops = (tableOps.get(table) ?? 0) + 1;
      tableOps.set(table, ops);
      if (stats.loadJobs > rules.loadJobsPerDay) {
        refuse('loadJobsPerDay');
        return bqError(
          res,
          403,
          'quotaExceeded',
          'Quota exceeded: Your project exceeded quota for load jobs per project per day.',
        );
      }
      if (ops > rules.tableOpsPerDay) {
        refuse('tableOpsPerDay');
        return bqError(
          res,
          403,
          'quotaExceeded',
          `Quota exceeded: Your table exceeded quota for imports or query appends per table: ${table}`,
        );
      }
      return send(await forward(req, body));
    }
    if (req.method === 'POST' && /\/datasets\/[^/]+\/tables$/.test(path)) {
      const now = Date.now();
      inserts.push(now);
      while ((inserts[0] ?? now) <= now - 1000) inserts.shift();
      stats.tablesInserts++;
      stats.peakTablesInsertPerSecond = Math.max(stats.peakTablesInsertPerSecond, inserts.length);
      if (inserts.length > rules.tablesInsertPerSecond) {
        refuse('tablesInsertPerSecond');
        return bqError(
          res,
          403,
          'rateLimitExceeded',
          'Exceeded rate limits: too many tables.insert requests per second for this user.',
        );
      }
      return send(await forward(req, body));
    }
    const tableOp = /\/datasets\/[^/]+\/tables\/([^/]+)$/.exec(path);
    if (tableOp && ['PATCH', 'PUT', 'DELETE'].includes(req.method ?? '')) {
      const t = decodeURIComponent(tableOp[1] ?? '');
      const now = Date.now();
      const seen = (metadata.get(t) ?? []).filter((x) => x > now - 10_000);
      seen.push(now);
      metadata.set(t, seen);
      if (seen.length > rules.metadataUpdatesPer10s) {
        refuse('metadataUpdatesPer10s');
        return bqError(
          res,
          403,
          'rateLimitExceeded',
          `Exceeded rate limits: too many table update operations for this table: ${t}`,
        );
      }
      return send(await forward(req, body));
    }
    if (req.method === 'POST' && /\/bigquery\/v2\/projects\/[^/]+\/(jobs|queries)$/.test(path)) {
      const sql = JSON.parse(body.toString('utf8') || '{}') as {
        configuration?: { query?: { query?: string } };
        query?: string;
      };
      const text = sql.configuration?.query?.query ?? sql.query ?? '';
      const { mutates, reads } = tablesOf(text);
      for (const t of reads) if (!mutates.includes(t)) counts(t).other_jobs++;
      if (mutates.length === 0) return send(await forward(req, body));
      for (const t of mutates) counts(t).mutating_dml++;
      const transaction = /BEGIN\s+TRANSACTION/i.test(text);
      // "Conflicting transactions are cancelled": a transaction finding any of its tables busy.
      const busy = mutates.find((t) => (running.get(t) ?? 0) > 0);
      if (transaction && busy) {
        refuse('conflictingTransaction');
        return bqError(
          res,
          400,
          'invalidQuery',
          `Transaction is aborted due to concurrent update against table ${busy}.`,
        );
      }
      const started = Date.now();
      if (!(await acquire(mutates))) {
        refuse('mutatingDmlQueued');
        return bqError(
          res,
          400,
          'resourcesExceeded',
          `Resources exceeded during query execution: Too many DML statements outstanding against table ${mutates[0]}, limit is ${rules.mutatingDmlQueued}.`,
        );
      }
      try {
        const r = await forward(req, body);
        await sleep(Math.max(0, rules.dmlHoldMs - (Date.now() - started)));
        return send(r);
      } finally {
        release(mutates);
      }
    }
    return send(await forward(req, body));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        if (!res.headersSent) bqError(res, 502, 'backendError', `limits proxy: ${String(e)}`);
        else res.destroy();
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    reset,
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
