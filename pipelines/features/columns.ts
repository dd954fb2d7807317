/**
 * One indicator spec → its columns over every bar, as Float64Arrays aligned to the bars with NaN
 * during warm-up. Built on technicalindicators; each place where it is corrected to TA-Lib's
 * definition says why (see README.md in this folder for the full comparison).
 */
import {
  ATR,
  AverageGain,
  AverageLoss,
  BollingerBands,
  OBV,
  SMA,
  Stochastic,
} from 'technicalindicators';
import type { IndicatorSpec } from '../config.js';
import { PipelineError } from '../types.js';
import { ema } from './ema.js';
import { columnsOf } from './names.js';
import { indicatorLookback } from './warmup.js';

export interface PriceColumns {
  close: number[];
  high: number[];
  low: number[];
  volume: number[];
}

/**
 * Places a library result (which omits warm-up) so its last value lands on the last bar. The
 * length check matters: several library generators test values for truthiness and can silently
 * drop an output, which would shift every later value onto the wrong date.
 */
function place(
  n: number,
  values: readonly number[],
  lookback: number,
  column: string,
): Float64Array {
  if (values.length !== n - lookback) {
    throw new PipelineError(
      `features: ${column} produced ${values.length} values for ${n} bars, expected ${n - lookback}`,
      undefined,
      'features.alignment',
    );
  }
  const out = new Float64Array(n).fill(NaN);
  out.set(values, lookback);
  return out;
}

/**
 * TA-Lib's RSI from the library's Wilder averages. The library's own RSI rounds to 2 decimals
 * (off by up to 5e-3), so it cannot match to 1e-6; its AverageGain/AverageLoss are exact. TA-Lib
 * gives 0 when both averages are exactly 0 (the library's RSI gives 100).
 */
function rsi(close: number[], period: number): number[] {
  const gain = AverageGain.calculate({ period, values: close });
  const loss = AverageLoss.calculate({ period, values: close });
  return gain.map((g, i) => {
    const total = g + (loss[i] ?? NaN);
    return total === 0 ? 0 : (100 * g) / total;
  });
}

/**
 * TA-Lib's MACD seeds the fast EMA with the mean of the `fast` closes ending where the slow EMA
 * starts, so both lines begin on bar slow-1. The library's MACD seeds the fast EMA at bar fast-1
 * and lets it run, which differed by up to 16% for ~80 bars after warm-up on real AAPL data. Starting the library's
 * EMA at bar slow-fast reproduces TA-Lib's seeding exactly.
 */
function macd(close: number[], fast: number, slow: number, signal: number): number[][] {
  const slowLine = ema(close, slow);
  const fastLine = ema(close.slice(slow - fast), fast);
  const line = fastLine.map((f, i) => f - (slowLine[i] ?? NaN));
  const signalLine = ema(line, signal);
  const hist = signalLine.map((s, i) => (line[i + signal - 1] ?? NaN) - s);
  return [line.slice(signal - 1), signalLine, hist];
}

export function computeColumns(spec: IndicatorSpec, p: PriceColumns): Map<string, Float64Array> {
  const n = p.close.length;
  const names = columnsOf(spec);
  const lookback = indicatorLookback(spec);
  const lines: number[][] = [];
  switch (spec.kind) {
    case 'sma':
      lines.push(SMA.calculate({ period: spec.period, values: p.close }));
      break;
    case 'ema':
      lines.push(ema(p.close, spec.period));
      break;
    case 'rsi':
      lines.push(rsi(p.close, spec.period));
      break;
    case 'macd':
      lines.push(...macd(p.close, spec.fast, spec.slow, spec.signal));
      break;
    case 'bbands': {
      // Population standard deviation (divides by period), as TA-Lib's BBANDS/STDDEV.
      const bb = BollingerBands.calculate({
        period: spec.period,
        stdDev: spec.stdDev,
        values: p.close,
      });
      lines.push(
        bb.map((b) => b.upper),
        bb.map((b) => b.middle),
        bb.map((b) => b.lower),
      );
      break;
    }
    case 'atr':
      lines.push(
        ATR.calculate({
          period: spec.period,
          high: p.high,
          low: p.low,
          close: p.close,
        }),
      );
      break;
    case 'obv': {
      // TA-Lib starts OBV at the first bar's volume and has a value on bar 0; the library starts at
      // 0 and has none until bar 1. The two differ by exactly that first volume.
      const first = p.volume[0] ?? 0;
      const lib = OBV.calculate({ close: p.close, volume: p.volume });
      lines.push(n === 0 ? [] : [first, ...lib.map((v) => v + first)]);
      break;
    }
    case 'stoch': {
      // The library's Stochastic is the fast stochastic (TA-Lib STOCHF with an SMA %D); %K exists
      // from bar period-1, but a row needs %D too, so both start where %D does.
      const st = Stochastic.calculate({
        period: spec.period,
        signalPeriod: spec.signal,
        high: p.high,
        low: p.low,
        close: p.close,
      }).slice(spec.signal - 1);
      lines.push(
        st.map((s) => s.k),
        // The typings say number, but the library leaves d undefined before it has `signal` %Ks.
        st.map((s) => (s.d as number | undefined) ?? NaN),
      );
      break;
    }
  }
  const out = new Map<string, Float64Array>();
  names.forEach((name, i) => out.set(name, place(n, lines[i] ?? [], lookback, name)));
  return out;
}
