/**
 * One contract for every Tracker adapter: the local folder tracker and the MLflow tracker against a
 * real MLflow server must behave the same for the pipeline.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTracker, localRunId } from '../../pipelines/ports/tracking/local.js';
import {
  createMlflowTracker,
  keyHash,
  KEY_HASH_TAG,
} from '../../pipelines/ports/tracking/mlflow.js';
import type { RunRecord, Tracker } from '../../pipelines/ports/tracking/port.js';
import type { MlflowServer } from '../support/mlflow-server.js';
import { sharedMlflowServer } from '../support/mlflow-shared.js';

interface Harness {
  tracker: Tracker;
  /** How many runs the backing store holds for this experiment and key. */
  countRuns(experiment: string, key: string): Promise<number>;
  /** The files of the run's model directory (its `RunRecord.model`), by path inside it. */
  modelFiles(experiment: string, runId: string): Promise<Record<string, string>>;
}

let seq = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${seq++}`;

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    key: unique('train:SPY:2020-04-17'),
    experiment: unique('contract'),
    name: 'train SPY',
    status: 'FINISHED',
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_060_000,
    params: { units: 200, dropout: 0.2, ticker: 'SPY', earlyStopping: true },
    tags: { ticker: 'SPY', stage: 'train' },
    metrics: [
      { key: 'loss', value: 0.5, step: 1, timestamp: 1_700_000_001_000 },
      { key: 'loss', value: 0.25, step: 2, timestamp: 1_700_000_002_000 },
      { key: 'mase', value: 0.9, step: 0, timestamp: 1_700_000_060_000 },
    ],
    artifacts: [{ path: 'model/model.json', data: new TextEncoder().encode('{"layers":[]}') }],
    ...over,
  };
}

function trackerContract(
  name: string,
  setup: () => Promise<Harness>,
  teardown: () => Promise<void>,
): void {
  describe(`Tracker contract: ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await setup();
    });
    afterAll(teardown);

    it('logRun returns an id', async () => {
      const id = await h.tracker.logRun(record());
      expect(typeof id).toBe('string');
      expect(id.length).toBeGreaterThan(0);
      expect(id.startsWith('outbox:')).toBe(false);
    });

    it('the same key logged twice is one run with one id', async () => {
      const r = record();
      const first = await h.tracker.logRun(r);
      const second = await h.tracker.logRun({ ...r });
      expect(second).toBe(first);
      expect(await h.countRuns(r.experiment, r.key)).toBe(1);
    });

    it('different keys are different runs', async () => {
      const a = record();
      const b = record({ experiment: a.experiment });
      const [ida, idb] = [await h.tracker.logRun(a), await h.tracker.logRun(b)];
      expect(ida).not.toBe(idb);
      expect(await h.countRuns(a.experiment, a.key)).toBe(1);
      expect(await h.countRuns(a.experiment, b.key)).toBe(1);
    });

    it('a model directory is kept whole and once; a re-delivery is the same run', async () => {
      const enc = (t: string): Uint8Array => new TextEncoder().encode(t);
      const r = record({
        model: { path: 'model', name: 'model' },
        artifacts: [
          { path: 'model/MLmodel', data: enc('artifact_path: "model"\n') },
          { path: 'model/member-1/model.json', data: enc('{"m":1}') },
          { path: 'test_forecasts.json', data: enc('[]') },
        ],
      });
      const id = await h.tracker.logRun(r);
      expect(await h.modelFiles(r.experiment, id)).toEqual({
        MLmodel: 'artifact_path: "model"\n',
        'member-1/model.json': '{"m":1}',
      });
      expect(await h.tracker.logRun({ ...r })).toBe(id);
      expect(await h.countRuns(r.experiment, r.key)).toBe(1);
      expect(Object.keys(await h.modelFiles(r.experiment, id)).sort()).toEqual([
        'MLmodel',
        'member-1/model.json',
      ]);
    });

    it('registry: createVersion, setAlias and getByAlias round-trip', async () => {
      const model = unique('stockops-spy');
      const runId = await h.tracker.logRun(record());
      const source = 'gs://stockops-models/SPY/v1';
      const v = await h.tracker.registry.createVersion(model, {
        source,
        runId,
        tags: { mase: '0.9', horizon: '10' },
      });
      expect(v).toMatchObject({ model, source, runId, tags: { mase: '0.9', horizon: '10' } });
      expect(v.version).toBe('1');
      expect(await h.tracker.registry.getByAlias(model, 'champion')).toBeUndefined();
      await h.tracker.registry.setAlias(model, 'champion', v.version);
      expect(await h.tracker.registry.getByAlias(model, 'champion')).toEqual(v);
      expect(await h.tracker.registry.getByAlias(model, 'challenger')).toBeUndefined();
    });

    it('registry: a local source with its run id round-trips verbatim', async () => {
      const model = unique('stockops-qqq');
      const runId = await h.tracker.logRun(record());
      const source = 'file:///tmp/stockops/artifacts/models/QQQ/v1';
      const v = await h.tracker.registry.createVersion(model, { source, runId, tags: {} });
      await h.tracker.registry.setAlias(model, 'challenger', v.version);
      expect(await h.tracker.registry.getByAlias(model, 'challenger')).toMatchObject({
        source,
        runId,
      });
    });

    it('registry: moving the champion alias to a new version', async () => {
      const model = unique('stockops-iwm');
      const v1 = await h.tracker.registry.createVersion(model, {
        source: 'gs://b/IWM/v1',
        tags: {},
      });
      const v2 = await h.tracker.registry.createVersion(model, {
        source: 'gs://b/IWM/v2',
        tags: {},
      });
      expect(v2.version).not.toBe(v1.version);
      expect(Number(v2.version)).toBeGreaterThan(Number(v1.version));
      await h.tracker.registry.setAlias(model, 'champion', v1.version);
      await h.tracker.registry.setAlias(model, 'challenger', v2.version);
      expect((await h.tracker.registry.getByAlias(model, 'champion'))?.version).toBe(v1.version);
      await h.tracker.registry.setAlias(model, 'champion', v2.version);
      const champ = await h.tracker.registry.getByAlias(model, 'champion');
      expect(champ).toMatchObject({ version: v2.version, source: 'gs://b/IWM/v2' });
      expect((await h.tracker.registry.getByAlias(model, 'challenger'))?.version).toBe(v2.version);
    });

    it('registry: an unknown model has no alias, and an alias to a missing version is refused', async () => {
      const model = unique('stockops-none');
      expect(await h.tracker.registry.getByAlias(model, 'champion')).toBeUndefined();
      await h.tracker.registry.createVersion(model, { source: 'gs://b/X/v1', tags: {} });
      await expect(h.tracker.registry.setAlias(model, 'champion', '99')).rejects.toThrow(/99/);
    });
  });
}

const localDir = mkdtempSync(join(tmpdir(), 'stockops-tracking-'));
trackerContract(
  'local',
  () => {
    const tracker = createLocalTracker({ dir: localDir });
    return Promise.resolve({
      tracker,
      countRuns(experiment, key) {
        const expDir = join(localDir, 'runs', encodeURIComponent(experiment));
        const keys = readdirSync(expDir).map(
          (id) =>
            (JSON.parse(readFileSync(join(expDir, id, 'run.json'), 'utf8')) as { key: string }).key,
        );
        return Promise.resolve(keys.filter((k) => k === key).length);
      },
      modelFiles(experiment, runId) {
        const root = join(localDir, 'runs', encodeURIComponent(experiment), runId, 'artifacts');
        const out: Record<string, string> = {};
        for (const f of readdirSync(join(root, 'model'), { recursive: true, encoding: 'utf8' })) {
          const full = join(root, 'model', f);
          if (statSync(full).isFile()) out[f] = readFileSync(full, 'utf8');
        }
        return Promise.resolve(out);
      },
    });
  },
  () => {
    rmSync(localDir, { recursive: true, force: true });
    return Promise.resolve();
  },
);

describe('local tracker files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockops-tracking-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tracker = createLocalTracker({ dir });

  it('writes run.json and artifacts under runs/<experiment>/<runId>, replacing them on re-delivery', async () => {
    const r = record({
      experiment: 'train',
      artifacts: [
        { path: 'model/model.json', data: new TextEncoder().encode('v1') },
        { path: 'model/old.bin', data: new Uint8Array([1, 2, 3]) },
      ],
    });
    const id = await tracker.logRun(r);
    expect(id).toBe(localRunId(r.key));
    const runDir = join(dir, 'runs', 'train', id);
    const again = {
      ...r,
      artifacts: [{ path: 'model/model.json', data: new TextEncoder().encode('v2') }],
    };
    expect(await tracker.logRun(again)).toBe(id);
    const saved = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(saved).toMatchObject({ runId: id, key: r.key, params: r.params, metrics: r.metrics });
    expect(readFileSync(join(runDir, 'artifacts/model/model.json'), 'utf8')).toBe('v2');
    expect(existsSync(join(runDir, 'artifacts/model/old.bin'))).toBe(false);
  });

  it('refuses artifact paths that leave the run folder', async () => {
    for (const path of ['../escape.txt', '/abs.txt', 'a/../../b', 'a//b']) {
      await expect(
        tracker.logRun(record({ artifacts: [{ path, data: new Uint8Array([0]) }] })),
      ).rejects.toThrow(/artifact path/);
    }
  });

  it('keeps one model per registry file, complete JSON after concurrent updates', async () => {
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        tracker.registry.createVersion('stockops-SPY', { source: `gs://b/SPY/v${i}`, tags: {} }),
      ),
    );
    expect(created.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    const file = JSON.parse(readFileSync(join(dir, 'registry', 'stockops-SPY.json'), 'utf8')) as {
      versions: unknown[];
    };
    expect(file.versions).toHaveLength(8);
  });
});

let server: MlflowServer | undefined;
const outboxDir = mkdtempSync(join(tmpdir(), 'stockops-outbox-'));
trackerContract(
  'mlflow',
  async () => {
    server = await sharedMlflowServer();
    const tracker = createMlflowTracker({
      uri: server.uri,
      experimentName: 'stockops',
      outboxDir,
      timeoutMs: 10_000,
      retry: { attempts: 2, baseDelayMs: 50 },
    });
    return {
      tracker,
      async countRuns(experiment, key) {
        const exp = await tracker.client.getExperimentByName(experiment);
        if (!exp) return 0;
        const { runs } = await tracker.client.searchRuns({
          experimentIds: [exp.experiment_id],
          filter: `tags.\`${KEY_HASH_TAG}\` = '${keyHash(key)}'`,
          runViewType: 'ALL',
        });
        return runs.length;
      },
      async modelFiles(_experiment, runId) {
        const c = tracker.client;
        const run = await c.getRun(runId);
        // One training run, one logged model: the run's outputs name it.
        expect(run.outputs.model_outputs).toHaveLength(1);
        const id = run.outputs.model_outputs[0]?.model_id ?? '';
        const model = await c.getLoggedModel(id);
        expect(model?.info).toMatchObject({ source_run_id: runId, status: 'LOGGED_MODEL_READY' });
        const uri = model?.info.artifact_uri ?? '';
        const out: Record<string, string> = {};
        const walk = async (dir: string): Promise<void> => {
          for (const f of await c.listArtifacts(uri, dir)) {
            if (f.is_dir) await walk(f.path);
            else out[f.path] = Buffer.from(await c.downloadArtifact(uri, f.path)).toString('utf8');
          }
        };
        await walk('');
        return out;
      },
    };
  },
  async () => {
    await server?.stop();
    rmSync(outboxDir, { recursive: true, force: true });
  },
);
