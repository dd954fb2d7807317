"""Golden vectors for pipelines/drift: Evidently 0.7 DataDriftPreset verdicts on real OHLC data, plus
SciPy 1.17 reference values for the KS machinery Evidently's "ks" test rests on.

Run from the repository root (Python tools stay in a git-ignored venv, never in the test runtime):

    python3 -m venv .cache/venv-evidently
    .cache/venv-evidently/bin/pip install 'evidently==0.7.*' 'pandas<3'
    .cache/venv-evidently/bin/python scripts/golden/make_evidently_vectors.py

pandas<3 because evidently 0.7.23 still imports a helper pandas 3 removed.
Writes tests/golden/evidently-*.json. Non-finite inputs are written as null (JSON has no NaN).
"""

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import scipy.special
import scipy.stats
import evidently
from evidently import Report
from evidently.presets import DataDriftPreset
from evidently.legacy.calculations.stattests.registry import _registered_stat_tests

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "ohlc"
OUT = ROOT / "tests" / "golden"

# Evidently's report carries the display name; the registered name is what users pass as `method=`.
DISPLAY_TO_NAME = {
    test.display_name: name
    for name, by_type in _registered_stat_tests.items()
    for test in by_type.values()
}


def load(prefix: str) -> pd.DataFrame:
    path = next(DATA.glob(f"{prefix}-*.csv"))
    return pd.read_csv(path, parse_dates=["Date"]).set_index("Date")


def indicator_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Indicator-like float columns. Rounded so the JSON stays small; Evidently sees the rounded values."""
    close = df["Close"]
    ret = close.pct_change()
    out = pd.DataFrame(index=df.index)
    out["close"] = close.round(6)
    out["return"] = ret.round(8)
    out["volume"] = df["Volume"].astype(float)
    out["range_pct"] = ((df["High"] - df["Low"]) / close).round(8)
    out["sma_gap"] = (close / close.rolling(20).mean() - 1).round(8)
    # Few distinct values: Evidently tests these as categories (chi-square / Z / Jensen-Shannon).
    out["direction"] = np.sign(ret.round(3)).astype(float)  # -1, 0, 1 (NaN on the first row)
    out["up_day"] = (ret > 0).astype(float)  # 0, 1
    return out


def floats(series: pd.Series) -> list:
    return [None if not math.isfinite(v) else float(v) for v in series.to_numpy(dtype=float)]


def run_case(name: str, note: str, reference: pd.DataFrame, current: pd.DataFrame, drift_share=0.5) -> dict:
    for frame in (reference, current):
        assert all(str(t).startswith("float") for t in frame.dtypes), "float columns only (Evidently infers Numerical)"
    snapshot = Report([DataDriftPreset(drift_share=drift_share)], include_tests=True).run(current, reference)
    d = snapshot.dict()
    columns = {}
    count_metric_id = None
    count_value = None
    for metric in d["metrics"]:
        cfg = metric["config"]
        if cfg["type"].endswith("DriftedColumnsCount"):
            count_metric_id = metric["id"]
            count_value = metric["value"]
        elif cfg["type"].endswith("ValueDrift"):
            columns[metric["id"]] = {
                "column": cfg["column"],
                "method": DISPLAY_TO_NAME[cfg["method"]],
                "methodDisplayName": cfg["method"],
                "threshold": cfg["threshold"],
                "score": float(metric["value"]),
            }
    dataset_drift = None
    for test in d["tests"]:
        mid = test["metric_config"]["metric_id"]
        if mid in columns:
            columns[mid]["drifted"] = test["status"] == "FAIL"
        elif mid == count_metric_id:
            dataset_drift = test["status"] == "FAIL"
    assert dataset_drift is not None and all("drifted" in c for c in columns.values())
    return {
        "name": name,
        "note": note,
        "driftShareThreshold": drift_share,
        "reference": {c: floats(reference[c]) for c in reference.columns},
        "current": {c: floats(current[c]) for c in current.columns},
        "expected": {
            "columns": list(columns.values()),
            "driftedCount": int(count_value["count"]),
            "driftShare": float(count_value["share"]),
            "datasetDrift": dataset_drift,
        },
    }


def evidently_cases() -> list:
    aapl = indicator_frame(load("AAPL"))
    spy = indicator_frame(load("SPY"))
    cols_large = ["close", "return", "range_pct", "up_day"]
    cols_small = ["close", "return", "sma_gap", "direction", "up_day"]
    return [
        run_case(
            "aapl-large-reference-drifted",
            "AAPL: 1100-row reference (2010-2014) vs the next 30 sessions; >1000 reference rows so "
            "Wasserstein (normed) for continuous columns and Jensen-Shannon for the 2-valued up_day.",
            aapl.loc["2010-01-01":].iloc[:1100][cols_large],
            aapl.loc["2010-01-01":].iloc[1100:1130][cols_large],
        ),
        run_case(
            "spy-large-reference-stable",
            "SPY: 1050-row reference vs 60 sessions drawn from inside the reference period "
            "(every 17th row): no dataset drift, though the sampled returns still drift by Wasserstein.",
            spy.iloc[30:1080][["return", "range_pct", "up_day"]],
            spy.iloc[35:1055:17][["return", "range_pct", "up_day"]],
        ),
        run_case(
            "spy-small-reference-ks",
            "SPY: 500-row reference (with the 20-day SMA warm-up NaNs and first-return NaN kept, "
            "which Evidently drops) vs 60 sessions; <=1000 reference rows so K-S for continuous "
            "columns, chi-square for the 3-valued direction, Z-test for up_day.",
            spy.iloc[0:500][cols_small],
            spy.iloc[900:960][cols_small],
        ),
        run_case(
            "aapl-small-samples-exact-ks",
            "AAPL: 40-row reference vs 25-row current: small-sample exact K-S p-values (n != m).",
            aapl.iloc[2000:2040][cols_small],
            aapl.iloc[2040:2065][cols_small],
        ),
        run_case(
            "aapl-equal-samples-exact-ks",
            "AAPL: 30 vs 30 rows: equal sizes take SciPy's outside-the-square formula.",
            aapl.iloc[3000:3030][["close", "return", "range_pct", "up_day"]],
            aapl.iloc[3030:3060][["close", "return", "range_pct", "up_day"]],
        ),
        run_case(
            "spy-share-threshold-0.4",
            "SPY: 800 vs 45 rows with drift_share 0.4, to pin the >= comparison of the dataset verdict.",
            spy.iloc[1200:2000][["close", "return", "range_pct", "sma_gap", "up_day"]],
            spy.iloc[2100:2145][["close", "return", "range_pct", "sma_gap", "up_day"]],
            drift_share=0.4,
        ),
    ]


def ks_vectors() -> dict:
    """ks_2samp on x_i = i/n1 and y_j = j/n2 + shift: tiny to store, identical in IEEE arithmetic in
    both languages, and reaching every branch (exact square, exact inside method, the asymptotic
    fallback when the exact sum rounds above 1, and the >10000 asymptotic path)."""
    pairs = [
        (20, 20, 0.05), (30, 30, 1 / 30), (30, 30, 2 / 30), (13, 13, 1 / 13), (60, 60, 0.25),
        (45, 45, 0.5), (36, 36, 3 / 36), (100, 100, 0.125), (500, 500, 0.01),
        (25, 40, 0.1), (40, 25, 0.3), (22, 57, 0.0625), (33, 47, 0.5), (60, 1000, 0.02),
        (1000, 30, 0.2), (999, 1000, 0.03), (7, 3, 0.25), (1, 1, 0.5), (1, 5, 0.0),
        (300, 12000, 0.05), (300, 12000, 0.2), (150, 20000, 0.01), (10001, 50, 0.125),
    ]
    out = []
    for n1, n2, shift in pairs:
        x = np.arange(n1) / n1
        y = np.arange(n2) / n2 + shift
        res = scipy.stats.ks_2samp(x, y)
        out.append({"n1": n1, "n2": n2, "shift": shift, "statistic": float(res.statistic), "pvalue": float(res.pvalue)})
    return out


def kstwo_vectors() -> list:
    out = []
    for n in [3, 10, 25, 50, 100, 140, 141, 200, 500, 1000, 5000]:
        for x in [0.4 / n, 0.8 / n, 1.5 / n, 0.02, 0.05, 0.08, 0.12, 0.2, 0.3, 0.45, 0.6, 0.9, 1 - 0.5 / n]:
            if 0 < x < 1:
                out.append({"n": n, "x": x, "sf": float(scipy.stats.kstwo.sf(x, n))})
    return out


def special_vectors() -> dict:
    zs = [-8.0, -3.5, -1.2, -0.3, 0.0, 0.4, 0.70710678, 1.0, 1.96, 2.5, 3.3, 5.0, 7.5]
    chi = [(x, df) for df in (1, 2, 3, 4, 5) for x in (0.01, 0.5, 1.0, 2.7, 6.0, 11.3, 25.0, 60.0)]
    smirnov = [(n, x) for n in (5, 20, 100, 400) for x in (0.05, 0.1, 0.2, 0.35, 0.5, 0.8)]
    return {
        "ndtr": [{"x": z, "p": float(scipy.special.ndtr(z))} for z in zs],
        "chi2sf": [{"x": x, "df": df, "p": float(scipy.stats.chi2.sf(x, df))} for x, df in chi],
        "smirnov": [{"n": n, "x": x, "p": float(scipy.special.smirnov(n, x))} for n, x in smirnov],
        "wasserstein": [
            {"u": [0.0, 1.0, 3.0], "v": [5.0, 6.0, 8.0], "d": float(scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]))},
            {"u": [3.4, 3.9, 7.5, 7.8], "v": [4.5, 1.4], "d": float(scipy.stats.wasserstein_distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]))},
        ],
    }


def write(name: str, payload: dict) -> None:
    payload = {
        "generatedBy": "scripts/golden/make_evidently_vectors.py",
        "versions": {"evidently": evidently.__version__, "scipy": scipy.__version__, "numpy": np.__version__, "pandas": pd.__version__},
        **payload,
    }
    path = OUT / name
    path.write_text(json.dumps(payload, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes", file=sys.stderr)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for case in evidently_cases():
        write(f"evidently-{case['name']}.json", {"case": case})
    write("evidently-scipy-reference.json", {"ks2samp": ks_vectors(), "kstwoSf": kstwo_vectors(), "special": special_vectors()})


if __name__ == "__main__":
    main()
