"""Price paths for the lessons: built-in scenarios, random paths and a CSV loader.

A *scenario* is a pandas DataFrame of mark prices:

* index: UTC timestamps named ``"timestamp"``, one row per step (default: 1,441 rows one minute
  apart, i.e. the start price plus 1,440 one-minute steps = one day);
* one float column per symbol (``"BTCUSDT"``, ``"ETHUSDT"``, ``"SOLUSDT"``);
* ``df.attrs``: ``"name"``, ``"description"`` (one sentence), ``"stylized"`` (True for
  hand-shaped paths), ``"seed"`` and ``"parameters"`` (the keywords that rebuild it); a
  *reconstructed* day (hand-shaped to match a real day's published facts, not market data)
  adds ``"reconstructed": True`` and ``"facts"`` (the facts it matches, with sources).

Every built-in scenario is a function with keyword parameters, seeded and offline, so the same
call always gives the same prices. *Scenario files* add your own prices: a CSV (a Binance kline
export or a wide ``timestamp,BTCUSDT,ETHUSDT,...`` file, see :func:`load_csv`) in
``crossmargin/data/scenarios/``, in the ``scenarios/`` folder of a ``CROSSMARGIN_DATA_PATH``
entry (see :mod:`crossmargin.datafiles`) or in a ``folder=`` you name; its file name without the
extension is the scenario's name, and an optional ``name.json`` next to it describes it.
``list_scenarios()`` shows both kinds, ``load(name, **params)`` builds one by name. The formats
and a walk-through are in notebooks/adapting-lessons.md.

Volatility is *daily*: ``daily_volatility=0.03`` means one day's log return has a standard
deviation of 3 %. Drift is the average daily log return (0 = no trend).

>>> from crossmargin import scenarios
>>> prices = scenarios.load("btc_crash", drop=0.3)
>>> prices.shape, prices.attrs["stylized"]
((1441, 3), True)
>>> scenarios.random_paths(2, 10, [60_000, 3_000], 0.03, 0.8, seed=1).shape
(2, 11, 2)

The package's modules, from the bottom up:

* :mod:`~crossmargin.scenarios.common`: the default market and the shared input checks;
* :mod:`~crossmargin.scenarios.random`: random paths, ``random_walk`` and ``calibrate``;
* :mod:`~crossmargin.scenarios.stylized`: the hand-shaped days (``btc_crash`` ...);
* :mod:`~crossmargin.scenarios.reconstructed`: real days rebuilt from their published facts
  (``crash_2025_10_10``), the facts themselves and ``fall_profile`` to measure a path;
* :mod:`~crossmargin.scenarios.files`: the registry, scenario files and the CSV loader.

``crossmargin.scenarios`` itself offers the names in ``__all__``; the helpers the modules share
stay in their modules.
"""
from .common import (
    CORRELATION, DAILY_VOLATILITY, FREQ, NOISE, START, START_PRICES, STEPS, SYMBOLS,
)
from .files import (
    DATA_DIR, FILE_SUFFIXES, KLINE_COLUMNS, PRICE_COLUMNS, SAMPLE_KLINES_CSV, SCENARIOS,
    SIDECAR_FIELDS, list_scenarios, load, load_csv, scenario_files,
)
from .random import calibrate, correlation_matrix, market_paths, random_paths, random_walk
from .reconstructed import (
    CRASH_2025_10_10_FACTS, CRASH_2025_10_10_TARGETS, crash_2025_10_10, crash_2025_10_10_checks,
    fall_profile,
)
from .stylized import btc_crash, eth_decouples, gap_through_stop, slow_grind, whipsaw

__all__ = [
    # the default market
    "SYMBOLS", "START_PRICES", "DAILY_VOLATILITY", "CORRELATION", "START", "STEPS", "FREQ",
    "NOISE",
    # random paths and calibration
    "correlation_matrix", "random_paths", "market_paths", "random_walk", "calibrate",
    # the stylized days
    "btc_crash", "eth_decouples", "slow_grind", "whipsaw", "gap_through_stop",
    # the reconstructed days, their published facts and the measures that check them
    "crash_2025_10_10", "CRASH_2025_10_10_FACTS", "CRASH_2025_10_10_TARGETS",
    "crash_2025_10_10_checks", "fall_profile",
    # the registry, scenario files and the CSV loader
    "SCENARIOS", "list_scenarios", "load", "DATA_DIR", "SAMPLE_KLINES_CSV", "FILE_SUFFIXES",
    "SIDECAR_FIELDS", "scenario_files", "KLINE_COLUMNS", "PRICE_COLUMNS", "load_csv",
]
