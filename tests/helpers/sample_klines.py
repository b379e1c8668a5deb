"""The generator of ``crossmargin/data/scenarios/BTCUSDT-1h-sample.csv`` (synthetic klines).

The file ships with the package so the CSV loader can be shown offline; this code made it and a
test checks that it still makes it byte for byte. It lives with the tests because the course
never runs it. To write the file again, from the repository root::

    .venv/bin/python tests/helpers/sample_klines.py
"""
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from crossmargin.scenarios import (
    DAILY_VOLATILITY, SAMPLE_KLINES_CSV, START, START_PRICES, random_paths,
)


def sample_klines(symbol="BTCUSDT", hours=48, seed=2024):
    """Synthetic hourly klines in Binance's column layout, built from a seeded one-minute path.

    This made ``data/scenarios/BTCUSDT-1h-sample.csv``; it is not market data.
    """
    minutes = random_paths(1, hours * 60, START_PRICES[symbol], DAILY_VOLATILITY[symbol], 1.0,
                           seed=seed)[0, :, 0]
    rng = np.random.default_rng(seed + 1)
    candles = np.lib.stride_tricks.sliding_window_view(minutes, 61)[::60]
    open_time = pd.Timestamp(START, tz="UTC").value // 10**6 + 3_600_000 * np.arange(hours)
    volume = np.round(rng.lognormal(math.log(800), 0.4, hours), 3)
    frame = pd.DataFrame({
        "open_time": open_time,
        "open": np.round(candles[:, 0], 1),
        "high": np.round(candles.max(axis=1), 1),
        "low": np.round(candles.min(axis=1), 1),
        "close": np.round(candles[:, -1], 1),
        "volume": volume,
        "close_time": open_time + 3_599_999,
        "quote_volume": np.round(volume * candles.mean(axis=1), 2),
        "count": rng.integers(50_000, 150_000, hours),
        "taker_buy_volume": np.round(volume * rng.uniform(0.4, 0.6, hours), 3),
    })
    frame["taker_buy_quote_volume"] = np.round(frame["taker_buy_volume"] * candles.mean(axis=1), 2)
    frame["ignore"] = 0
    return frame


def write_sample_klines(path=SAMPLE_KLINES_CSV):
    """Write the synthetic sample kline file (run once; the file ships with the package)."""
    sample_klines().to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


if __name__ == "__main__":
    write_sample_klines(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE_KLINES_CSV)
    print(f"wrote {sys.argv[1] if len(sys.argv) > 1 else SAMPLE_KLINES_CSV}")
