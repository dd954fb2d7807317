/**
 * One model version as an MLflow Model directory, so MLflow's model page can show what it is:
 *
 *   MLmodel                     the MLflow Model file: a `tfjs` flavor, the signature, the example
 *   input_example.json          one input window, one named array per feature column
 *   serving_input_example.json  the same window in MLflow's serving request shape ({"inputs": …})
 *   package.json                what loading it needs (npm: TensorFlow.js at the version that saved it)
 *   model.json, weights.bin, member-k/…, meta.json, reference.json, manifest.json   the version itself
 *
 * MLflow has no TensorFlow.js flavor, so `tfjs` is this project's: MLflow lists it and shows the
 * signature, but `mlflow models serve` cannot run it (there is no python_function flavor to call).
 */
import { createHash } from 'node:crypto';
import { version as tfVersion } from '@tensorflow/tfjs';
import type { ArtifactFile } from '../../ports/tracking/port.js';
import type { ModelVersionMeta } from './artifacts.js';

export const FLAVOR = 'tfjs';
export const INPUT_EXAMPLE = 'input_example.json';
export const SERVING_INPUT_EXAMPLE = 'serving_input_example.json';
export const REQUIREMENTS = 'package.json';

export interface MlflowModelInput {
  /** The folder the directory is logged under (MLmodel's `artifact_path`). */
  artifactPath: string;
  meta: ModelVersionMeta;
  /** The version's stored files (paths relative to the version folder), manifest.json among them. */
  files: readonly ArtifactFile[];
  /** One window as the network takes it: lookback rows × meta.columns. */
  inputExample: readonly (readonly number[])[];
  createdAt: Date;
}

type Yaml = string | number | boolean | null | readonly Yaml[] | { readonly [k: string]: Yaml };

/**
 * Block-style YAML for plain data. Every string is written JSON-quoted (a valid YAML double-quoted
 * scalar), so no value can be misread as another type or break the layout.
 */
export function toYaml(value: Yaml, indent = ''): string {
  if (value === null || typeof value !== 'object') return `${JSON.stringify(value)}\n`;
  const entries: [string | null, Yaml][] = Array.isArray(value)
    ? value.map((v: Yaml) => [null, v])
    : Object.entries(value as Record<string, Yaml>);
  if (entries.length === 0) return Array.isArray(value) ? '[]\n' : '{}\n';
  const lines = entries.map(([k, v]) => {
    const head = k === null ? `${indent}-` : `${indent}${k}:`;
    const nested = v !== null && typeof v === 'object' && Object.keys(v).length > 0;
    return nested ? `${head}\n${toYaml(v, `${indent}  `)}` : `${head} ${toYaml(v)}`;
  });
  return lines.join('');
}

/** MLflow's `utc_time_created` format: `2026-12-06 21:00:00.000000`. */
const mlflowTime = (d: Date): string => `${d.toISOString().replace('T', ' ').slice(0, 23)}000`;

/** A uuid4-shaped hex id derived from the version's manifest: one version, one model_uuid. */
function uuidOf(manifest: Uint8Array | undefined, meta: ModelVersionMeta): string {
  const h = createHash('sha256');
  h.update(manifest ?? JSON.stringify(meta));
  return h.digest('hex').slice(0, 32);
}

const tensor = (name: string, shape: number[]): Record<string, unknown> => ({
  name,
  type: 'tensor',
  'tensor-spec': { dtype: 'float32', shape },
});

/** The files of the MLflow Model directory, paths relative to its root. */
export function mlflowModelDirectory(input: MlflowModelInput): ArtifactFile[] {
  const { meta, files } = input;
  const n = meta.columns.length;
  const rows = input.inputExample;
  if (rows.length !== meta.lookback || rows.some((r) => r.length !== n)) {
    throw new Error(`input example must be ${meta.lookback} rows × ${n} columns`);
  }
  const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
  // One named input per column keeps the feature names and the lookback visible in MLflow; the
  // network takes them stacked on the last axis, in this order: [batch, lookback, columns].
  const example = Object.fromEntries(meta.columns.map((c, j) => [c, [rows.map((r) => r[j])]]));
  const members = meta.members ?? 1;
  const tfjs = tfVersion.tfjs;
  const extra: ArtifactFile[] = [
    { path: INPUT_EXAMPLE, data: encode(JSON.stringify(example)) },
    { path: SERVING_INPUT_EXAMPLE, data: encode(JSON.stringify({ inputs: example }, null, 2)) },
    {
      path: REQUIREMENTS,
      data: encode(
        `${JSON.stringify({ private: true, dependencies: { '@tensorflow/tfjs': tfjs } }, null, 2)}\n`,
      ),
    },
  ];
  const size = [...files, ...extra].reduce((s, f) => s + f.data.byteLength, 0);
  const mlmodel: Yaml = {
    artifact_path: input.artifactPath,
    flavors: {
      [FLAVOR]: {
        format: 'layers-model',
        tfjs_version: tfjs,
        model_file: 'model.json',
        members: Array.from({ length: members }, (_, k) =>
          k === 0 ? 'model.json' : `member-${k}/model.json`,
        ),
        ensemble: members > 1 ? 'mean of the members' : 'single network',
        custom_layers: ['SeededDropout', 'StockopsSequenceLSTM'],
        input_layout: 'the signature inputs stacked on the last axis: [batch, lookback, columns]',
        input_columns: meta.columns,
        lookback: meta.lookback,
        preprocessing: 'per-window transform by column rule, then the scaler (meta.json)',
        output: 'close(t+h) / close(t), one per horizon',
        horizons: meta.horizons,
        meta_file: 'meta.json',
        requirements: REQUIREMENTS,
      },
    },
    model_size_bytes: size,
    model_uuid: uuidOf(files.find((f) => f.path === 'manifest.json')?.data, meta),
    saved_input_example_info: {
      artifact_path: INPUT_EXAMPLE,
      serving_input_path: SERVING_INPUT_EXAMPLE,
      type: 'ndarray',
    },
    // MLflow stores the signature's parts as JSON strings inside the YAML.
    signature: {
      inputs: JSON.stringify(meta.columns.map((c) => tensor(c, [-1, meta.lookback]))),
      outputs: JSON.stringify([tensor('ratio', [-1, meta.horizons.length])]),
      params: null,
    },
    utc_time_created: mlflowTime(input.createdAt),
    metadata: {
      config_hash: meta.configHash,
      backend: meta.backend,
      train_first: meta.trainWindow.first,
      train_last: meta.trainWindow.last,
    },
  };
  return [{ path: 'MLmodel', data: encode(toYaml(mlmodel)) }, ...extra, ...files];
}
