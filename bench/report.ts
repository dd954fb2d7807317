/** The bench's printed report: plain text tables, then PASS/MISS against the targets. */
import { formatTable } from '../pipelines/cli/table.js';
import type { ChildOutcome, Rss } from './child.js';
import type { BenchReport, DailyResult } from './types.js';

const TARGETS = { predictMiB: 512, trainMiB: 2048, dailyPerTickerS: 1 } as const;

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
  const kerasOf = (k: string) => {
    const o = r.keras[k];
    return o?.ok ? o.result : undefined;
  };
  const keras = kerasOf('default threads');
  const keras1 = kerasOf('1 thread');
  /** The Keras run with the same thread setting as a training row. */
  const kerasFor = (key: string) => (key.includes('intra 1 inter 1') ? keras1 : keras);
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
    '1. Training: model.fit without validation; epoch 1 is warm-up, reported apart, not in samples/s.',
    '   Rows run back to back in this order; "ours/Keras" divides by the Keras run with the same threads.',
  );
  const trainRows = Object.entries(r.training).map(([b, o]) => {
    if (!o.ok) return [b, failed(o)];
    const t = o.result;
    const kb = kerasFor(b);
    return [
      `${b} (${t.backend})`,
      t.capped ? `${t.samples} (cap)` : t.samples,
      `1+${t.epochs - 1}`,
      fixed(t.buildS),
      fixed(t.warmupS),
      fixed(t.secPerEpoch, 3),
      fixed(t.samplesPerS, 1),
      kb ? `${fixed(t.samplesPerS / kb.samples_per_s)}x` : 'n/a',
      rss(t.rss),
    ];
  });
  for (const [k, o] of Object.entries(r.keras)) {
    if (!o.ok) {
      trainRows.push([`keras, ${k}`, failed(o)]);
      continue;
    }
    const kr = o.result;
    trainRows.push([
      `keras ${kr.keras_version} (TF ${kr.tf_version}), ${k}`,
      kr.samples,
      `1+${kr.epochs - 1}`,
      '',
      fixed(kr.epoch_seconds[0] ?? Number.NaN),
      fixed(kr.sec_per_epoch, 3),
      fixed(kr.samples_per_s, 1),
      '1.00x',
      mib(kr.peak_rss_mib),
    ]);
  }
  out.push(
    formatTable(
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
  const sps = (k: string): number => {
    const o = r.training[k];
    return o?.ok ? o.result.samplesPerS : Number.NaN;
  };
  out.push(
    `Ratios: fused/Keras ${fixed(sps('fused') / (keras?.samples_per_s ?? Number.NaN))}x (default threads), ` +
      `${fixed(sps('fused, intra 1 inter 1') / (keras1?.samples_per_s ?? Number.NaN))}x (1 thread); ` +
      `fused/layers ${fixed(sps('fused') / sps('layers'))}x (default threads); ` +
      `wasm bptt/layers ${fixed(sps('wasm bptt') / sps('wasm layers'))}x`,
  );
  for (const [k, pair] of Object.entries(r.concurrent)) {
    const each = pair.map((o) => (o.ok ? o.result.samplesPerS : Number.NaN));
    out.push(
      `Two fused trainings at once (two processes), ${k}: ${each.map((v) => fixed(v, 1)).join(' + ')} = ` +
        `${fixed(
          each.reduce((x, y) => x + y, 0),
          1,
        )} samples/s`,
    );
  }

  out.push('', '2. Inference, one ticker: a saved version loaded from the object store');
  out.push(
    formatTable(
      [
        'run',
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
          `${b} (${p.backend})`,
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
    `3. Daily batch (runDaily, backend ${d0?.backend ?? 'n/a'}), copies of ${r.data.ticker} in a temp folder. ` +
      `Training days are each ticker's first day (whole-history ingest + ${r.settings.daily_epochs} epochs). ` +
      'Then S001 trained once and its champion registered for every other ticker; the load-only days load it. ' +
      '"run s" excludes process start-up, catalog open and backend load.',
  );
  const stages = ['ingest', 'features', 'model', 'forecast', 'drift', 'record'];
  out.push(
    formatTable(
      [
        'day',
        'variant',
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
        if (!d.outcome.ok) return [d.role, d.label, '', d.tickers, failed(d.outcome)];
        const x = d.outcome.result;
        return [
          d.role,
          `${d.label} (c${x.concurrency})`,
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
  const runOf = (role: string, label: string, n: number): string => {
    const d = r.daily.find((x) => x.role === role && x.label === label && x.tickers === n);
    return d?.outcome.ok ? `${fixed(d.outcome.result.runS)} s` : 'not run';
  };
  const ns = [...new Set(r.daily.map((d) => d.tickers))].sort((x, y) => x - y);
  out.push(
    '',
    'Before (layers path) / after (fused), daily batch wall time ("run s"), concurrency 2:',
    formatTable(
      ['day', ...ns.map((n) => `${n} ticker(s)`)],
      [
        ['training day, before', ...ns.map((n) => runOf('train', 'layers', n))],
        ['training day, after', ...ns.map((n) => runOf('train', 'fused', n))],
        ['load-only day, before', ...ns.map((n) => runOf('timed', 'layers', n))],
        ['load-only day, after', ...ns.map((n) => runOf('timed', 'fused', n))],
      ],
    ),
  );

  out.push('', 'Targets');
  const targets: string[] = [];
  const natives = Object.entries(r.training).filter(([k, o]) => k.startsWith('fused') && o.ok);
  if (natives.length && keras) {
    for (const [k, o] of natives) {
      const ours = o.ok ? o.result.samplesPerS : Number.NaN;
      const kb = kerasFor(k) ?? keras;
      targets.push(
        `${verdict(ours >= 1.2 * kb.samples_per_s)}  native training throughput >= 1.2x Keras (${k}): ` +
          `${fixed(ours, 1)} vs ${fixed(kb.samples_per_s, 1)} samples/s (${fixed(ours / kb.samples_per_s)}x)`,
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
  for (const d of r.daily.filter((x) => x.role === 'train')) {
    if (!d.outcome.ok) continue;
    const x = d.outcome.result;
    targets.push(
      `${verdict(x.rss.peakMiB <= TARGETS.trainMiB)}  training run <= 2 GiB, daily training day ${d.label} x${x.tickers}: ${mib(x.rss.peakMiB)}`,
    );
  }
  out.push(...targets, '', `Bench wall time ${r.durationS} s`);
  return out.join('\n');
}
