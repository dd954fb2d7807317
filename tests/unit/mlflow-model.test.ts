/** The MLflow Model directory a training run logs: its MLmodel file, example and requirements. */
import { describe, expect, it } from 'vitest';
import type { ModelVersionMeta } from '../../pipelines/model/io/artifacts.js';
import { mlflowModelDirectory, toYaml } from '../../pipelines/model/io/mlflow-model.js';

const meta: ModelVersionMeta = {
  formatVersion: 1,
  columns: ['close', 'volume', 'rsi_14'],
  rules: ['price', 'logVolume', 'standard'],
  scaler: { mean: [0, 0, 50], std: [1, 1, 10] },
  lookback: 2,
  horizons: [1, 10],
  configHash: 'abc123',
  trainWindow: { first: '2020-01-02', last: '2020-06-30' },
  backend: 'tensorflow',
  metrics: [],
  members: 2,
};
const bytes = (t: string): Uint8Array => new TextEncoder().encode(t);
const files = [
  { path: 'model.json', data: bytes('{}') },
  { path: 'weights.bin', data: new Uint8Array(8) },
  { path: 'member-1/model.json', data: bytes('{}') },
  { path: 'manifest.json', data: bytes('{"files":{}}') },
];
const dir = (over: Partial<Parameters<typeof mlflowModelDirectory>[0]> = {}) =>
  mlflowModelDirectory({
    artifactPath: 'model',
    meta,
    files,
    inputExample: [
      [0.1, -0.2, 0.3],
      [0.4, 0.5, -0.6],
    ],
    createdAt: new Date('2026-12-06T21:00:00.123Z'),
    ...over,
  });
const text = (d: ReturnType<typeof dir>, path: string): string =>
  new TextDecoder().decode(d.find((f) => f.path === path)?.data);

describe('toYaml', () => {
  it('writes nested maps and lists in block style with every string JSON-quoted', () => {
    expect(toYaml({ a: 'x: y', b: { c: [1, 'two'], d: null, e: [] }, f: true })).toBe(
      'a: "x: y"\nb:\n  c:\n    - 1\n    - "two"\n  d: null\n  e: []\nf: true\n',
    );
  });
});

describe('mlflowModelDirectory', () => {
  it('holds the MLmodel, the examples, the requirements and every version file', () => {
    expect(dir().map((f) => f.path)).toEqual([
      'MLmodel',
      'input_example.json',
      'serving_input_example.json',
      'package.json',
      ...files.map((f) => f.path),
    ]);
  });

  it('MLmodel: a tfjs flavor naming every member, one input per column, one output per horizon', () => {
    const mlmodel = text(dir(), 'MLmodel');
    expect(mlmodel).toMatch(/^artifact_path: "model"$/m);
    expect(mlmodel).toMatch(/^flavors:\n {2}tfjs:\n {4}format: "layers-model"$/m);
    expect(mlmodel).toContain(
      '    members:\n      - "model.json"\n      - "member-1/model.json"\n',
    );
    expect(mlmodel).toMatch(/^utc_time_created: "2026-12-06 21:00:00.123000"$/m);
    expect(mlmodel).toMatch(/^model_uuid: "[0-9a-f]{32}"$/m);
    const inputs = /^ {2}inputs: (.*)$/m.exec(mlmodel)?.[1] ?? '""';
    expect(JSON.parse(JSON.parse(inputs) as string)).toEqual(
      meta.columns.map((name) => ({
        name,
        type: 'tensor',
        'tensor-spec': { dtype: 'float32', shape: [-1, 2] },
      })),
    );
    const outputs = /^ {2}outputs: (.*)$/m.exec(mlmodel)?.[1] ?? '""';
    expect(JSON.parse(JSON.parse(outputs) as string)).toEqual([
      { name: 'ratio', type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 2] } },
    ]);
    const size = dir()
      .filter((f) => f.path !== 'MLmodel')
      .reduce((s, f) => s + f.data.byteLength, 0);
    expect(mlmodel).toMatch(new RegExp(`^model_size_bytes: ${size}$`, 'm'));
  });

  it('the input example is the window column by column; serving wraps it in "inputs"', () => {
    const d = dir();
    const example = { close: [[0.1, 0.4]], volume: [[-0.2, 0.5]], rsi_14: [[0.3, -0.6]] };
    expect(JSON.parse(text(d, 'input_example.json'))).toEqual(example);
    expect(JSON.parse(text(d, 'serving_input_example.json'))).toEqual({ inputs: example });
    const pkg = JSON.parse(text(d, 'package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@tensorflow/tfjs']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('one version is one model_uuid; another manifest is another', () => {
    const uuid = (d: ReturnType<typeof dir>) => /^model_uuid: (.*)$/m.exec(text(d, 'MLmodel'))?.[1];
    expect(uuid(dir())).toBe(uuid(dir({ createdAt: new Date() })));
    const other = files.map((f) =>
      f.path === 'manifest.json' ? { ...f, data: bytes('{"files":{"x":1}}') } : f,
    );
    expect(uuid(dir({ files: other }))).not.toBe(uuid(dir()));
  });

  it('refuses an example that is not lookback × columns', () => {
    expect(() => dir({ inputExample: [[1, 2, 3]] })).toThrow(/2 rows × 3 columns/);
    expect(() => dir({ inputExample: [[1], [2]] })).toThrow(/2 rows × 3 columns/);
  });
});
