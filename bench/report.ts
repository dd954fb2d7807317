/** The bench's printed report: plain text tables, then PASS/MISS against the targets. */
import type { ChildOutcome, Rss } from './child.js';
import type { BenchReport, DailyResult } from './types.js';

const TARGETS = { predictMiB: 512, trainMiB: 2048, dailyPerTickerS: 1 } as const;

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const fixed = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const mib = (v: number): string => `${v.toFixed(0)} MiB`;
/** Peak RSS, then what was resident at the end: anonymous + file-backed (library code). */
const rss = (r: Rss): string =>
  typeof r.anonMiB !== 'number' || typeof r.fileMiB !== 'number'
    ? mib(r.peakMiB)
    : `${mib(r.peakMiB)} (${r.anonMiB.toFixed(0)}+${r.fileMiB.toFixed(0)})`;
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
const failed = (o: ChildOutcome<unknown>): string => (o.ok ? '' : `unavailable: ${o.error}`);

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  const keras = r.keras.ok ? r.keras.result : undefined;
  const trainShape = Object.values(r.training).find((t) => t.ok);
  out.push(
    `StockOps benchmark, ${m.date}`,
    `Machine: ${m.cpuModel}, ${m.nproc} CPUs (nproc), ${m.platform}, Node ${m.node}`,
    `Load average (1, 5, 15 min): ${m.loadAvgStart.join(' ')} at start, ${m.loadAvgEnd.join(' ')} at end`,
    `Data: ${r.data.ticker} ${r.data.from}..${r.data.to}, ${r.data.bars} bars -> ${r.data.trainSplit} training windows` +
      (trainShape?.ok
        ? ` [${trainShape.result.inputShape.join(' x ')}], batch ${trainShape.result.batchSize}`
        : ''),
    'Model: the default LSTM(200, sigmoid) -> Dropout(0.2) -> Dense(1, relu), Adam 1e-3, MSE (+ mse, mae metrics)',
    '',
    '1. Training: model.fit without validation; epoch 1 is warm-up, reported apart, not in samples/s',
  );
  const trainRows = Object.entries(r.training).map(([b, o]) => {
    if (!o.ok) return [b, failed(o)];
    const t = o.result;
    return [
      b,
      t.capped ? `${t.samples} (cap)` : t.samples,
      `1+${t.epochs - 1}`,
      fixed(t.buildS),
      fixed(t.warmupS),
      fixed(t.secPerEpoch, 3),
      fixed(t.samplesPerS, 1),
      keras ? `${fixed(t.samplesPerS / keras.samples_per_s)}x` : 'n/a',
      rss(t.rss),
    ];
  });
  if (keras) {
    trainRows.push([
      `keras ${keras.keras_version} (TF ${keras.tf_version}, ${keras.threads} threads)`,
      keras.samples,
      `1+${keras.epochs - 1}`,
      '',
      fixed(keras.epoch_seconds[0] ?? Number.NaN),
      fixed(keras.sec_per_epoch, 3),
      fixed(keras.samples_per_s, 1),
      '1.00x',
      mib(keras.peak_rss_mib),
    ]);
  } else {
    trainRows.push(['keras', failed(r.keras)]);
  }
  out.push(
    table(
      [
        'trainer',
        'samples',
        'epochs',
        'build s',
        'warm-up s',
        's/epoch',
        'samples/s',
        'ours/Keras',
        'peak RSS',
      ],
      trainRows,
    ),
  );
  out.push(
    'peak RSS: the process maximum; in brackets what was resident at the end, anonymous + file-backed (clean library pages)',
  );
  const native = r.training.tensorflow;
  if (native?.ok && native.result.pipeline) {
    const p = native.result.pipeline;
    out.push(
      `Pipeline trainModel on tensorflow (validation pass, seeded reshuffle, best weights kept): ` +
        `${fixed(p.secPerEpoch)} s/epoch over ${p.epochs} epochs, first included`,
    );
  }

  out.push('', '2. Inference, one ticker: a saved version loaded from the object store');
  out.push(
    table(
      [
        'backend',
        'load ms',
        '1 window 1st ms',
        '1 window median ms',
        'batch',
        'batch median ms',
        'ms/window',
        'peak RSS',
      ],
      Object.entries(r.inference).map(([b, o]) => {
        if (!o.ok) return [b, failed(o)];
        const p = o.result;
        return [
          b,
          fixed(p.loadVersionMs, 0),
          fixed(p.oneWindow.firstMs, 1),
          fixed(p.oneWindow.medianMs, 1),
          p.batch.windows,
          fixed(p.batch.medianMs, 1),
          fixed(p.batch.perWindowMs, 3),
          rss(p.rss),
        ];
      }),
    ),
  );

  const first = r.daily.find((d) => d.outcome.ok)?.outcome;
  const d0 = first?.ok ? first.result : undefined;
  out.push(
    '',
    `3. Daily batch (runDaily, concurrency ${r.settings.concurrency}, backend ${d0?.backend ?? 'n/a'}), ` +
      `copies of ${r.data.ticker} in a temp folder. S001 trained once (${r.settings.daily_epochs} epochs); ` +
      'its champion was registered for every other ticker. "run s" excludes process start-up, catalog open and backend load.',
  );
  const stages = ['ingest', 'features', 'model', 'forecast', 'drift', 'record'];
  out.push(
    table(
      [
        'day',
        'date',
        'tickers',
        'ok',
        'train/load',
        'start-up s',
        'run s',
        's/ticker',
        'peak RSS',
        `ms/ticker: ${stages.join(' / ')}`,
      ],
      r.daily.map((d) => {
        if (!d.outcome.ok) return [d.role, '', d.tickers, failed(d.outcome)];
        const x = d.outcome.result;
        return [
          d.role,
          x.date,
          x.tickers,
          x.ok,
          `${x.decisions.train}/${x.decisions.load}`,
          fixed(x.startupS + x.openCatalogS + x.backendS),
          fixed(x.runS),
          fixed(x.perTickerS, 3),
          rss(x.rss),
          stages.map((s) => fixed(x.stageMsPerTicker[s] ?? Number.NaN, 0)).join(' / '),
        ];
      }),
    ),
  );
  const timed = r.daily
    .filter((d) => d.role === 'timed' && d.outcome.ok)
    .map((d) => (d.outcome as { result: DailyResult }).result);
  const base = timed.find((t) => t.tickers > 1) ?? timed[0];
  const last = timed.at(-1);
  if (base && last && last !== base) {
    out.push(
      `Growth: ${base.tickers} -> ${last.tickers} tickers (x${fixed(last.tickers / base.tickers, 0)}): ` +
        `total x${fixed(last.runS / base.runS)}, s/ticker ${fixed(base.perTickerS, 3)} -> ${fixed(last.perTickerS, 3)}`,
    );
  }

  out.push('', 'Targets');
  const targets: string[] = [];
  const natives = Object.entries(r.training).filter(([k, o]) => k.startsWith('tensorflow') && o.ok);
  if (natives.length && keras) {
    for (const [k, o] of natives) {
      const ours = o.ok ? o.result.samplesPerS : Number.NaN;
      targets.push(
        `${verdict(ours >= keras.samples_per_s)}  native training throughput >= Keras (${k}): ` +
          `${fixed(ours, 1)} vs ${fixed(keras.samples_per_s, 1)} samples/s (${fixed(ours / keras.samples_per_s)}x)`,
      );
    }
  } else {
    targets.push('n/a   native training throughput >= Keras: one of them did not run');
  }
  for (const t of timed) {
    const loaded = t.decisions.load === t.tickers;
    targets.push(
      `${verdict(loaded && t.perTickerS < TARGETS.dailyPerTickerS)}  loaded-model daily path < 1 s/ticker, ` +
        `${t.tickers} ticker(s): ${fixed(t.perTickerS, 3)} s/ticker` +
        (loaded ? '' : ` (only ${t.decisions.load} of ${t.tickers} loaded)`),
    );
  }
  for (const [b, o] of Object.entries(r.inference)) {
    if (o.ok)
      targets.push(
        `${verdict(o.result.rss.peakMiB <= TARGETS.predictMiB)}  prediction run <= 512 MiB, ${b} (predict.ts): ${mib(o.result.rss.peakMiB)}`,
      );
  }
  for (const t of timed) {
    targets.push(
      `${verdict(t.rss.peakMiB <= TARGETS.predictMiB)}  prediction run <= 512 MiB, daily ${t.backend} x${t.tickers}: ${mib(t.rss.peakMiB)}`,
    );
  }
  for (const [b, o] of Object.entries(r.training)) {
    if (o.ok)
      targets.push(
        `${verdict(o.result.rss.peakMiB <= TARGETS.trainMiB)}  training run <= 2 GiB, ${b} (train.ts, ${o.result.samples} windows): ${mib(o.result.rss.peakMiB)}`,
      );
  }
  const trainDay = r.daily.find((d) => d.role === 'train');
  if (trainDay?.outcome.ok) {
    const x = trainDay.outcome.result;
    targets.push(
      `${verdict(x.rss.peakMiB <= TARGETS.trainMiB)}  training run <= 2 GiB, daily ${x.backend} training day: ${mib(x.rss.peakMiB)}`,
    );
  }
  out.push(...targets, '', `Bench wall time ${r.durationS} s`);
  return out.join('\n');
}
