/**
 * Child: the model half of one ticker's training day at the pipeline's defaults — fitModel on the
 * bench ticker's real history as of one session: K members, early stopping, best weights kept —
 * in CPU-seconds (user + system, every thread: what a 1-vCPU function pays), wall seconds and
 * peak RSS, with the holdout MASE beside naive so cheaper never hides worse.
 *
 * --settings before: the model settings of before issue 19 (ratio target, Glorot output, lr 1e-3,
 * no L2, 30 epochs, patience 5) on the same data. --warm: first a cold fit `--warm-gap` sessions
 * earlier (not measured), then the measured fit warm-started from it, as the daily step starts from
 * the serving version.
 *
 *   tsx bench/training-day.ts [--settings after|before] [--warm 0|1] [--warm-gap 21] [--tf-threads 0|1]
 */
import { loadConfig } from '../pipelines/config.js';
import { computeIndicators } from '../pipelines/features/indicators.js';
import { fitModel } from '../pipelines/model/fit.js';
import { disposeMembers } from '../pipelines/model/network/ensemble.js';
import { lstmImplementation } from '../pipelines/model/network/lstm.js';
import { ensureBackend } from '../pipelines/model/runtime/backend.js';
import { emit, flags, round, threadEnv } from './child.js';
import { BENCH_TICKER, loadBars } from './data.js';

const f = flags({ settings: 'after', warm: '0', 'warm-gap': '21', 'tf-threads': '0' });
/** The defaults of before issue 19 that changed (docs/model.md). */
const BEFORE = {
  learningRate: 0.001,
  l2: 0,
  minDelta: 0,
  target: { kind: 'ratio' as const },
  warmStart: { enabled: false, epochs: 5 },
  epochs: 30,
  patience: 5,
  batchSize: 32,
  dropout: 0.2,
};
const warm = f.warm === '1';
const base = loadConfig({ env: {} });
// --tf-threads 1: TensorFlow sizes its own pools (config 0), instead of the config's default.
const tfThreads = f['tf-threads'] === '1' ? { threads: { intraOp: 0, interOp: 0 } } : {};
const cfg = loadConfig({
  env: {},
  overrides: {
    model:
      f.settings === 'before'
        ? { ...BEFORE, ...tfThreads }
        : {
            warmStart: { ...base.model.warmStart, enabled: warm || base.model.warmStart.enabled },
            ...tfThreads,
          },
  },
});
const backend = await ensureBackend(cfg.model.backend, undefined, cfg.model.threads);
const bars = await loadBars(BENCH_TICKER.symbol, BENCH_TICKER.from, BENCH_TICKER.to);
const features = computeIndicators(bars, cfg.indicators);
// As of a year before the file's end, so the holdout is ordinary history.
const asOfIx = features.length - 253;
const upTo = (ix: number) => {
  const date = (features[ix] as { date: string }).date;
  return { bars: bars.filter((b) => b.date <= date), features: features.slice(0, ix + 1) };
};
let from: Awaited<ReturnType<typeof fitModel>> | undefined;
if (warm) {
  const d = upTo(asOfIx - Number(f['warm-gap']));
  from = await fitModel(d.bars, d.features, cfg, { backend: backend.name });
}
const d = upTo(asOfIx);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const fit = await fitModel(d.bars, d.features, cfg, {
  backend: backend.name,
  ...(from ? { warmStart: { members: from.artifacts.members, meta: from.artifacts.meta } } : {}),
});
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
emit({
  settings: f.settings,
  asOf: (features[asOfIx] as { date: string }).date,
  members: fit.trainings.length,
  warmStart: fit.artifacts.meta.training?.warmStart ?? false,
  epochsRun: fit.trainings.map((t) => t.epochsRun),
  cpuS: round((cpu.user + cpu.system) / 1e6, 2),
  wallS: round(wallS, 2),
  holdoutMase: fit.evaluation.map((e) => (e.model.mase === null ? null : round(e.model.mase, 4))),
  memberMase: fit.memberEvaluation.map((e) =>
    e.model.mase === null ? null : round(e.model.mase, 4),
  ),
  backend: backend.name,
  lstm: lstmImplementation(),
  threads: threadEnv(),
});
disposeMembers(fit.artifacts.members);
if (from) disposeMembers(from.artifacts.members);
