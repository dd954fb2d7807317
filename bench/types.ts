/** What each bench child reports (see train.ts, predict.ts, daily.ts, keras_reference.py). */
import type { ChildOutcome, Rss } from './child.js';
import type { TrainingDayResult } from './training-cost.js';

export interface TrainResult {
  backend: string;
  detail: string;
  lstm: string;
  threads: string;
  samples: number;
  capped: boolean;
  trainSplit: number;
  validation: number;
  inputShape: number[];
  batchSize: number;
  epochs: number;
  buildS: number;
  epochSeconds: number[];
  warmupS: number;
  warmupExcluded: boolean;
  secPerEpoch: number;
  samplesPerS: number;
  pipeline: { epochs: number; seconds: number; secPerEpoch: number } | null;
  rss: Rss;
}

export interface PredictResult {
  backend: string;
  detail: string;
  lstm: string;
  threads: string;
  loadVersionMs: number;
  oneWindow: { firstMs: number; medianMs: number; repeats: number };
  batch: {
    windows: number;
    firstMs: number;
    medianMs: number;
    repeats: number;
    perWindowMs: number;
  };
  rss: Rss;
}

export interface DailyResult {
  date: string;
  tickers: number;
  concurrency: number;
  backend: string;
  lstm: string;
  threads: string;
  ok: number;
  failed: string[];
  decisions: { train: number; load: number };
  servingVersion: string | null;
  startupS: number;
  openCatalogS: number;
  backendS: number;
  runS: number;
  perTickerS: number;
  stageMsPerTicker: Record<string, number>;
  cloned: number;
  cloneS: number;
  rss: Rss;
}

export interface KerasResult {
  tf_version: string;
  keras_version: string;
  threads: number;
  samples: number;
  epochs: number;
  batch_size: number;
  input_shape: number[];
  metrics: string[];
  epoch_seconds: number[];
  warmup_excluded: boolean;
  sec_per_epoch: number;
  samples_per_s: number;
  peak_rss_mib: number;
}

export interface Machine {
  date: string;
  cpuModel: string;
  nproc: number;
  loadAvgStart: number[];
  loadAvgEnd: number[];
  node: string;
  platform: string;
}

export interface DailyDay {
  role: 'train' | 'warm-up' | 'timed';
  /** Which variant: LSTM implementation, threads, concurrency. */
  label: string;
  tickers: number;
  outcome: ChildOutcome<DailyResult>;
}

export interface BenchReport {
  machine: Machine;
  settings: Record<string, string | number>;
  data: { ticker: string; from: string; to: string; bars: number; trainSplit: number };
  training: Record<string, ChildOutcome<TrainResult>>;
  /** Keras runs by label ('default' threads, '1 thread'). */
  keras: Record<string, ChildOutcome<KerasResult>>;
  /** Two training processes at once, each's samples/s. */
  concurrent: Record<string, ChildOutcome<TrainResult>[]>;
  inference: Record<string, ChildOutcome<PredictResult>>;
  daily: DailyDay[];
  /** bench/training-cost.ts: a training day's CPU-seconds by variant. */
  trainingDay: Record<string, ChildOutcome<TrainingDayResult>>;
  durationS: number;
}
