/**
 * The cost of one day at N tickers, from what the scale test measured: function seconds (GB-s and
 * vCPU-s at the sizes in infra/functions.tf), BigQuery bytes processed by the writes (MERGE reads
 * its whole target table: the multi-table transaction has no partition bound), storage, and the
 * staged design's Cloud Storage operations. Old design (one load + MERGE per table per ticker-day)
 * beside the staged one (one per table per day). List prices in USD; see PRICES for their sources.
 */

/** List prices (USD, Tier 1 regions, on-demand), as read on PRICES.date. */
export const PRICES = {
  date: '2026-12-06',
  /** Cloud Run functions (gen2) bill as Cloud Run, request-based: https://cloud.google.com/run/pricing */
  vcpuSecond: 0.000024,
  gibSecond: 0.0000025,
  perMillionRequests: 0.4,
  /** BigQuery on-demand compute and active logical storage: https://cloud.google.com/bigquery/pricing */
  bqPerTiB: 6.25,
  bqStoragePerGiBMonth: 0.02,
  /** BigQuery bills at least 10 MB per table a query references (same page). */
  bqMinBytesPerTable: 10 * 1024 * 1024,
  /** Cloud Storage Standard, class A (writes, lists) and B (reads): https://cloud.google.com/storage/pricing */
  gcsPerGiBMonth: 0.02,
  gcsClassAPer1000: 0.005,
  gcsClassBPer1000: 0.0004,
} as const;

/** Function sizes from infra/functions.tf (the fan-in's is this change's proposal). */
export const SIZES = {
  ingest: { gib: 0.5, vcpu: 0.5 },
  model: { gib: 2, vcpu: 1 },
  commit: { gib: 1, vcpu: 1 },
} as const;

export interface Measured {
  /** Mean seconds per ticker of each half, and of one fan-in commit of the whole run. */
  ingestSeconds: number;
  modelSeconds: number;
  commitSeconds: number;
  /** Logical bytes per ticker stored in each table after the run (BigQuery's data-size rules). */
  bytesPerTicker: Record<string, number>;
  /** Warehouse reads (query jobs) per ticker-day: each is a list of the ticker's staged batches. */
  readsPerTicker: number;
  /** Table writes per ticker-day in the old design (README: 9, each one load job + one MERGE). */
  oldWritesPerTicker: number;
  /** Bytes of model artifacts per ticker in the bucket. */
  modelBytesPerTicker: number;
}

export interface DayCost {
  tickers: number;
  design: 'old (MERGE per ticker-day)' | 'staged (one commit per day)';
  function_gib_s: number;
  function_vcpu_s: number;
  bq_bytes_processed: number;
  storage_gib: number;
  usd: {
    functions: number;
    bigquery_compute: number;
    storage_per_day: number;
    gcs_ops: number;
    total: number;
  };
}

const GIB = 1024 ** 3;
const TIB = 1024 ** 4;
const round = (x: number, d = 4) => Number(x.toFixed(d));

/**
 * One day. `dmlSecondsOld` is what each old-design MERGE holds the model/ingest function waiting
 * (an assumption: real MERGEs take seconds, the emulator's milliseconds), billed as function time.
 */
export function dayCost(
  tickers: number,
  design: 'old' | 'staged',
  m: Measured,
  dmlSecondsOld = 2,
): DayCost {
  const tableBytes = Object.values(m.bytesPerTicker).map((b) => b * tickers);
  const stored = tableBytes.reduce((s, b) => s + b, 0);
  const scanAll = tableBytes.reduce((s, b) => s + Math.max(b, PRICES.bqMinBytesPerTable), 0);
  const tablesWritten = Object.keys(m.bytesPerTicker).length || 1;
  const wait = design === 'old' ? m.oldWritesPerTicker * dmlSecondsOld : 0;
  const ingest = (m.ingestSeconds + wait * (3 / 9)) * tickers;
  const model = (m.modelSeconds + wait * (6 / 9)) * tickers;
  const commit = design === 'staged' ? m.commitSeconds : 0;
  const gibS = ingest * SIZES.ingest.gib + model * SIZES.model.gib + commit * SIZES.commit.gib;
  const vcpuS = ingest * SIZES.ingest.vcpu + model * SIZES.model.vcpu + commit * SIZES.commit.vcpu;
  // Old: every table write scans its target; staged: one MERGE per table per day.
  const bqBytes =
    design === 'old' ? tickers * m.oldWritesPerTicker * (scanAll / tablesWritten) : scanAll;
  const requests = tickers * (design === 'old' ? 2 : 3);
  const functionsUsd =
    vcpuS * PRICES.vcpuSecond +
    gibS * PRICES.gibSecond +
    (requests / 1e6) * PRICES.perMillionRequests;
  const storageGib = (stored + m.modelBytesPerTicker * tickers) / GIB;
  const storageUsd =
    ((stored / GIB) * PRICES.bqStoragePerGiBMonth +
      ((m.modelBytesPerTicker * tickers) / GIB) * PRICES.gcsPerGiBMonth) /
    30;
  // Staged: ~5 batch puts, 2 lists per read, the report marker and the fan-in's listing (class A);
  // ~6 gets (class B) per ticker-day.
  const classA = design === 'staged' ? tickers * (5 + 2 * m.readsPerTicker + 2) : 0;
  const classB = design === 'staged' ? tickers * 6 : 0;
  const gcsUsd =
    (classA / 1000) * PRICES.gcsClassAPer1000 + (classB / 1000) * PRICES.gcsClassBPer1000;
  const bqUsd = (bqBytes / TIB) * PRICES.bqPerTiB;
  return {
    tickers,
    design: design === 'old' ? 'old (MERGE per ticker-day)' : 'staged (one commit per day)',
    function_gib_s: round(gibS, 1),
    function_vcpu_s: round(vcpuS, 1),
    bq_bytes_processed: Math.round(bqBytes),
    storage_gib: round(storageGib, 3),
    usd: {
      functions: round(functionsUsd),
      bigquery_compute: round(bqUsd),
      storage_per_day: round(storageUsd),
      gcs_ops: round(gcsUsd),
      total: round(functionsUsd + bqUsd + storageUsd + gcsUsd),
    },
  };
}

/** BigQuery's logical size of a value (https://cloud.google.com/bigquery/pricing#data_size). */
export function logicalBytes(v: unknown, type: string): number {
  if (v === null || v === undefined) return 0;
  switch (type.replace(/ .*/, '')) {
    case 'STRING':
      return 2 + Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v));
    case 'BOOL':
      return 1;
    default:
      return 8; // FLOAT64, INT64, DATE, TIMESTAMP
  }
}
