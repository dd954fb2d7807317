/** Splits one run's data into `runs/log-batch` requests that respect MLflow's per-request limits. */

export interface MlflowMetricIn {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface LogBatch {
  metrics: MlflowMetricIn[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** MLflow's documented limits for one log-batch request. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

export type LogBatchLimits = { [K in keyof typeof LOG_BATCH_LIMITS]: number };

export function planLogBatches(
  all: LogBatch,
  limits: LogBatchLimits = LOG_BATCH_LIMITS,
): LogBatch[] {
  for (const [name, n] of Object.entries(limits)) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`log-batch limit ${name} must be ≥ 1`);
  }
  const batches: LogBatch[] = [];
  let p = 0;
  let t = 0;
  let m = 0;
  while (p < all.params.length || t < all.tags.length || m < all.metrics.length) {
    const params = all.params.slice(p, p + Math.min(limits.params, limits.total));
    p += params.length;
    const tags = all.tags.slice(t, t + Math.min(limits.tags, limits.total - params.length));
    t += tags.length;
    const room = Math.min(limits.metrics, limits.total - params.length - tags.length);
    const metrics = all.metrics.slice(m, m + room);
    m += metrics.length;
    batches.push({ metrics, params, tags });
  }
  return batches;
}
