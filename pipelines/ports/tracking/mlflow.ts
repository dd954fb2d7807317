/**
 * Tracker on an MLflow tracking server. `logRun` never throws: after retries a record goes to a local
 * outbox and a provisional `outbox:<key>` id comes back, because predictions must not wait on tracking.
 * Delivery is idempotent: a run is found again by its `stockops.key_sha256` tag before one is created,
 * except on a key's first delivery (delivery-claims.ts), when there is nothing to find.
 */
import { createHash } from 'node:crypto';
import type { KeyValue } from './mlflow-batch.js';
import { MlflowClient, type MlflowModelVersion, type MlflowRun } from './mlflow-client.js';
import { MlflowError } from './mlflow-error.js';
import { logModelDirectory, modelIdOf, splitModelFiles } from './mlflow-model-log.js';
import { createLocalObjectStore } from '../object-store/local.js';
import type { ObjectStore } from '../object-store/port.js';
import { DeliveryClaims } from './delivery-claims.js';
import { Outbox, OUTBOX_STORE_PREFIX } from './outbox.js';
import type { Alias, ModelRegistry, ModelVersion, RunRecord, Tracker } from './port.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy, type Sleep } from '../retry.js';

export interface MlflowTrackerConfig {
  uri: string;
  /** Experiment for records whose `experiment` is empty. */
  experimentName: string;
  username?: string;
  password?: string;
  token?: string;
  auth?: 'google-id-token';
  insecureTls?: boolean;
  timeoutMs?: number;
  /** The outbox's folder, used when no `outboxStore` is given. */
  outboxDir: string;
  /** The pipeline's object store: when given, the outbox lives there under `mlflow-outbox/`. */
  outboxStore?: ObjectStore;
}

/** The slice of the pipeline's Logger this adapter needs. */
export interface TrackerLog {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface MlflowTrackerOptions {
  retry?: Partial<RetryPolicy>;
  /** Where delivery failures are reported (default: stderr). Messages hold no credentials. */
  log?: TrackerLog;
  sleep?: Sleep;
}

export interface SyncResult {
  delivered: number;
  remaining: number;
}

export interface MlflowTracker extends Tracker {
  readonly kind: 'mlflow';
  readonly client: MlflowClient;
  /** Where undelivered runs wait (a folder, or gs://bucket/mlflow-outbox/). */
  readonly outboxLocation: string;
  /** Delivers what the outbox holds; stops early while the server stays unreachable. */
  syncOutbox(): Promise<SyncResult>;
}

export const KEY_TAG = 'stockops.key';
export const KEY_HASH_TAG = 'stockops.key_sha256';
/** The caller's model source, kept verbatim when MLflow is given a different one it accepts. */
export const SOURCE_TAG = 'stockops.source';
export const OUTBOX_PREFIX = 'outbox:';

export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function isLocalUri(uri: string): boolean {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1];
  return !scheme || scheme.toLowerCase() === 'file' || /^[a-zA-Z]$/.test(scheme);
}

const toKv = (o: Record<string, string | number | boolean>): KeyValue[] =>
  Object.entries(o).map(([key, value]) => ({ key, value: String(value) }));

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createMlflowTracker(
  cfg: MlflowTrackerConfig & MlflowTrackerOptions,
): MlflowTracker {
  const opts: MlflowTrackerOptions = cfg;
  const client = new MlflowClient(cfg);
  const outbox = cfg.outboxStore
    ? new Outbox(cfg.outboxStore, OUTBOX_STORE_PREFIX)
    : new Outbox(createLocalObjectStore({ dir: cfg.outboxDir }));
  const claims = new DeliveryClaims(outbox.store, outbox.prefix);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const log = (m: string): void => (opts.log ? opts.log.warn(m) : console.error(m));
  const retrying = <T>(fn: () => Promise<T>, p: RetryPolicy = policy): Promise<T> =>
    withRetry(fn, (e) => e instanceof MlflowError && e.retryable, p, opts.sleep);

  const experimentIds = new Map<string, Promise<string>>();
  const experimentId = (name: string): Promise<string> => {
    let id = experimentIds.get(name);
    if (!id) {
      id = client.ensureExperiment(name);
      experimentIds.set(name, id);
      id.catch(() => experimentIds.delete(name));
    }
    return id;
  };

  // Two deliveries of one key at once (a logRun racing a sync) would both find no run and create two.
  const inFlight = new Map<string, Promise<string>>();
  const serialized = (key: string, fn: () => Promise<string>): Promise<string> => {
    const prev = inFlight.get(key) ?? Promise.resolve('');
    const next = prev.catch(() => '').then(fn);
    inFlight.set(key, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (inFlight.get(key) === next) inFlight.delete(key);
      });
    return next;
  };

  async function findRun(expId: string, key: string): Promise<MlflowRun | undefined> {
    const { runs } = await client.searchRuns({
      experimentIds: [expId],
      filter: `tags.\`${KEY_HASH_TAG}\` = '${keyHash(key)}'`,
      maxResults: 10,
      orderBy: ['attributes.start_time ASC'],
    });
    return runs.find((r) => r.data.tags.some((t) => t.key === KEY_TAG && t.value === key));
  }

  /**
   * One idempotent attempt: find or create the run, fill it, then mark it finished. `mayExist`:
   * an earlier attempt (an outbox entry) may have made the run, so it is searched for without a claim.
   */
  async function deliver(record: RunRecord, mayExist: boolean): Promise<string> {
    const expId = await experimentId(record.experiment || cfg.experimentName);
    const first = !mayExist && (await claims.claimFirst(record.key));
    const existing = first ? undefined : await findRun(expId, record.key);
    // A run left RUNNING is a delivery cut off part-way: it is filled again, which MLflow accepts
    // (same param values, metric points deduplicated, artifacts overwritten).
    if (existing && existing.info.status !== 'RUNNING') return existing.info.run_id;
    const run =
      existing ??
      (await client.createRun({
        experimentId: expId,
        runName: record.name,
        startTime: record.startTime,
        tags: [
          { key: KEY_TAG, value: record.key },
          { key: KEY_HASH_TAG, value: keyHash(record.key) },
        ],
      }));
    const runId = run.info.run_id;
    await client.logBatch(runId, {
      params: toKv(record.params),
      tags: toKv(record.tags),
      metrics: record.metrics.map((m) => ({ ...m })),
    });
    const files = splitModelFiles(record.artifacts, record.model);
    for (const a of files.run) {
      await client.uploadArtifact(run.info.artifact_uri, a.path, a.data);
    }
    if (record.model && files.model.length > 0) {
      // The search result may not carry the run's outputs: read the run again for a model it has.
      const full = existing ? await client.getRun(runId) : run;
      const tags = [{ key: KEY_TAG, value: record.key }, ...toKv(record.tags)];
      const modelId = await logModelDirectory(client, full, record.model, files.model, {
        tags,
        params: toKv(record.params),
      });
      // Without logged models (MLflow 2) the directory stays a run artifact folder.
      if (!modelId) {
        for (const a of files.model) {
          const path = `${record.model.path}/${a.path}`;
          await client.uploadArtifact(run.info.artifact_uri, path, a.data);
        }
      }
    }
    await client.updateRun({ runId, status: record.status, endTime: record.endTime });
    return runId;
  }

  // A retry's claim is refused (the first try made it), so the retry searches.
  const deliverWithRetry = (
    record: RunRecord,
    p?: RetryPolicy,
    mayExist = false,
  ): Promise<string> => serialized(record.key, () => retrying(() => deliver(record, mayExist), p));

  let syncing: Promise<SyncResult> | undefined;
  async function syncOnce(): Promise<SyncResult> {
    const files = await outbox.files();
    let delivered = 0;
    for (const file of files) {
      let entry;
      try {
        entry = await outbox.read(file);
      } catch (e) {
        log(`mlflow outbox: skipping ${file}: ${describe(e)}`);
        continue;
      }
      try {
        // One try each: if the server is still down there is no point waiting on every record.
        await deliverWithRetry(entry.record, { ...policy, attempts: 1 }, true);
        await outbox.remove(file);
        delivered++;
      } catch (e) {
        log(`mlflow outbox: run ${entry.record.key} not delivered yet: ${describe(e)}`);
        if (e instanceof MlflowError && (e.retryable || e.unauthorized)) break;
      }
    }
    return { delivered, remaining: (await outbox.files()).length };
  }

  const registry: ModelRegistry = {
    async createVersion(model, v) {
      let source = v.source;
      // The run's logged model, when it has one, is what the version is (MLflow shows its page).
      const modelId =
        v.runId && !v.runId.startsWith(OUTBOX_PREFIX)
          ? modelIdOf(await retrying(() => client.getRun(v.runId as string)))
          : undefined;
      if (modelId) source = `models:/${modelId}`;
      else if (isLocalUri(v.source)) {
        // MLflow refuses local paths outside the run's artifact folder; the run stands in for it.
        if (!v.runId) {
          throw new Error(
            `model ${model}: MLflow cannot register the local source ${v.source} without a runId ` +
              '(use an object-store URI such as gs://… or pass the training run id)',
          );
        }
        source = `runs:/${v.runId}/model`;
      }
      await retrying(() => client.ensureRegisteredModel(model));
      const mv = await retrying(() =>
        client.createModelVersion({
          name: model,
          source,
          runId: v.runId,
          modelId,
          tags: [...toKv(v.tags), { key: SOURCE_TAG, value: v.source }],
        }),
      );
      return toModelVersion(mv);
    },
    async setAlias(model: string, alias: Alias, version: string) {
      await retrying(() => client.setAlias(model, alias, version));
    },
    async getByAlias(model: string, alias: Alias) {
      const mv = await retrying(() => client.getModelVersionByAlias(model, alias));
      return mv && toModelVersion(mv);
    },
  };

  function syncOutbox(): Promise<SyncResult> {
    syncing ??= syncOnce().finally(() => {
      syncing = undefined;
    });
    return syncing;
  }

  return {
    kind: 'mlflow',
    client,
    outboxLocation: outbox.location,
    registry,
    syncOutbox,
    async logRun(record) {
      try {
        if ((await outbox.files()).length > 0) await syncOutbox();
      } catch (e) {
        log(`mlflow outbox: sync failed: ${describe(e)}`);
      }
      try {
        return await deliverWithRetry(record);
      } catch (e) {
        const reason = describe(e);
        try {
          await outbox.put(record, reason);
          log(`mlflow: run ${record.key} kept in outbox ${outbox.location} (${reason})`);
        } catch (saveErr) {
          log(
            `mlflow: run ${record.key} lost: not delivered (${reason}) and not saved (${describe(saveErr)})`,
          );
        }
        return `${OUTBOX_PREFIX}${record.key}`;
      }
    },
  };
}

function toModelVersion(mv: MlflowModelVersion): ModelVersion {
  const tags: Record<string, string> = {};
  let source = mv.source;
  for (const t of mv.tags) {
    if (t.key === SOURCE_TAG) source = t.value;
    else tags[t.key] = t.value;
  }
  return { model: mv.name, version: mv.version, source, runId: mv.run_id || undefined, tags };
}
