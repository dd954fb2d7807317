/**
 * Child: inference for one ticker on one backend, with a model version the daily batch trained
 * and saved: load it from the object store, forecast one window through forecastWith (what
 * the forecast stage calls), then predict a batch of windows. The process's peak RSS at the end
 * is the prediction run's.
 *
 *   tsx bench/predict.ts --backend wasm --store <dir> --key models/S001/<label> --symbol SPY \
 *     --as-of 2017-11-01 [--batch 250] [--repeats 20]
 */
import { selectBackend, type BackendPreference } from '../pipelines/model/runtime/backend.js';
import { computeIndicators } from '../pipelines/features/indicators.js';
import { loadArtifacts } from '../pipelines/model/io/artifacts.js';
import { BAR_COLUMNS, buildSamples } from '../pipelines/model/dataset.js';
import {
  forceLstmImplementation,
  lstmImplementation,
  type LstmImplementation,
} from '../pipelines/model/network/lstm.js';
import { applyScaler } from '../pipelines/model/normalise.js';
import { forecastWith } from '../pipelines/model/fit.js';
import { createLocalObjectStore } from '../pipelines/ports/object-store/local.js';
import { emit, flags, round, threadEnv } from './child.js';
import { defaultConfig, loadBars } from './data.js';
import { disposeMembers, predictEnsemble } from '../pipelines/model/network/ensemble.js';

const f = flags({
  backend: undefined,
  store: undefined,
  key: undefined,
  symbol: undefined,
  'as-of': undefined,
  batch: '250',
  repeats: '20',
  lstm: 'auto',
});
const batch = Number(f.batch);
const repeats = Number(f.repeats);

const ms = (t0: number): number => round(performance.now() - t0, 2);
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return round(s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2, 2);
};

const sel = await selectBackend(f.backend as BackendPreference);
if (f.lstm !== 'auto') forceLstmImplementation(f.lstm as LstmImplementation);
const cfg = defaultConfig();
const bars = await loadBars(f.symbol, cfg.source.startDate, f['as-of']);
const features = computeIndicators(bars, cfg.indicators);

let t0 = performance.now();
const version = await loadArtifacts(createLocalObjectStore({ dir: f.store }), f.key);
const loadMs = ms(t0);

// One window: the first call pays kernel set-up, so it is reported apart from the steady state.
const asOf = bars.at(-1)?.date ?? '';
t0 = performance.now();
forecastWith(version, bars, features, asOf);
const oneFirstMs = ms(t0);
const one: number[] = [];
for (let i = 0; i < repeats; i++) {
  t0 = performance.now();
  forecastWith(version, bars, features, asOf);
  one.push(ms(t0));
}

// A batch: the last `batch` windows, scaled with the version's own scaler.
const { meta } = version;
const ds = buildSamples(bars, features, {
  lookback: meta.lookback,
  horizons: meta.horizons,
  featureColumns: meta.columns.slice(BAR_COLUMNS.length),
});
const windows = ds.samples.slice(-batch).map((s) => applyScaler(meta.scaler, s.x));
t0 = performance.now();
predictEnsemble(version.members, windows);
const batchFirstMs = ms(t0);
const many: number[] = [];
for (let i = 0; i < Math.max(3, Math.ceil(repeats / 4)); i++) {
  t0 = performance.now();
  predictEnsemble(version.members, windows);
  many.push(ms(t0));
}
disposeMembers(version.members);

emit({
  backend: sel.name,
  detail: sel.detail,
  lstm: lstmImplementation(),
  threads: threadEnv(),
  loadVersionMs: loadMs,
  oneWindow: { firstMs: oneFirstMs, medianMs: median(one), repeats: one.length },
  batch: {
    windows: windows.length,
    firstMs: batchFirstMs,
    medianMs: median(many),
    repeats: many.length,
    perWindowMs: round(median(many) / windows.length, 3),
  },
});
