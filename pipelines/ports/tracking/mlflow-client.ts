/**
 * A typed client for the parts of MLflow's REST API (2.0) the pipeline uses: experiments, runs,
 * log-batch, metric history, the artifact proxy (`mlflow server --serve-artifacts`) and the model
 * registry with aliases. Every failure is an MlflowError with credentials scrubbed out.
 */
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import { LOG_BATCH_LIMITS, planLogBatches, type KeyValue, type LogBatch } from './mlflow-batch.js';
import { BAD_RESPONSE, EXPERIMENT_DELETED, MlflowError, redact } from './mlflow-error.js';
import { audienceOf, googleIdTokenHeader, type AuthHeader } from './google-id-token.js';

export interface MlflowClientOptions {
  /** Tracking server base URL; userinfo in it (`https://user:pass@host`) is used as basic auth. */
  uri: string;
  username?: string;
  password?: string;
  /** Bearer token; wins over username/password. */
  token?: string;
  /** Accept self-signed TLS certificates. */
  insecureTls?: boolean;
  timeoutMs?: number;
  /** `google-id-token`: a server behind Cloud Run's IAM check (google-id-token.ts). */
  auth?: 'google-id-token';
  /** The Authorization header per request, in place of the above (tests). */
  authHeader?: AuthHeader;
}

const int64 = z.union([z.number(), z.string()]).transform(Number);
// Protobuf JSON writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity".
const double = z.union([z.number(), z.string()]).transform(Number);
const kvList = z.array(z.object({ key: z.string(), value: z.string().default('') })).default([]);

const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.string().optional(),
});
export type MlflowExperiment = z.infer<typeof experimentSchema>;

const metricSchema = z.object({
  key: z.string(),
  value: double,
  timestamp: int64,
  step: int64.default(0),
});
export type MlflowMetric = z.infer<typeof metricSchema>;

const runSchema = z.object({
  info: z.object({
    run_id: z.string(),
    experiment_id: z.string(),
    run_name: z.string().optional(),
    status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']),
    start_time: int64.optional(),
    end_time: int64.optional(),
    artifact_uri: z.string(),
    lifecycle_stage: z.string().optional(),
  }),
  data: z
    .object({
      metrics: z.array(metricSchema).default([]),
      params: kvList,
      tags: kvList,
    })
    .default({ metrics: [], params: [], tags: [] }),
});
export type MlflowRun = z.infer<typeof runSchema>;

const modelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  source: z.string().default(''),
  run_id: z.string().optional(),
  status: z.string().optional(),
  tags: kvList,
  aliases: z.array(z.string()).default([]),
});
export type MlflowModelVersion = z.infer<typeof modelVersionSchema>;

const registeredModelSchema = z.object({
  name: z.string(),
  aliases: z.array(z.object({ alias: z.string(), version: z.string() })).default([]),
  tags: kvList,
});
export type MlflowRegisteredModel = z.infer<typeof registeredModelSchema>;

export type RunStatus = 'FINISHED' | 'FAILED' | 'KILLED';
export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

const API = '/api/2.0/mlflow';
const ARTIFACTS_API = '/api/2.0/mlflow-artifacts/artifacts';

interface CallOptions {
  params?: Record<string, string | number>;
  data?: unknown;
  binary?: boolean;
  headers?: Record<string, string>;
}

/** `a/b c.json` → `a/b%20c.json`; refuses paths that could climb out of the run's artifact root. */
export function encodeArtifactPath(path: string): string {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || path.includes('\\')) {
    throw new Error(`artifact path "${path}" must be a relative path with forward slashes`);
  }
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') {
      throw new Error(`artifact path "${path}" has an empty, "." or ".." segment`);
    }
  }
  return parts.map(encodeURIComponent).join('/');
}

/**
 * `mlflow-artifacts:/1/<run>/artifacts` (or `mlflow-artifacts://host:port/1/...`) → `1/<run>/artifacts`,
 * the path under the proxy's `/api/2.0/mlflow-artifacts/artifacts/` where that run's files live.
 */
export function proxiedArtifactRoot(artifactUri: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.+?)\/?$/.exec(artifactUri);
  if (!m?.[1]) {
    throw new Error(
      `run artifact URI "${artifactUri}" is not served by the tracking server's artifact proxy; ` +
        'start the server with --serve-artifacts (and no --default-artifact-root outside it)',
    );
  }
  return m[1];
}

export class MlflowClient {
  private readonly http: AxiosInstance;
  private readonly secrets: string[];
  private readonly authHeader?: AuthHeader;
  /** The server address without credentials, safe to print. */
  readonly baseUrl: string;

  constructor(opts: MlflowClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.uri);
    } catch {
      throw new Error('MLflow tracking URI is not a valid URL (expected http(s)://host:port)');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`MLflow tracking URI must be http or https, got ${url.protocol}`);
    }
    const username = opts.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
    const password = opts.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
    url.username = '';
    url.password = '';
    this.baseUrl = url.href.replace(/\/+$/, '');

    const headers: Record<string, string> = {};
    let basic: string | undefined;
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    else if (username !== undefined || password !== undefined) {
      basic = Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64');
      headers.Authorization = `Basic ${basic}`;
    }
    this.secrets = [opts.token, password, basic].filter((s): s is string => !!s);
    this.authHeader =
      opts.authHeader ??
      (opts.auth === 'google-id-token' ? googleIdTokenHeader(audienceOf(this.baseUrl)) : undefined);
    this.http = axios.create({
      baseURL: this.baseUrl,
      timeout: opts.timeoutMs ?? 10_000,
      headers,
      httpsAgent: opts.insecureTls ? new https.Agent({ rejectUnauthorized: false }) : undefined,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      // Statuses are turned into MlflowError here, so axios's own error (which embeds the request
      // config, Authorization header included) is never created for an HTTP failure.
      validateStatus: () => true,
      // Redirects would resend credentials to wherever the Location header points.
      maxRedirects: 0,
    });
  }

  private fail(endpoint: string, message: string, status?: number, code?: string): never {
    throw new MlflowError(
      redact(`MLflow ${endpoint} failed: ${message}`, this.secrets),
      endpoint,
      status,
      code,
    );
  }

  private async call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    o: CallOptions = {},
  ): Promise<unknown> {
    // Only the path goes into messages: the base URL may be private and the query may hold names.
    const endpoint = `${method} ${path.split('?')[0]}`;
    let res: AxiosResponse<unknown>;
    let headers = o.headers;
    if (this.authHeader) {
      try {
        headers = { ...headers, Authorization: await this.authHeader() };
      } catch (e) {
        // No status: retryable, like an unreachable server (the metadata server may be busy).
        this.fail(endpoint, `cannot get a Google ID token: ${(e as Error).message}`);
      }
    }
    try {
      res = await this.http.request<unknown>({
        method,
        url: path,
        params: o.params,
        data: o.data,
        headers,
        responseType: o.binary ? 'arraybuffer' : 'json',
      });
    } catch (e) {
      const code = axios.isAxiosError(e) ? e.code : undefined;
      const reason =
        code === 'ECONNABORTED' || code === 'ETIMEDOUT'
          ? `no answer within ${this.http.defaults.timeout ?? 0} ms`
          : (code ?? 'request error');
      this.fail(
        endpoint,
        `cannot reach the tracking server at ${this.baseUrl} (${reason})`,
        undefined,
        code,
      );
    }
    if (res.status >= 200 && res.status < 300) return res.data;
    const { errorCode, message } = describeError(res.data);
    const hint =
      res.status === 401
        ? ' (check MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN)'
        : res.status === 403
          ? ' (the user lacks permission for this resource)'
          : '';
    this.fail(
      endpoint,
      `HTTP ${res.status}${errorCode ? ` ${errorCode}` : ''}${message ? `: ${message}` : ''}${hint}`,
      res.status,
      errorCode,
    );
  }

  private async json<T>(
    schema: z.ZodType<T>,
    method: 'GET' | 'POST',
    path: string,
    o: CallOptions = {},
  ): Promise<T> {
    const body = await this.call(method, path, o);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.fail(
        `${method} ${path}`,
        `unexpected response shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
        undefined,
        BAD_RESPONSE,
      );
    }
    return parsed.data;
  }

  async health(): Promise<boolean> {
    try {
      await this.call('GET', '/health');
      return true;
    } catch {
      return false;
    }
  }

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

  /** Uploads one file under the run's artifact root through the server's artifact proxy. */
  async uploadArtifact(artifactUri: string, path: string, data: Uint8Array): Promise<void> {
    const url = `${ARTIFACTS_API}/${proxiedArtifactRoot(artifactUri)}/${encodeArtifactPath(path)}`;
    await this.call('PUT', url, {
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  }

  async downloadArtifact(artifactUri: string, path: string): Promise<Uint8Array> {
    const url = `${ARTIFACTS_API}/${proxiedArtifactRoot(artifactUri)}/${encodeArtifactPath(path)}`;
    const body = await this.call('GET', url, { binary: true });
    if (!(body instanceof ArrayBuffer) && !Buffer.isBuffer(body)) {
      this.fail(
        `GET ${ARTIFACTS_API}/...`,
        'artifact download did not return bytes',
        undefined,
        BAD_RESPONSE,
      );
    }
    return new Uint8Array(body);
  }

  async createRegisteredModel(name: string, tags: KeyValue[] = []): Promise<void> {
    await this.call('POST', `${API}/registered-models/create`, { data: { name, tags } });
  }

  async getRegisteredModel(name: string): Promise<MlflowRegisteredModel | undefined> {
    try {
      const out = await this.json(
        z.object({ registered_model: registeredModelSchema }),
        'GET',
        `${API}/registered-models/get`,
        { params: { name } },
      );
      return out.registered_model;
    } catch (e) {
      if (e instanceof MlflowError && e.notFound) return undefined;
      throw e;
    }
  }

  /** Creates the registered model unless it exists (tolerating a concurrent creator). */
  async ensureRegisteredModel(name: string): Promise<void> {
    if (await this.getRegisteredModel(name)) return;
    try {
      await this.createRegisteredModel(name);
    } catch (e) {
      if (!(e instanceof MlflowError && e.alreadyExists)) throw e;
    }
  }

  async createModelVersion(v: {
    name: string;
    source: string;
    runId?: string;
    tags?: KeyValue[];
    description?: string;
  }): Promise<MlflowModelVersion> {
    const out = await this.json(
      z.object({ model_version: modelVersionSchema }),
      'POST',
      `${API}/model-versions/create`,
      {
        data: {
          name: v.name,
          source: v.source,
          run_id: v.runId,
          tags: v.tags ?? [],
          description: v.description,
        },
      },
    );
    return out.model_version;
  }

  async getModelVersion(name: string, version: string): Promise<MlflowModelVersion> {
    const out = await this.json(
      z.object({ model_version: modelVersionSchema }),
      'GET',
      `${API}/model-versions/get`,
      { params: { name, version } },
    );
    return out.model_version;
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', `${API}/registered-models/alias`, { data: { name, alias, version } });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', `${API}/registered-models/alias`, { params: { name, alias } });
  }

  /** The version an alias points at; undefined when the model or the alias does not exist. */
  async getModelVersionByAlias(
    name: string,
    alias: string,
  ): Promise<MlflowModelVersion | undefined> {
    try {
      const out = await this.json(
        z.object({ model_version: modelVersionSchema }),
        'GET',
        `${API}/registered-models/alias`,
        { params: { name, alias } },
      );
      return out.model_version;
    } catch (e) {
      // A missing model is 404; a missing alias on an existing model is 400 "alias ... not found".
      const aliasMissing =
        e instanceof MlflowError &&
        e.errorCode === 'INVALID_PARAMETER_VALUE' &&
        /alias .* not found/i.test(e.message);
      if ((e instanceof MlflowError && e.notFound) || aliasMissing) return undefined;
      throw e;
    }
  }
}

function jsonDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function describeError(body: unknown): { errorCode?: string; message?: string } {
  let data = body;
  if (data instanceof ArrayBuffer || Buffer.isBuffer(data)) {
    data = Buffer.from(data as ArrayBuffer).toString('utf8');
  }
  if (typeof data === 'string') {
    const raw = data;
    try {
      data = JSON.parse(raw);
    } catch {
      const text = raw
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      return { message: text.slice(0, 300) || undefined };
    }
  }
  if (typeof data === 'object' && data !== null) {
    const o = data as Record<string, unknown>;
    return {
      errorCode: typeof o.error_code === 'string' ? o.error_code : undefined,
      message: typeof o.message === 'string' ? o.message.slice(0, 1000) : undefined,
    };
  }
  return {};
}
