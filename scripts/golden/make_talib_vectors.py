#!/usr/bin/env python3
"""Write TA-Lib reference vectors for the features stage's golden tests.

Reads a fixed slice of real daily OHLCV CSVs (raw Open/High/Low/Close/Volume columns, not Adj Close)
from ../shared/data/ohlc and writes tests/golden/talib-<TICKER>.json holding the input bars and
TA-Lib's outputs for DEFAULT_INDICATORS (pipelines/config.ts). Outputs are arrays aligned to the
bars, with null where TA-Lib has no value yet (its warm-up).

Run from the repo root with TA-Lib in a throwaway venv (never needed by the test suite):
    python3 -m venv .cache/venv-talib && .cache/venv-talib/bin/pip install TA-Lib numpy
    .cache/venv-talib/bin/python scripts/golden/make_talib_vectors.py

Stochastic: technicalindicators' Stochastic(period, signal) is the *fast* stochastic
(%K = 100 * (close - lowest low) / (highest high - lowest low) over `period` bars, no smoothing;
%D = simple mean of the last `signal` %K values), which is TA-Lib's STOCHF with
fastk_period=period, fastd_period=signal, fastd_matype=SMA. (TA-Lib's STOCH is the slow variant:
it smooths %K once more before %D, so it is not the same quantity.)
"""

import csv
import json
import math
import pathlib
import sys

import numpy as np
import talib

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / 'shared' / 'data' / 'ohlc'
OUT = ROOT / 'tests' / 'golden'

# (ticker, csv file, first row index, row count). The SPY slice covers the two real rows whose
# High/Low do not contain Open/Close (2015-03-05, 2015-03-30), so true range sees them.
SLICES = [
    ('AAPL', 'AAPL-20040819-20180120.csv', 2500, 500),
    ('SPY', 'SPY-20080101-20180101.csv', 1500, 500),
]


def read_rows(path, start, count):
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    picked = rows[start : start + count]
    if len(picked) != count:
        sys.exit(f'{path}: wanted rows {start}..{start + count - 1}, file has {len(rows)} rows')
    return picked


def column(values):
    """Float64 array → JSON list with None for TA-Lib's NaN warm-up."""
    return [None if math.isnan(v) else float(v) for v in values]


def vectors(rows):
    o = np.array([float(r['Open']) for r in rows])
    h = np.array([float(r['High']) for r in rows])
    l = np.array([float(r['Low']) for r in rows])
    c = np.array([float(r['Close']) for r in rows])
    v = np.array([float(r['Volume']) for r in rows])

    macd, signal, hist = talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9)
    # matype 0 = SMA; TA-Lib's STDDEV inside BBANDS is the population deviation (divides by n).
    upper, middle, lower = talib.BBANDS(c, timeperiod=20, nbdevup=2, nbdevdn=2, matype=0)
    fastk, fastd = talib.STOCHF(h, l, c, fastk_period=14, fastd_period=3, fastd_matype=0)
    outputs = {
        'sma_20': talib.SMA(c, timeperiod=20),
        'ema_20': talib.EMA(c, timeperiod=20),
        'rsi_14': talib.RSI(c, timeperiod=14),
        'macd_12_26_9': macd,
        'macd_signal_12_26_9': signal,
        'macd_hist_12_26_9': hist,
        'bb_upper_20_2': upper,
        'bb_middle_20_2': middle,
        'bb_lower_20_2': lower,
        'atr_14': talib.ATR(h, l, c, timeperiod=14),
        'obv': talib.OBV(c, v),
        'stoch_k_14_3': fastk,
        'stoch_d_14_3': fastd,
    }
    bars = [
        {'date': r['Date'], 'open': x[0], 'high': x[1], 'low': x[2], 'close': x[3], 'volume': x[4]}
        for r, x in zip(rows, zip(o.tolist(), h.tolist(), l.tolist(), c.tolist(), v.tolist()))
    ]
    return bars, {k: column(arr) for k, arr in outputs.items()}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for ticker, name, start, count in SLICES:
        bars, outputs = vectors(read_rows(DATA / name, start, count))
        doc = {
            'source': f'../shared/data/ohlc/{name} rows {start}..{start + count - 1} (raw OHLCV)',
            'generator': 'scripts/golden/make_talib_vectors.py',
            'talib': {'python': talib.__version__, 'c': talib.__ta_version__.decode()},
            'functions': {
                'sma_20': 'SMA(close, 20)',
                'ema_20': 'EMA(close, 20)',
                'rsi_14': 'RSI(close, 14)',
                'macd_*_12_26_9': 'MACD(close, 12, 26, 9)',
                'bb_*_20_2': 'BBANDS(close, 20, 2, 2, matype=SMA)',
                'atr_14': 'ATR(high, low, close, 14)',
                'obv': 'OBV(close, volume)',
                'stoch_*_14_3': 'STOCHF(high, low, close, fastk=14, fastd=3, fastd_matype=SMA)',
            },
            'bars': bars,
            'outputs': outputs,
        }
        path = OUT / f'talib-{ticker}.json'
        path.write_text(json.dumps(doc, separators=(',', ':')) + '\n')
        print(f'{path.relative_to(ROOT)}: {len(bars)} bars, {path.stat().st_size} bytes')


if __name__ == '__main__':
    main()
