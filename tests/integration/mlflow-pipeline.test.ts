/**
 * The daily pipeline against a real MLflow server: every run lands in MLflow over its REST API, the
 * registry's `champion` alias decides which version serves, promotions move that alias, and a server
 * outage blocks no prediction and loses no run. The days run in order and build on each other.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../pipelines/catalog.js';
import { syncMlflowOutbox } from '../../pipelines/cli/mlflow.js';
import { loadConfig, type Config } from '../../pipelines/config.js';
import { runDaily, type TickerResult } from '../../pipelines/daily.js';
import { createLogger, nullLogger } from '../../pipelines/log.js';
import { loadArtifacts, saveArtifacts } from '../../pipelines/model/io/artifacts.js';
import {
  ARTIFACT_KEY_TAG,
  DATA_THROUGH_TAG,
  registeredModelName,
} from '../../pipelines/model/step.js';
import { configHash } from '../../pipelines/model/fit.js';
import {
  MlflowClient,
  type MlflowLoggedModel,
  type MlflowModelVersion,
  type MlflowRun,
} from '../../pipelines/ports/tracking/mlflow-client.js';
import { KEY_TAG } from '../../pipelines/ports/tracking/mlflow.js';
import type { RowOf } from '../../pipelines/ports/warehouse/schema.js';
import type { MlflowServer } from '../support/mlflow-server.js';
import { sharedMlflowServer } from '../support/mlflow-shared.js';
import { disposeMembers } from '../../pipelines/model/network/ensemble.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const PYTHON = join(ROOT, '.venv/mlflow/bin/python');
const TICKER = 'SP500';
const MODEL = registeredModelName(TICKER);
const EXPERIMENT = 'stockops-it';
// Retraining policy is outside the config hash: LOAD keeps a fresh champion, RETRAIN finds any old.
const LOAD = { maxAgeDays: 365 };
const RETRAIN = { maxAgeDays: 1 };

let server: MlflowServer;
let client: MlflowClient;
const dirA = mkdtempSync(join(tmpdir(), 'stockops-mlflow-pipe-'));

function configFor(dir: string, policy: { maxAgeDays: number }, experiment = EXPERIMENT): Config {
  return loadConfig({
    env: {
      STOCKOPS_DATA_DIR: dir,
      MLFLOW_TRACKING_URI: server.uri,
      MLFLOW_EXPERIMENT_NAME: experiment,
      MLFLOW_HTTP_REQUEST_TIMEOUT: '5',
    },
    overrides: {
      watchlist: [TICKER],
      source: { startDate: '2018-01-01' },
      // A long cooldown keeps drift from retraining between the days this test arranges.
      model: { units: 16, epochs: 2, trainDays: 200, retrainCooldownDays: 90, ...policy },
    },
  });
}

interface Day {
  result: TickerResult;
  decision: RowOf<'model_decisions'>;
  predictions: RowOf<'predictions'>[];
  cat: Catalog;
}

/** Runs one day and hands the still-open catalog to `check`, so its store and warehouse can be read. */
async function day<T>(
  date: string,
  config: Config,
  check: (d: Day) => T | Promise<T>,
  log = nullLogger,
): Promise<T> {
  const cat = await openCatalog(config, { log });
  try {
    const { results } = await runDaily(cat, { date });
    const result = results[0] as TickerResult;
    expect(result, JSON.stringify(result)).toMatchObject({ ticker: TICKER, status: 'ok' });
    const [decision] = await cat.warehouse.select('model_decisions', {
      where: { ticker: TICKER, as_of_date: result.asOf ?? date },
    });
    const predictions = await cat.warehouse.select('predictions', {
      where: { ticker: TICKER, as_of_date: result.asOf ?? date },
    });
    if (!decision) throw new Error(`no model_decisions row for ${date}`);
    return await check({ result, decision, predictions, cat });
  } finally {
    await cat.close();
  }
}

const tagsOf = (x: { tags?: { key: string; value: string }[] }): Record<string, string> =>
  Object.fromEntries((x.tags ?? []).map((t) => [t.key, t.value]));
const paramsOf = (run: MlflowRun): Record<string, string> =>
  Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));

/** Every run (deleted ones included) carrying this stockops.key. */
async function runsByKey(key: string, experiment = EXPERIMENT): Promise<MlflowRun[]> {
  const exp = await client.getExperimentByName(experiment);
  if (!exp) return [];
  const { runs } = await client.searchRuns({
    experimentIds: [exp.experiment_id],
    filter: `tags.\`${KEY_TAG}\` = '${key}'`,
    runViewType: 'ALL',
  });
  return runs;
}

async function onlyRun(key: string, experiment = EXPERIMENT): Promise<MlflowRun> {
  const runs = await runsByKey(key, experiment);
  expect(runs.map((r) => r.info.run_id)).toHaveLength(1);
  return runs[0] as MlflowRun;
}

const champion = async (): Promise<MlflowModelVersion | undefined> =>
  client.getModelVersionByAlias(MODEL, 'champion');
const labelOf = (v: MlflowModelVersion | undefined): string | undefined =>
  tagsOf(v ?? {})
    [ARTIFACT_KEY_TAG]?.split('/')
    .at(-1);

/** The training run's logged model (MLflow 3): the one model among the run's outputs. */
async function loggedModelOf(run: MlflowRun): Promise<MlflowLoggedModel> {
  const full = await client.getRun(run.info.run_id);
  expect(full.outputs.model_outputs).toHaveLength(1);
  const model = await client.getLoggedModel(full.outputs.model_outputs[0]?.model_id ?? '');
  if (!model) throw new Error(`run ${run.info.run_id} names a logged model MLflow does not have`);
  return model;
}

async function expectArtifactsIdentical(run: MlflowRun, cat: Catalog, key: string): Promise<void> {
  const model = await loggedModelOf(run);
  for (const f of ['model.json', 'weights.bin', 'meta.json', 'reference.json', 'manifest.json']) {
    const local = await cat.store.get(`${key}/${f}`);
    expect(local, `${key}/${f} in the object store`).toBeDefined();
    const remote = await client.downloadArtifact(model.info.artifact_uri, f);
    expect(Buffer.from(remote).equals(Buffer.from(local as Uint8Array)), f).toBe(true);
  }
}

/** MLflow's own Python client reads the model back through the server, as `mlflow models` would. */
async function readWithMlflowPython(uri: string): Promise<Record<string, unknown>> {
  const script = [
    'import json, sys, mlflow',
    'from mlflow.models import Model',
    'path = mlflow.artifacts.download_artifacts(artifact_uri=sys.argv[1])',
    'm = Model.load(path)',
    'ex = m.load_input_example(path)',
    'print(json.dumps({"flavors": sorted(m.flavors), "artifact_path": m.artifact_path,',
    '  "inputs": m.signature.inputs.to_dict(), "outputs": m.signature.outputs.to_dict(),',
    '  "example": {k: list(v.shape) for k, v in ex.items()}, "uuid": m.model_uuid}))',
  ].join('\n');
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, uri], {
    env: { ...process.env, MLFLOW_TRACKING_URI: server.uri },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

const outboxFiles = (dir: string): string[] => {
  try {
    return readdirSync(join(dir, 'mlflow-outbox')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  server = await sharedMlflowServer();
  client = new MlflowClient({ uri: server.uri });
});

afterAll(async () => {
  await server?.stop();
});

describe('daily pipeline on a real MLflow server', () => {
  const labels: Record<string, string> = {};

  it('day 1: the training run, its per-epoch metrics, artifacts and the first champion', async () => {
    const config = configFor(dirA, LOAD);
    const before = Date.now();
    await day('2019-06-03', config, async ({ result, decision, predictions, cat }) => {
      expect(decision).toMatchObject({ decision: 'train', promoted: true });
      const label = decision.model_version as string;
      labels.v1 = label;
      const key = `models/${TICKER}/${label}`;

      const train = await onlyRun(`train:${TICKER}:2019-06-03:${label}`);
      expect(train.info.status).toBe('FINISHED');
      // The run spans the fit, not an instant.
      expect(train.info.start_time).toBeGreaterThanOrEqual(before);
      expect((train.info.end_time ?? 0) - (train.info.start_time ?? 0)).toBeGreaterThan(1);
      expect(paramsOf(train)).toMatchObject({
        units: '16',
        lookback: '30',
        backend: result.backend,
        config_hash: configHash(config),
        warm_start: 'false',
      });
      expect(tagsOf(train.data)).toMatchObject({
        ticker: TICKER,
        stage: 'train',
        backend: result.backend,
        git_commit: config.build.gitCommit,
        config_hash: configHash(config),
        decision: 'no champion yet',
        promoted: 'true',
        model_version: label,
        warm_start: 'false',
      });
      const loss = await client.getMetricHistory(train.info.run_id, 'loss');
      const valLoss = await client.getMetricHistory(train.info.run_id, 'val_loss');
      expect(loss.length).toBeGreaterThanOrEqual(1);
      expect(loss.length).toBeLessThanOrEqual(config.model.epochs);
      expect(valLoss.map((m) => m.step)).toEqual(loss.map((m) => m.step));
      // One point per epoch, in epoch order.
      expect(new Set(loss.map((m) => m.step)).size).toBe(loss.length);
      expect([...loss.map((m) => m.step)].sort((a, b) => a - b)).toEqual(loss.map((m) => m.step));
      for (const m of [...loss, ...valLoss]) expect(Number.isFinite(m.value)).toBe(true);
      await expectArtifactsIdentical(train, cat, key);

      const predict = await onlyRun(`predict:${TICKER}:2019-06-03`);
      expect(paramsOf(predict)).toMatchObject({ as_of: '2019-06-03', model_version: label });
      expect(tagsOf(predict.data)).toMatchObject({ stage: 'predict', decision: 'train' });
      const h10 = predict.data.metrics.find((m) => m.key === 'predicted_close_h10');
      expect(h10?.value).toBeCloseTo(predictions[0]?.predicted_close ?? Number.NaN, 6);

      const champ = await champion();
      expect(champ).toMatchObject({ version: '1', run_id: train.info.run_id });
      expect(champ?.aliases.sort()).toEqual(['challenger', 'champion']);
      expect(tagsOf(champ ?? {})).toMatchObject({
        [ARTIFACT_KEY_TAG]: key,
        [DATA_THROUGH_TAG]: '2019-06-03',
        config_hash: configHash(config),
      });

      // The version is the run's logged model, an MLflow Model directory MLflow itself can read.
      const model = await loggedModelOf(train);
      expect(model.info).toMatchObject({
        source_run_id: train.info.run_id,
        status: 'LOGGED_MODEL_READY',
        model_type: 'tfjs',
      });
      expect(tagsOf({ tags: model.data.params })).toMatchObject({ units: '16', lookback: '30' });
      // MLflow keeps the version's model_id, but its REST answer only shows it in the source.
      expect(champ?.source).toBe(`models:/${model.info.model_id}`);
      const mlmodel = Buffer.from(
        await client.downloadArtifact(model.info.artifact_uri, 'MLmodel'),
      ).toString('utf8');
      expect(mlmodel).toMatch(/^artifact_path: "model"$/m);
      expect(mlmodel).toMatch(/^ {4}format: "layers-model"$/m);
      const files = (await client.listArtifacts(model.info.artifact_uri)).map((f) => f.path);
      expect(files).toEqual(
        expect.arrayContaining([
          'MLmodel',
          'input_example.json',
          'serving_input_example.json',
          'package.json',
          'model.json',
          'weights.bin',
          'meta.json',
        ]),
      );
      const metaBytes = (await cat.store.get(`${key}/meta.json`)) as Uint8Array;
      const meta = JSON.parse(Buffer.from(metaBytes).toString('utf8')) as {
        columns: string[];
        lookback: number;
        horizons: number[];
      };
      const read = await readWithMlflowPython(`models:/${MODEL}/1`);
      expect(read).toMatchObject({ flavors: ['tfjs'], artifact_path: 'model' });
      expect(read.inputs).toEqual(
        meta.columns.map((name) => ({
          name,
          type: 'tensor',
          'tensor-spec': { dtype: 'float32', shape: [-1, meta.lookback] },
        })),
      );
      expect(read.outputs).toEqual([
        {
          name: 'ratio',
          type: 'tensor',
          'tensor-spec': { dtype: 'float32', shape: [-1, meta.horizons.length] },
        },
      ]);
      expect(read.example).toEqual(
        Object.fromEntries(meta.columns.map((c) => [c, [1, meta.lookback]])),
      );
    });
    // Training, plus MLflow's Python client starting up to read the model back.
  }, 300_000);

  it('day 2: a retrained challenger moves the champion alias exactly when it wins', async () => {
    await day('2019-06-10', configFor(dirA, RETRAIN), async ({ decision }) => {
      expect(decision.decision).toBe('train');
      expect(decision.reason).toMatch(/champion is 7 days old/);
      const challenger = await client.getModelVersionByAlias(MODEL, 'challenger');
      expect(challenger?.version).toBe('2');
      labels.v2 = labelOf(challenger) as string;
      expect(labels.v2).toMatch(/^2019-06-10-/);
      const { challenger_mase: mine, champion_mase: theirs } = decision;
      expect(mine).not.toBeNull();
      expect(theirs).not.toBeNull();
      expect(decision.promoted).toBe((mine as number) < (theirs as number));
      const champ = await champion();
      expect(champ?.version).toBe(decision.promoted ? '2' : '1');
      expect(decision.model_version).toBe(decision.promoted ? labels.v2 : labels.v1);
      expect(decision.champion_version).toBe(decision.promoted ? labels.v2 : null);
    });
  });

  it('day 3: the version the champion alias names is the one that serves', async () => {
    const current = await champion();
    const other = current?.version === '1' ? '2' : '1';
    const otherLabel = other === '1' ? labels.v1 : labels.v2;
    // The alias moved by hand, outside the pipeline: nothing local knows about it.
    await client.setAlias(MODEL, 'champion', other);
    await day('2019-06-11', configFor(dirA, LOAD), async ({ result, decision, predictions }) => {
      expect(decision).toMatchObject({ decision: 'load', model_version: otherLabel });
      expect(result.modelVersion).toBe(otherLabel);
      expect(predictions.length).toBeGreaterThan(0);
      for (const p of predictions) expect(p.model_version).toBe(otherLabel);
      const predict = await onlyRun(`predict:${TICKER}:2019-06-11`);
      expect(paramsOf(predict).model_version).toBe(otherLabel);
    });
  });

  it('day 4: a challenger beating a bad champion on the holdout takes the alias from it', async () => {
    // A deliberately bad champion: the served version with its output bias raised by 5, so it
    // forecasts every close about six times today's (finite, so its MASE can be compared).
    const tracker = await openCatalog(configFor(dirA, LOAD), { log: nullLogger });
    try {
      const served = labelOf(await champion()) as string;
      const src = await loadArtifacts(tracker.store, `models/${TICKER}/${served}`);
      const out = src.members[0]?.layers.at(-1);
      const [kernel, bias] = out?.getWeights() ?? [];
      if (!out || !kernel || !bias) throw new Error('no output layer weights');
      out.setWeights([kernel, tf.add(bias, 5)]);
      const badKey = `models/${TICKER}/bad-2019-06-11`;
      await saveArtifacts(tracker.store, badKey, src);
      disposeMembers(src.members);
      const v1Run = await onlyRun(`train:${TICKER}:2019-06-03:${labels.v1}`);
      const bad = await tracker.tracker.registry.createVersion(MODEL, {
        source: tracker.store.uri(badKey),
        runId: v1Run.info.run_id,
        tags: { [ARTIFACT_KEY_TAG]: badKey, [DATA_THROUGH_TAG]: '2019-06-11' },
      });
      expect(bad.version).toBe('3');
      await tracker.tracker.registry.setAlias(MODEL, 'champion', bad.version);
    } finally {
      await tracker.close();
    }

    await day('2019-06-17', configFor(dirA, RETRAIN), async ({ decision }) => {
      expect(decision).toMatchObject({ decision: 'train', promoted: true });
      expect(decision.reason).toMatch(/champion is 6 days old.*challenger MASE/);
      expect(decision.champion_mase).toBeGreaterThan(decision.challenger_mase as number);
      const champ = await champion();
      expect(champ?.version).toBe('4');
      expect(labelOf(champ)).toBe(decision.model_version);
      labels.v4 = decision.model_version as string;
      const train = await onlyRun(`train:${TICKER}:2019-06-17:${labels.v4}`);
      expect(champ?.run_id).toBe(train.info.run_id);
      expect(tagsOf(train.data).promoted).toBe('true');
    });
  });

  it('a server outage blocks no prediction; `stockops mlflow sync` delivers every run once', async () => {
    const dirC = mkdtempSync(join(tmpdir(), 'stockops-mlflow-fresh-'));
    const lines: string[] = [];
    const log = createLogger({ json: true, write: (l) => lines.push(l) });
    await server.halt();
    try {
      // A ticker with history serves the version it served last, without asking the registry.
      await day(
        '2019-06-18',
        configFor(dirA, LOAD),
        ({ decision, predictions }) => {
          expect(decision.decision).toBe('load');
          expect(decision.model_version).toBe(labels.v4);
          expect(decision.reason).toMatch(/model registry unavailable.*served on 2019-06-17/);
          expect(predictions.map((p) => p.model_version)).toEqual([labels.v4]);
        },
        log,
      );
      expect(outboxFiles(dirA)).toHaveLength(1);
      // A ticker with no history trains and serves, unregistered; both runs wait in the outbox.
      await day(
        '2019-06-18',
        configFor(dirC, LOAD, 'stockops-it-outage'),
        ({ decision, predictions }) => {
          expect(decision).toMatchObject({ decision: 'train', promoted: false });
          expect(decision.reason).toMatch(/registry not updated/);
          expect(predictions).toHaveLength(1);
          labels.fresh = decision.model_version as string;
        },
        log,
      );
      expect(outboxFiles(dirC)).toHaveLength(2);
      expect(lines.join('\n')).toMatch(
        /model registry unavailable; serving the version served last/,
      );
    } finally {
      await server.restart();
    }

    const env = {
      ...process.env,
      STOCKOPS_DATA_DIR: dirA,
      MLFLOW_TRACKING_URI: server.uri,
      MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
    };
    const cli = promisify(execFile);
    const { stdout } = await cli(TSX, ['pipelines/cli.ts', 'mlflow', 'sync'], { cwd: ROOT, env });
    expect(stdout).toMatch(/1 delivered, 0 remaining/);
    expect(outboxFiles(dirA)).toHaveLength(0);

    const cfgC = configFor(dirC, LOAD, 'stockops-it-outage');
    expect(await syncMlflowOutbox(cfgC, nullLogger)).toMatchObject({ delivered: 2, remaining: 0 });
    // A second sync finds nothing left: delivery is not repeated.
    expect(await syncMlflowOutbox(cfgC, nullLogger)).toMatchObject({ delivered: 0, remaining: 0 });

    const predictA = await onlyRun(`predict:${TICKER}:2019-06-18`);
    expect(paramsOf(predictA).model_version).toBe(labels.v4);
    await onlyRun(`predict:${TICKER}:2019-06-18`, 'stockops-it-outage');
    const trainC = await onlyRun(
      `train:${TICKER}:2019-06-18:${labels.fresh}`,
      'stockops-it-outage',
    );
    const catC = await openCatalog(cfgC, { log: nullLogger });
    try {
      await expectArtifactsIdentical(trainC, catC, `models/${TICKER}/${labels.fresh}`);
    } finally {
      await catC.close();
    }
    // The registry was never told about the fresh version, and its champion did not move.
    await expect(client.getModelVersion(MODEL, '5')).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST|404/);
    expect((await champion())?.version).toBe('4');
  });

  it('`stockops mlflow sync` refuses a config without MLflow tracking', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, STOCKOPS_DATA_DIR: dirA };
    delete env.MLFLOW_TRACKING_URI;
    const cli = promisify(execFile);
    const err = await cli(TSX, ['pipelines/cli.ts', 'mlflow', 'sync'], {
      cwd: ROOT,
      env,
    }).then(
      () => undefined,
      (e: Error & { code?: number; stderr?: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/tracking is not configured for MLflow/);
  });
});
