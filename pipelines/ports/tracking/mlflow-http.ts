/**
 * The HTTP layer under the MLflow client: one axios instance with the credentials, every answer
 * turned into data or an MlflowError with the credentials scrubbed out, responses checked by zod.
 */
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { BAD_RESPONSE, MlflowError, redact } from './mlflow-error.js';
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

export const API = '/api/2.0/mlflow';
export const ARTIFACTS_API = '/api/2.0/mlflow-artifacts/artifacts';

export interface CallOptions {
  params?: Record<string, string | number>;
  data?: unknown;
  binary?: boolean;
  headers?: Record<string, string>;
}

export class MlflowHttp {
  protected readonly http: AxiosInstance;
  protected readonly secrets: string[];
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

  protected fail(endpoint: string, message: string, status?: number, code?: string): never {
    throw new MlflowError(
      redact(`MLflow ${endpoint} failed: ${message}`, this.secrets),
      endpoint,
      status,
      code,
    );
  }

  protected async call(
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

  protected async json<T>(
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
