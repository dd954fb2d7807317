/** Experiments, runs, log-batch and metric history of MLflow's REST API (2.0). */
import { z } from 'zod';
import { LOG_BATCH_LIMITS, planLogBatches, type KeyValue, type LogBatch } from './mlflow-batch.js';
import { EXPERIMENT_DELETED, MlflowError } from './mlflow-error.js';
import { API, MlflowHttp } from './mlflow-http.js';
import {
  experimentSchema,
  metricSchema,
  runSchema,
  type MlflowExperiment,
  type MlflowMetric,
  type MlflowRun,
  type RunStatus,
  type RunViewType,
} from './mlflow-schemas.js';

export class MlflowRunsApi extends MlflowHttp {
  async getExperimentByName(name: string): Promise<MlflowExperiment | undefined> {
    try {
      const r = await this.json(
        z.object({ experiment: experimentSchema }),
        'GET',
        `${API}/experiments/get-by-name`,
        {
          params: { experiment_name: name },
        },
      );
      return r.experiment;
    } catch (e) {
      if (e instanceof MlflowError && e.notFound) return undefined;
      throw e;
    }
  }

  async createExperiment(name: string, tags: KeyValue[] = []): Promise<string> {
    const r = await this.json(
      z.object({ experiment_id: z.string() }),
      'POST',
      `${API}/experiments/create`,
      {
        data: { name, tags },
      },
    );
    return r.experiment_id;
  }

  /** The experiment's id, creating it if missing (tolerating a concurrent creator). */
  async ensureExperiment(name: string): Promise<string> {
    const found = await this.getExperimentByName(name);
    if (found) {
      if (found.lifecycle_stage === 'deleted') {
        this.fail(
          'GET /api/2.0/mlflow/experiments/get-by-name',
          `experiment "${name}" is deleted; restore it in MLflow or choose another experiment name`,
          undefined,
          EXPERIMENT_DELETED,
        );
      }
      return found.experiment_id;
    }
    try {
      return await this.createExperiment(name);
    } catch (e) {
      if (!(e instanceof MlflowError && e.alreadyExists)) throw e;
      const again = await this.getExperimentByName(name);
      if (!again) throw e;
      return again.experiment_id;
    }
  }

  async createRun(r: {
    experimentId: string;
    runName?: string;
    startTime?: number;
    tags?: KeyValue[];
  }): Promise<MlflowRun> {
    const out = await this.json(z.object({ run: runSchema }), 'POST', `${API}/runs/create`, {
      data: {
        experiment_id: r.experimentId,
        run_name: r.runName,
        start_time: r.startTime,
        tags: r.tags ?? [],
      },
    });
    return out.run;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    const out = await this.json(z.object({ run: runSchema }), 'GET', `${API}/runs/get`, {
      params: { run_id: runId },
    });
    return out.run;
  }

  async updateRun(r: {
    runId: string;
    status: RunStatus;
    endTime?: number;
    runName?: string;
  }): Promise<void> {
    await this.call('POST', `${API}/runs/update`, {
      data: { run_id: r.runId, status: r.status, end_time: r.endTime, run_name: r.runName },
    });
  }

  async deleteRun(runId: string): Promise<void> {
    await this.call('POST', `${API}/runs/delete`, { data: { run_id: runId } });
  }

  /** One page of runs; `filter` uses MLflow's search syntax, e.g. ``tags.`a.b` = 'x'``. */
  async searchRuns(q: {
    experimentIds: string[];
    filter?: string;
    maxResults?: number;
    pageToken?: string;
    runViewType?: RunViewType;
    orderBy?: string[];
  }): Promise<{ runs: MlflowRun[]; nextPageToken?: string }> {
    const out = await this.json(
      z.object({ runs: z.array(runSchema).default([]), next_page_token: z.string().optional() }),
      'POST',
      `${API}/runs/search`,
      {
        data: {
          experiment_ids: q.experimentIds,
          filter: q.filter ?? '',
          max_results: q.maxResults ?? 100,
          page_token: q.pageToken,
          run_view_type: q.runViewType ?? 'ACTIVE_ONLY',
          order_by: q.orderBy ?? [],
        },
      },
    );
    return { runs: out.runs, nextPageToken: out.next_page_token || undefined };
  }

  /** Logs any number of metrics/params/tags, split into requests within MLflow's limits. */
  async logBatch(runId: string, batch: Partial<LogBatch>): Promise<number> {
    const requests = planLogBatches(
      { metrics: batch.metrics ?? [], params: batch.params ?? [], tags: batch.tags ?? [] },
      LOG_BATCH_LIMITS,
    );
    for (const b of requests) {
      await this.call('POST', `${API}/runs/log-batch`, {
        data: {
          run_id: runId,
          metrics: b.metrics.map((m) => ({ ...m, value: jsonDouble(m.value) })),
          params: b.params,
          tags: b.tags,
        },
      });
    }
    return requests.length;
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.call('POST', `${API}/runs/set-tag`, { data: { run_id: runId, key, value } });
  }

  /** Every point of one metric, in the server's order (by step, then timestamp). */
  async getMetricHistory(runId: string, metricKey: string): Promise<MlflowMetric[]> {
    const all: MlflowMetric[] = [];
    let pageToken: string | undefined;
    do {
      const params: Record<string, string | number> = {
        run_id: runId,
        metric_key: metricKey,
        max_results: 25_000,
      };
      if (pageToken) params.page_token = pageToken;
      const out = await this.json(
        z.object({
          metrics: z.array(metricSchema).default([]),
          next_page_token: z.string().optional(),
        }),
        'GET',
        `${API}/metrics/get-history`,
        { params },
      );
      all.push(...out.metrics);
      pageToken = out.next_page_token || undefined;
    } while (pageToken);
    return all;
  }
}

function jsonDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}
