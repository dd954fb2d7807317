/**
 * One model version in the object store:
 *
 *   <prefix>/model.json      tfjs layers-model topology + weights manifest (the tfjs file format)
 *   <prefix>/weights.bin     float32 weights
 *   <prefix>/meta.json       normalisation, columns, lookback, horizons, config hash, window, metrics
 *   <prefix>/reference.json  training-window feature values, the baseline for drift checks
 *   <prefix>/manifest.json   size + sha256 of each file above; written last, create-only
 *
 * A version is loadable only once its manifest exists, and every file is checked against it, so a
 * save that died halfway (or a file changed since) is an error, never a silently different model.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ObjectStore } from '../../ports/object-store/port.js';
import { PipelineError } from '../../types.js';
// Registers the custom layer, so models that contain it deserialise.
import '../network/seeded-dropout.js';
import { topologyForBackend } from '../network/lstm.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const ruleSchema = z.enum(['price', 'logVolume', 'perRowClose', 'obvFlow', 'standard']);
const metricsSchema = z.object({
  n: z.number().int().min(1),
  mae: z.number(),
  mape: z.number(),
  rmse: z.number(),
  directionalAccuracy: z.number().min(0).max(1),
  naiveMae: z.number(),
  mase: z.number().nullable(),
});

export const modelVersionMetaSchema = z
  .object({
    formatVersion: z.literal(1),
    columns: z.array(z.string().min(1)).min(1),
    rules: z.array(ruleSchema),
    scaler: z.object({ mean: z.array(z.number()), std: z.array(z.number().positive()) }),
    lookback: z.number().int().min(1),
    horizons: z.array(z.number().int().min(1)).min(1),
    configHash: z.string().min(1),
    /** First and last as-of dates of the training samples. */
    trainWindow: z.object({ first: isoDate, last: isoDate }),
    backend: z.string().min(1),
    /** sha256 of the bars trained on (model/lineage.ts); absent in versions saved before it was kept. */
    lineage: z
      .object({
        from: isoDate,
        to: isoDate,
        rows: z.number().int().min(0),
        sha256: z.string().length(64),
      })
      .optional(),
    metrics: z.array(
      z.object({ horizon: z.number().int().min(1), model: metricsSchema, naive: metricsSchema }),
    ),
    /** Ensemble members (network/ensemble.ts); absent in versions saved before: one. */
    members: z.number().int().min(1).optional(),
    /** What the network outputs (model/target.ts); absent in versions saved before: the ratio. */
    target: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('ratio') }),
        z.object({
          kind: z.literal('volScaledLogReturn'),
          volatilityDays: z.number().int().min(2),
          spread: z.number().positive(),
        }),
      ])
      .optional(),
    /**
     * How the members were trained: from scratch, or warm-started from the serving version's
     * weights (its label when known). Absent in versions saved before: from scratch.
     */
    training: z
      .object({
        warmStart: z.boolean(),
        from: z.string().optional(),
      })
      .optional(),
  })
  .refine(
    (m) =>
      m.rules.length === m.columns.length &&
      m.scaler.mean.length === m.columns.length &&
      m.scaler.std.length === m.columns.length,
    { message: 'rules and scaler must have one entry per column' },
  );
export type ModelVersionMeta = z.infer<typeof modelVersionMetaSchema>;

export const referenceSampleSchema = z.object({
  dates: z.array(isoDate),
  /** Raw feature values per column, aligned with `dates`. */
  columns: z.record(z.string(), z.array(z.number())),
});
export type ReferenceSample = z.infer<typeof referenceSampleSchema>;

export interface ModelVersionArtifacts {
  /** The ensemble's networks, member 0 first (one for a single model). */
  members: tf.LayersModel[];
  meta: ModelVersionMeta;
  reference: ReferenceSample;
}

const FILES = ['model.json', 'weights.bin', 'meta.json', 'reference.json'] as const;
/** Member 0 is model.json + weights.bin (a single-model version's files); member k its own pair. */
const memberFiles = (k: number): [string, string] =>
  k === 0 ? ['model.json', 'weights.bin'] : [`member-${k}/model.json`, `member-${k}/weights.bin`];
const fileEntry = z.object({ bytes: z.number().int().min(0), sha256: z.string().length(64) });
const manifestSchema = z.object({
  formatVersion: z.literal(1),
  files: z
    .record(z.string(), fileEntry)
    .refine((f) => FILES.every((k) => k in f), { message: `must list ${FILES.join(', ')}` }),
});

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const keyOf = (prefix: string, file: string): string => `${prefix.replace(/\/+$/, '')}/${file}`;
const utf8 = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

function fail(message: string): never {
  throw new PipelineError(message, undefined, 'model-artifacts');
}

async function serialiseModel(
  model: tf.LayersModel,
): Promise<{ json: Uint8Array; weights: Uint8Array }> {
  let out: { json: Uint8Array; weights: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      if (!a.weightData || !a.weightSpecs) fail('tfjs produced no weights to save');
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData));
      const json = utf8({
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      });
      out = { json, weights };
      return Promise.resolve({
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weights.byteLength,
        },
      });
    }),
  );
  if (!out) fail('tfjs did not call the save handler');
  return out;
}

/**
 * Writes a version under `prefix` and returns the URI of its folder. Refuses to overwrite a
 * version that already has a manifest: a published version never changes.
 */
export async function saveArtifacts(
  store: ObjectStore,
  prefix: string,
  artifacts: ModelVersionArtifacts,
): Promise<string> {
  const meta = modelVersionMetaSchema.parse(artifacts.meta);
  const reference = referenceSampleSchema.parse(artifacts.reference);
  if (await store.get(keyOf(prefix, 'manifest.json'))) {
    fail(`model version already exists at ${store.uri(keyOf(prefix, 'manifest.json'))}`);
  }
  if ((meta.members ?? 1) !== artifacts.members.length) {
    fail(`meta says ${meta.members ?? 1} members, the artifacts hold ${artifacts.members.length}`);
  }
  const contents: Record<string, Uint8Array> = {};
  for (const [k, member] of artifacts.members.entries()) {
    const { json, weights } = await serialiseModel(member);
    const [jsonFile, weightsFile] = memberFiles(k);
    contents[jsonFile] = json;
    contents[weightsFile] = weights;
  }
  contents['meta.json'] = utf8(meta);
  contents['reference.json'] = utf8(reference);
  for (const [f, bytes] of Object.entries(contents)) {
    await writeUnpublished(store, prefix, keyOf(prefix, f), bytes);
  }
  const files = Object.fromEntries(
    Object.entries(contents).map(([f, b]) => [f, { bytes: b.byteLength, sha256: sha256(b) }]),
  );
  // The manifest publishes the version: create-only, so a published manifest never changes.
  const manifestKey = keyOf(prefix, 'manifest.json');
  const manifest = utf8({ formatVersion: 1, files });
  if (!(await store.putIfAbsent(manifestKey, manifest))) {
    const theirs = await store.get(manifestKey);
    // A repeat of this very save (a retried request that had succeeded) is the same version.
    if (!theirs || sha256(theirs) !== sha256(manifest)) {
      fail(`model version at ${store.uri(manifestKey)} was published by another writer meanwhile`);
    }
  }
  return store.uri(prefix.replace(/\/+$/, ''));
}

/**
 * Writes one file of a version not yet published. Create-only first; an object already there is
 * either these bytes (a repeated save) or what a save that died before its manifest left, which no
 * one can load and so may be replaced, but only while the version is still unpublished. (Two writers
 * racing on one version could still interleave here; the manifest's sha256s make that a load error.)
 */
async function writeUnpublished(
  store: ObjectStore,
  prefix: string,
  key: string,
  data: Uint8Array,
): Promise<void> {
  if (await store.putIfAbsent(key, data)) return;
  const there = await store.get(key);
  if (there && sha256(there) === sha256(data)) return;
  if (await store.get(keyOf(prefix, 'manifest.json'))) {
    fail(`model version at ${store.uri(prefix)} was published by another writer meanwhile`);
  }
  await store.put(key, data);
}

function parseJson<T>(bytes: Uint8Array, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    fail(`${what} is not JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    fail(
      `${what} is invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

const modelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string()),
        weights: z.array(
          z.object({
            name: z.string(),
            shape: z.array(z.number().int()),
            dtype: z.enum(['float32', 'int32', 'bool']),
          }),
        ),
      }),
    )
    .length(1),
});

export async function loadArtifacts(
  store: ObjectStore,
  prefix: string,
): Promise<ModelVersionArtifacts> {
  const manifestKey = keyOf(prefix, 'manifest.json');
  const manifestBytes = await store.get(manifestKey);
  if (!manifestBytes) {
    fail(
      `no model version at ${store.uri(manifestKey)}: manifest.json is missing (never saved, or the save did not finish)`,
    );
  }
  const manifest = parseJson(manifestBytes, manifestSchema, `${store.uri(manifestKey)}`);
  const read = async (f: string): Promise<Uint8Array> => {
    const key = keyOf(prefix, f);
    const bytes = await store.get(key);
    if (!bytes) fail(`${store.uri(key)} is listed in the manifest but missing`);
    const want = manifest.files[f];
    if (!want) fail(`${store.uri(key)} is not listed in the manifest`);
    if (bytes.byteLength !== want.bytes || sha256(bytes) !== want.sha256) {
      fail(`${store.uri(key)} does not match its manifest entry (size or sha256 differs)`);
    }
    return bytes;
  };
  const meta = parseJson(
    await read('meta.json'),
    modelVersionMetaSchema,
    keyOf(prefix, 'meta.json'),
  );
  const reference = parseJson(
    await read('reference.json'),
    referenceSampleSchema,
    keyOf(prefix, 'reference.json'),
  );
  const members: tf.LayersModel[] = [];
  try {
    for (let k = 0; k < (meta.members ?? 1); k++) {
      const [jsonFile, weightsFile] = memberFiles(k);
      members.push(await loadMember(prefix, meta, await read(jsonFile), await read(weightsFile)));
    }
  } catch (e) {
    for (const m of members) m.dispose();
    throw e;
  }
  return { members, meta, reference };
}

async function loadMember(
  prefix: string,
  meta: ModelVersionMeta,
  modelBytes: Uint8Array,
  weights: Uint8Array,
): Promise<tf.LayersModel> {
  const modelJson = parseJson(modelBytes, modelJsonSchema, keyOf(prefix, 'model.json'));
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      // Saved LSTMs are plain tf.layers.lstm; this runs them the active backend's fastest way.
      modelTopology: topologyForBackend(modelJson.modelTopology),
      weightSpecs: modelJson.weightsManifest[0]?.weights ?? [],
      weightData,
    }),
  );
  const expected = [meta.lookback, meta.columns.length];
  const shape = model.inputs[0]?.shape.slice(1);
  if (JSON.stringify(shape) !== JSON.stringify(expected)) {
    model.dispose();
    fail(
      `model input shape ${JSON.stringify(shape)} does not match meta (lookback, columns) ${JSON.stringify(expected)}`,
    );
  }
  return model;
}
