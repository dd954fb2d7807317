/**
 * Embedded default tracker: plain files, no server.
 *   <dir>/runs/<experiment>/<runId>/run.json   the record (without artifact bytes)
 *   <dir>/runs/<experiment>/<runId>/artifacts/ the artifact files
 *   <dir>/registry/<model>.json                versions and aliases of one model
 * The run id is derived from RunRecord.key, so a record delivered twice overwrites itself.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-file.js';
import type { Alias, ModelRegistry, ModelVersion, RunRecord, Tracker } from './port.js';

export interface LocalTrackerOptions {
  dir: string;
}

/** 32 hex characters, like an MLflow run id. */
export function localRunId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** A name as one safe path segment: readable for ordinary names, never `.`/`..` or a separator. */
function segment(kind: string, name: string): string {
  if (!name) throw new Error(`${kind} name must not be empty`);
  return encodeURIComponent(name).replace(/^\./, '%2E').replace(/\*/g, '%2A');
}

function artifactSegments(path: string): string[] {
  const parts = path.split('/');
  if (
    !path ||
    path.startsWith('/') ||
    path.includes('\\') ||
    parts.some((p) => !p || p === '.' || p === '..')
  ) {
    throw new Error(
      `artifact path "${path}" must be relative, with "/" separators and no "." or ".." segments`,
    );
  }
  return parts;
}

const registryFileSchema = z.object({
  model: z.string(),
  versions: z.array(
    z.object({
      version: z.string(),
      source: z.string(),
      runId: z.string().optional(),
      tags: z.record(z.string(), z.string()),
      createdAt: z.string(),
    }),
  ),
  aliases: z.record(z.string(), z.string()),
});
type RegistryFile = z.infer<typeof registryFileSchema>;

export function createLocalTracker({ dir }: LocalTrackerOptions): Tracker {
  const root = resolve(dir);
  const registryPath = (model: string): string =>
    join(root, 'registry', `${segment('model', model)}.json`);

  async function readRegistry(model: string): Promise<RegistryFile> {
    const path = registryPath(model);
    let raw: string;
    try {
      raw = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        return { model, versions: [], aliases: {} };
      throw e;
    }
    const parsed = registryFileSchema.safeParse(JSON.parse(raw));
    if (!parsed.success)
      throw new Error(`registry file ${path} is corrupt: ${parsed.error.message}`);
    return parsed.data;
  }

  // Read-modify-write of one model's file is serialized within the process.
  const queues = new Map<string, Promise<unknown>>();
  function update<T>(model: string, fn: (r: RegistryFile) => T): Promise<T> {
    const prev = queues.get(model) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const reg = await readRegistry(model);
        const out = fn(reg);
        await writeFileAtomic(registryPath(model), `${JSON.stringify(reg, null, 2)}\n`);
        return out;
      });
    queues.set(model, next);
    return next;
  }

  const toVersion = (model: string, v: RegistryFile['versions'][number]): ModelVersion => ({
    model,
    version: v.version,
    source: v.source,
    ...(v.runId !== undefined ? { runId: v.runId } : {}),
    tags: { ...v.tags },
  });

  const registry: ModelRegistry = {
    createVersion(model, v) {
      return update(model, (reg) => {
        const last = reg.versions.reduce((max, x) => Math.max(max, Number(x.version)), 0);
        const entry = {
          version: String(last + 1),
          source: v.source,
          ...(v.runId !== undefined ? { runId: v.runId } : {}),
          tags: { ...v.tags },
          createdAt: new Date().toISOString(),
        };
        reg.versions.push(entry);
        return toVersion(model, entry);
      });
    },
    async setAlias(model: string, alias: Alias, version: string) {
      await update(model, (reg) => {
        if (!reg.versions.some((x) => x.version === version)) {
          throw new Error(
            `model ${model} has no version ${version}; cannot point alias ${alias} at it`,
          );
        }
        reg.aliases[alias] = version;
      });
    },
    async getByAlias(model: string, alias: Alias) {
      await queues.get(model)?.catch(() => undefined);
      const reg = await readRegistry(model);
      const version = reg.aliases[alias];
      const v = version === undefined ? undefined : reg.versions.find((x) => x.version === version);
      return v && toVersion(model, v);
    },
  };

  return {
    kind: 'local',
    registry,
    async logRun(record: RunRecord) {
      const runId = localRunId(record.key);
      const runDir = join(root, 'runs', segment('experiment', record.experiment), runId);
      const artifactDir = join(runDir, 'artifacts');
      const files = record.artifacts.map((a) => ({ segs: artifactSegments(a.path), data: a.data }));
      // A re-delivered record replaces the old artifacts rather than leaving stale files beside new ones.
      await rm(artifactDir, { recursive: true, force: true });
      for (const f of files) await writeFileAtomic(join(artifactDir, ...f.segs), f.data);
      const { artifacts, ...rest } = record;
      const body = {
        runId,
        ...rest,
        metrics: rest.metrics.map((m) => ({
          ...m,
          value: Number.isFinite(m.value) ? m.value : String(m.value),
        })),
        artifacts: artifacts.map((a) => ({ path: a.path, bytes: a.data.byteLength })),
      };
      await writeFileAtomic(join(runDir, 'run.json'), `${JSON.stringify(body, null, 2)}\n`);
      return runId;
    },
  };
}
