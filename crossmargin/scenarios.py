"""Price paths for the lessons: built-in scenarios, random paths and a CSV loader.

A *scenario* is a pandas DataFrame of mark prices:

* index: UTC timestamps named ``"timestamp"``, one row per step (default: 1,441 rows one minute
  apart, i.e. the start price plus 1,440 one-minute steps = one day);
* one float column per symbol (``"BTCUSDT"``, ``"ETHUSDT"``, ``"SOLUSDT"``);
* ``df.attrs``: ``"name"``, ``"description"`` (one sentence), ``"stylized"`` (True for
  hand-shaped paths), ``"seed"`` and ``"parameters"`` (the keywords that rebuild it).

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
"""
import csv
import io
import math
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from . import datafiles
from ._validate import finite, non_negative, positive, utc_timestamp
from .errors import InvalidInput, ScenarioError

SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT")
START_PRICES = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0, "SOLUSDT": 150.0}
DAILY_VOLATILITY = {"BTCUSDT": 0.03, "ETHUSDT": 0.04, "SOLUSDT": 0.055}
CORRELATION = 0.8
START = "2024-01-01"
STEPS = 1440
FREQ = "1min"
NOISE = 0.005

DATA_DIR = datafiles.PACKAGE_DATA / "scenarios"
SAMPLE_KLINES_CSV = DATA_DIR / "BTCUSDT-1h-sample.csv"

# Values per chunk when generating many paths (2 MB of float64): keeps memory flat.
_CHUNK_VALUES = 1 << 18


# --------------------------------------------------------------------------- checks


def _count(value, field, minimum=1):
    """A whole number >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInput(f"{field} must be a whole number (got {value!r})")
    if value < minimum:
        raise InvalidInput(f"{field} must be >= {minimum} (got {value!r})")
    return int(value)


def _fraction(value, field):
    """A number strictly between 0 and 1 (a drop of 1 would take the price to zero)."""
    x = positive(value, field)
    if x >= 1:
        raise InvalidInput(f"{field} must be < 1 (got {value!r})")
    return x


def _probability(value, field):
    x = non_negative(value, field)
    if x > 1:
        raise InvalidInput(f"{field} must be <= 1 (got {value!r})")
    return x


def _seed(seed):
    if seed is None:
        return None
    return _count(seed, "seed", minimum=0)


def _steps_per_day(freq):
    """How many steps of ``freq`` make one day (``"1min"`` -> 1440)."""
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except (TypeError, ValueError):
        raise InvalidInput(f"freq must be a fixed time step like '1min' or '1h' "
                           f"(got {freq!r})") from None
    if step <= pd.Timedelta(0):
        raise InvalidInput(f"freq must be a positive time step (got {freq!r})")
    return pd.Timedelta("1D") / step


def _plain(value):
    """numpy scalars as Python numbers, so messages read 'got -2.0', not 'got np.float64(-2.0)'."""
    return value.item() if isinstance(value, np.generic) else value


def _per_symbol(value, symbols, field, check, default=None):
    """A number, a ``{symbol: number}`` dict or a sequence -> float array in symbol order.

    A dict may leave symbols out; they take ``default`` (a number or a dict of numbers).
    """
    n = len(symbols)
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in symbols]
        if unknown:
            raise InvalidInput(f"{field} names unknown symbol {unknown[0]!r} "
                               f"(symbols: {', '.join(map(str, symbols))})")
        out = []
        for s in symbols:
            if s in value:
                out.append(check(_plain(value[s]), f"{field}[{s!r}]"))
                continue
            d = default.get(s) if isinstance(default, Mapping) else default
            if d is None:
                raise InvalidInput(f"{field} has no value for {s!r} "
                               "(give a number for every symbol)")
            out.append(float(d))
        return np.array(out, dtype=float)
    if isinstance(value, str) or np.ndim(value) == 0:
        return np.full(n, check(_plain(value), field), dtype=float)
    items = list(value)
    if len(items) != n:
        raise InvalidInput(f"{field} must have one value per symbol ({n}) (got {len(items)})")
    return np.array([check(_plain(v), f"{field}[{i}]") for i, v in enumerate(items)], dtype=float)


def correlation_matrix(correlation, n_symbols):
    """The ``n_symbols`` x ``n_symbols`` correlation matrix, checked.

    ``correlation`` is one number (every pair) or a full matrix: symmetric, ones on the diagonal,
    entries in [-1, 1] and positive semidefinite (pairwise correlations that fit together).
    """
    if isinstance(correlation, str) or np.ndim(correlation) == 0:
        rho = finite(correlation, "correlation")
        if not -1 <= rho <= 1:
            raise InvalidInput(f"correlation must be between -1 and 1 (got {correlation!r})")
        floor = -1 / (n_symbols - 1) if n_symbols > 1 else -1.0
        if rho < floor - 1e-12:
            raise InvalidInput(f"correlation must be >= {floor:g} for {n_symbols} symbols, or the "
                               f"matrix is not positive semidefinite (got {correlation!r})")
        matrix = np.full((n_symbols, n_symbols), rho)
        np.fill_diagonal(matrix, 1.0)
        return matrix
    try:
        matrix = np.array(correlation, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"correlation must be a number or a matrix of numbers "
                           f"(got {correlation!r})") from None
    if matrix.shape != (n_symbols, n_symbols):
        raise InvalidInput(f"correlation must be a number or a {n_symbols}x{n_symbols} matrix "
                           f"(got shape {matrix.shape})")
    for (i, j), x in np.ndenumerate(matrix):
        if not math.isfinite(x) or not -1 <= x <= 1:
            raise InvalidInput(f"correlation[{i}, {j}] must be between -1 and 1 (got {float(x)!r})")
    for i in range(n_symbols):
        if matrix[i, i] != 1:
            raise InvalidInput(f"correlation[{i}, {i}] must be 1, a price moves with itself "
                               f"(got {float(matrix[i, i])!r})")
    bad = np.argwhere(np.abs(matrix - matrix.T) > 1e-12)
    if len(bad):
        i, j = bad[0]
        raise InvalidInput(f"correlation must be symmetric: correlation[{i}, {j}] = "
                           f"{float(matrix[i, j])!r} but correlation[{j}, {i}] = "
                           f"{float(matrix[j, i])!r}")
    smallest = float(np.linalg.eigvalsh(matrix).min())
    if smallest < -1e-10:
        raise InvalidInput("correlation matrix must be positive semidefinite: smallest "
                           f"eigenvalue must be >= 0 (got {smallest:.4g}); the pairwise "
                           "correlations contradict each other")
    return matrix


def _factor(matrix):
    """A matrix L with L @ L.T == matrix (Cholesky; eigen-decomposition if only semidefinite)."""
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(matrix)
        return vectors * np.sqrt(np.clip(values, 0, None))


# --------------------------------------------------------------------------- random paths


def _simulate(n_paths, n_steps, daily_volatility, correlation, drift, jump_probability,
              jump_size, jump_volatility, steps_per_day, seed, start=None):
    """Price paths (n_paths, n_steps + 1, n_symbols) from checked inputs; row 0 = ``start``.

    Without ``start``: the cumulative log returns (row 0 = 0).
    """
    n_symbols = len(daily_volatility)
    scale = _factor(correlation) * (daily_volatility / math.sqrt(steps_per_day))[:, None]
    mean = drift / steps_per_day
    # Separate streams for the diffusion, the jump times and the jump sizes: results do not
    # depend on the chunk size, and adding jumps leaves the diffusion part unchanged.
    normal, when, size = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))

    out = np.empty((n_paths, n_steps + 1, n_symbols))
    chunk = max(1, _CHUNK_VALUES // (n_steps * n_symbols))
    noise = np.empty((min(chunk, n_paths), n_steps, n_symbols))
    steps = np.empty_like(noise)
    for a in range(0, n_paths, chunk):
        b = min(a + chunk, n_paths)
        z, r, block = noise[: b - a], steps[: b - a], out[a:b]
        normal.standard_normal(out=z)
        np.matmul(z, scale.T, out=r)
        if mean.any():
            r += mean
        if jump_probability > 0:
            hit = when.random((b - a, n_steps)) < jump_probability
            k = int(hit.sum())
            if k:
                r[hit] += jump_size + jump_volatility * size.standard_normal((k, n_symbols))
        block[:, 0, :] = 0.0
        np.cumsum(r, axis=1, out=block[:, 1:, :])
        if start is not None:  # start * exp(0) is exactly start: no volatility, constant prices
            np.exp(block, out=block)
            block *= start
    return out


def random_paths(n_paths, n_steps, start_prices, daily_volatility, correlation, *, drift=0.0,
                 jump_probability=0.0, jump_size=0.0, jump_volatility=0.0, steps_per_day=1440,
                 seed=None):
    """Many correlated price paths at once (geometric Brownian motion with optional jumps).

    Returns a float64 array of shape (n_paths, n_steps + 1, n_symbols); row 0 holds the start
    prices. Per symbol (a number applies to all, or one value per symbol):

    * ``daily_volatility``: standard deviation of one day's log return (0.03 = 3 % a day);
    * ``drift``: average daily log return (0 = no trend);
    * ``jump_size`` / ``jump_volatility``: mean and spread of the log jump.

    ``correlation`` is one number for every pair or a full matrix. ``jump_probability`` is the
    chance per step of a market-wide jump that moves every symbol at once. ``steps_per_day``
    sets the step length (1440 = one minute). Same ``seed`` -> same paths.
    """
    if isinstance(start_prices, Mapping) or np.ndim(start_prices) > 1:
        raise InvalidInput("start_prices must be a number or a list of numbers, one per symbol "
                           f"(got {start_prices!r})")
    if np.ndim(start_prices) == 0:
        start_prices = [start_prices]
    if len(start_prices) == 0:
        raise InvalidInput("start_prices must hold at least one price (got none)")
    names = tuple(range(len(start_prices)))
    start = _per_symbol(start_prices, names, "start_prices", positive)
    return _simulate(
        _count(n_paths, "n_paths"),
        _count(n_steps, "n_steps"),
        _per_symbol(daily_volatility, names, "daily_volatility", non_negative),
        correlation_matrix(correlation, start.size),
        _per_symbol(drift, names, "drift", finite),
        _probability(jump_probability, "jump_probability"),
        _per_symbol(jump_size, names, "jump_size", finite),
        _per_symbol(jump_volatility, names, "jump_volatility", non_negative),
        positive(steps_per_day, "steps_per_day"),
        _seed(seed),
        start,
    )


# --------------------------------------------------------------------------- scenario frames


def _index(n_steps, freq, start):
    _steps_per_day(freq)  # checks freq
    return pd.date_range(utc_timestamp(start, "start", "2024-01-01"), periods=_count(n_steps, "n_steps") + 1, freq=freq,
                         name="timestamp", unit="us")


def _frame(values, symbols, index, *, name, description, stylized, seed, parameters):
    df = pd.DataFrame(np.asarray(values, dtype=float), index=index, columns=list(symbols))
    df.attrs.update(name=name, description=description, stylized=stylized, seed=seed,
                    parameters=parameters)
    return df


def _span(duration):
    """A Timedelta in words: '3 hours', '2 hours 24 minutes', '45 seconds'."""
    seconds = int(round(duration.total_seconds()))
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"


def _shape(t, keys, eased=True):
    """Log price ratio through keyframes [(time fraction, price ratio), ...].

    Between keyframes the path eases in and out (smoothstep), or is a straight line in log.
    """
    times = np.array([k[0] for k in keys], dtype=float)
    logs = np.log([k[1] for k in keys])
    i = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 2)
    u = np.clip((t - times[i]) / (times[i + 1] - times[i]), 0.0, 1.0)
    if eased:
        u = u * u * (3 - 2 * u)
    return logs[i] + u * (logs[i + 1] - logs[i])


def _stylized_starts(start_prices):
    """Start prices of BTC, ETH, SOL: the defaults, overridden by a ``{symbol: price}`` dict."""
    return _per_symbol({} if start_prices is None else start_prices, SYMBOLS, "start_prices",
                       positive, START_PRICES)


def _timeline(n_steps, freq, start):
    """The index of a scenario and each row's place along it (0 at the start, 1 at the end)."""
    index = _index(n_steps, freq, start)
    return index, np.linspace(0.0, 1.0, len(index))


def _stylized(name, description, log_shape, index, *, freq, start_prices, noise, seed, parameters):
    """Prices = start * exp(shape + noise); the noise is a seeded bridge that is 0 at both ends."""
    noise = non_negative(noise, "noise")
    seed = _seed(seed)
    starts = _stylized_starts(start_prices)
    n_steps = len(index) - 1
    wiggle = _simulate(1, n_steps, np.full(3, noise), correlation_matrix(CORRELATION, 3),
                       np.zeros(3), 0.0, np.zeros(3), np.zeros(3), _steps_per_day(freq), seed)[0]
    wiggle -= np.linspace(0.0, 1.0, n_steps + 1)[:, None] * wiggle[-1]
    parameters = dict(parameters, start_prices=dict(zip(SYMBOLS, starts.tolist())), noise=noise,
                      n_steps=n_steps, freq=freq, start=index[0].isoformat(), seed=seed)
    return _frame(starts * np.exp(log_shape + wiggle), SYMBOLS, index, name=name,
                  description=description, stylized=True, seed=seed, parameters=parameters)


def _clock(index, fraction):
    """The time of day at a fraction of the path, e.g. '06:00'."""
    total = index[-1] - index[0]
    return (index[0] + fraction * total).strftime("%H:%M")


def btc_crash(*, drop=0.20, eth_beta=1.3, sol_beta=1.6, start_prices=None, noise=NOISE,
              n_steps=STEPS, freq=FREQ, start=START, seed=1):
    """BTC falls sharply (``drop``, default 20 %) within three hours, ETH and SOL fall harder
    (log return = beta x BTC's), then a small bounce. Stylized."""
    drop = _fraction(drop, "drop")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    btc = _shape(t, [(0, 1), (6 / 24, 1), (9 / 24, 1 - drop), (12 / 24, 1 - 0.75 * drop),
                     (1, 1 - 0.85 * drop)])
    crash = _span((index[-1] - index[0]) * 3 / 24)
    description = (f"Stylized: BTC falls {drop:.0%} in {crash} from {_clock(index, 6 / 24)}, "
                   f"ETH follows {eth_beta:g}x as hard (-{1 - (1 - drop) ** eth_beta:.0%}) and "
                   f"SOL {sol_beta:g}x (-{1 - (1 - drop) ** sol_beta:.0%}), then a small bounce.")
    return _stylized("btc_crash", description, btc[:, None] * [1, eth_beta, sol_beta], index,
                     freq=freq, start_prices=start_prices, noise=noise, seed=seed,
                     parameters=dict(drop=drop, eth_beta=eth_beta, sol_beta=sol_beta))


def eth_decouples(*, btc_drop=0.15, eth_rise=0.10, sol_beta=1.5, start_prices=None, noise=NOISE,
                  n_steps=STEPS, freq=FREQ, start=START, seed=2):
    """BTC drops while ETH rises: a long BTC / short ETH hedge loses on both legs. Stylized."""
    btc_drop = _fraction(btc_drop, "btc_drop")
    eth_rise = positive(eth_rise, "eth_rise")
    sol_beta = positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    btc = _shape(t, [(0, 1), (6 / 24, 1), (9 / 24, 1 - btc_drop), (12 / 24, 1 - 0.8 * btc_drop),
                     (1, 1 - 0.9 * btc_drop)])
    eth = _shape(t, [(0, 1), (6 / 24, 1), (9 / 24, 1 + 0.8 * eth_rise), (1, 1 + eth_rise)])
    window = _span((index[-1] - index[0]) * 3 / 24)
    description = (f"Stylized: from {_clock(index, 6 / 24)} BTC falls {btc_drop:.0%} in {window} "
                   f"while ETH rises {eth_rise:.0%}, so a long BTC / short ETH hedge loses on "
                   f"both legs; SOL follows BTC {sol_beta:g}x.")
    shape = np.column_stack([btc, eth, sol_beta * btc])
    return _stylized("eth_decouples", description, shape, index,
                     freq=freq, start_prices=start_prices, noise=noise, seed=seed,
                     parameters=dict(btc_drop=btc_drop, eth_rise=eth_rise, sol_beta=sol_beta))


def slow_grind(*, decline=0.10, eth_beta=1.2, sol_beta=1.4, start_prices=None, noise=NOISE,
               n_steps=STEPS, freq=FREQ, start=START, seed=3):
    """A slow, steady decline with no sharp move (BTC -``decline`` over the path). Stylized."""
    decline = _fraction(decline, "decline")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    btc = _shape(t, [(0, 1), (1, 1 - decline)], eased=False)
    description = (f"Stylized: a slow, steady decline with no sharp move - BTC loses {decline:.0%} "
                   f"over {_span(index[-1] - index[0])}, ETH {eth_beta:g}x and SOL {sol_beta:g}x "
                   "as much in log terms.")
    return _stylized("slow_grind", description, btc[:, None] * [1, eth_beta, sol_beta], index,
                     freq=freq, start_prices=start_prices, noise=noise, seed=seed,
                     parameters=dict(decline=decline, eth_beta=eth_beta, sol_beta=sol_beta))


def whipsaw(*, drop=0.10, eth_beta=1.3, sol_beta=1.5, start_prices=None, noise=NOISE,
            n_steps=STEPS, freq=FREQ, start=START, seed=4):
    """A sharp drop and a full recovery, twice, ending where it started. Stylized."""
    drop = _fraction(drop, "drop")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    low = 1 - drop
    btc = _shape(t, [(0, 1), (4 / 24, 1), (6 / 24, low), (9 / 24, 1), (13 / 24, 1), (15 / 24, low),
                     (19 / 24, 1), (1, 1)])
    description = (f"Stylized: BTC drops {drop:.0%} in {_span((index[-1] - index[0]) * 2 / 24)}, "
                   "recovers fully, then drops and recovers again, ending where it started - stops "
                   f"near the lows are hit just before the rebound (ETH {eth_beta:g}x, "
                   f"SOL {sol_beta:g}x).")
    return _stylized("whipsaw", description, btc[:, None] * [1, eth_beta, sol_beta], index,
                     freq=freq, start_prices=start_prices, noise=noise, seed=seed,
                     parameters=dict(drop=drop, eth_beta=eth_beta, sol_beta=sol_beta))


def gap_through_stop(*, gap=0.08, slide=0.03, gap_at=0.5, eth_beta=1.2, sol_beta=1.5,
                     start_prices=None, noise=NOISE, n_steps=STEPS, freq=FREQ, start=START,
                     seed=5):
    """Prices ease ``slide`` lower, then jump ``gap`` down in one step at ``gap_at`` (fraction of
    the path): a stop between the two prices fills far below its trigger. Stylized."""
    gap = _fraction(gap, "gap")
    slide = _fraction(slide, "slide")
    gap_at = _fraction(gap_at, "gap_at")
    eth_beta, sol_beta = positive(eth_beta, "eth_beta"), positive(sol_beta, "sol_beta")
    index, t = _timeline(n_steps, freq, start)
    step = min(max(round(gap_at * n_steps), 1), n_steps)
    btc = _shape(t, [(0, 1), (step / n_steps, 1 - slide), (1, 1 - slide)] if step < n_steps
                 else [(0, 1), (1, 1 - slide)])
    btc[step:] += math.log(1 - gap)
    btc_start = _stylized_starts(start_prices)[0]
    before, after = btc_start * math.exp(btc[step - 1]), btc_start * math.exp(btc[step])
    description = (f"Stylized: BTC eases {slide:.0%} lower, then gaps {gap:.0%} down in one step "
                   f"at {index[step]:%H:%M} (about {before:,.0f} to {after:,.0f}), so a stop "
                   "between the two prices fills far below its trigger; ETH and SOL gap too.")
    shape = btc[:, None] * [1, eth_beta, sol_beta]
    return _stylized("gap_through_stop", description, shape, index,
                     freq=freq, start_prices=start_prices, noise=noise, seed=seed,
                     parameters=dict(gap=gap, slide=slide, gap_at=gap_at, eth_beta=eth_beta,
                                     sol_beta=sol_beta))


def random_walk(*, start_prices=None, daily_volatility=None, correlation=CORRELATION, drift=0.0,
                jump_probability=0.0, jump_size=0.0, jump_volatility=0.0, n_steps=STEPS,
                freq=FREQ, start=START, seed=7):
    """One random path as a scenario (built on ``random_paths``); not stylized.

    ``start_prices`` is a ``{symbol: price}`` dict whose keys are the symbols (default BTC, ETH,
    SOL). ``daily_volatility``, ``drift``, ``jump_size`` and ``jump_volatility`` take a number or
    a ``{symbol: number}`` dict (default volatility: BTC 3 %, ETH 4 %, SOL 5.5 % a day).
    ``correlation``: one number for every pair or a matrix (list, array or DataFrame).
    """
    if not isinstance(start_prices, (Mapping, type(None))) or start_prices == {}:
        raise InvalidInput("start_prices must be a non-empty {symbol: price} dict "
                           f"(got {start_prices!r})")
    prices = dict(START_PRICES if start_prices is None else start_prices)
    symbols = tuple(prices)
    for s in symbols:
        if not isinstance(s, str) or not s:
            raise InvalidInput(f"start_prices keys must be symbol names like 'BTCUSDT' (got {s!r})")
    starts = np.array([positive(_plain(prices[s]), f"start_prices[{s!r}]") for s in symbols])
    vols = _per_symbol({} if daily_volatility is None else daily_volatility, symbols,
                       "daily_volatility", non_negative, DAILY_VOLATILITY)
    if isinstance(correlation, pd.DataFrame):
        correlation = correlation.reindex(index=list(symbols), columns=list(symbols)).to_numpy()
    matrix = correlation_matrix(correlation, len(symbols))
    drifts = _per_symbol(drift, symbols, "drift", finite, 0.0)
    p = _probability(jump_probability, "jump_probability")
    sizes = _per_symbol(jump_size, symbols, "jump_size", finite, 0.0)
    spreads = _per_symbol(jump_volatility, symbols, "jump_volatility", non_negative, 0.0)
    seed = _seed(seed)
    index = _index(n_steps, freq, start)
    path = _simulate(1, n_steps, vols, matrix, drifts, p, sizes, spreads, _steps_per_day(freq),
                     seed, starts)[0]
    vol_text = ", ".join(f"{s} {v:.1%}" for s, v in zip(symbols, vols))
    rho = (f"correlation {float(correlation):g}" if np.ndim(correlation) == 0
           else "a correlation matrix")
    jumps = f", jumps with probability {p:g} per step" if p > 0 else ""
    description = (f"Random prices (geometric Brownian motion): daily volatility {vol_text}, "
                   f"{rho}{jumps}; seed {seed}.")
    parameters = dict(start_prices=dict(zip(symbols, starts.tolist())),
                      daily_volatility=dict(zip(symbols, vols.tolist())),
                      correlation=matrix.tolist(), drift=dict(zip(symbols, drifts.tolist())),
                      jump_probability=p, jump_size=dict(zip(symbols, sizes.tolist())),
                      jump_volatility=dict(zip(symbols, spreads.tolist())), n_steps=n_steps,
                      freq=freq, start=str(start), seed=seed)
    return _frame(path, symbols, index, name="random_walk",
                  description=description, stylized=False, seed=seed, parameters=parameters)


def calibrate(prices):
    """Estimate ``random_walk`` parameters from a scenario (e.g. one loaded with ``load_csv``).

    Returns a dict: ``start_prices`` (the last row), ``daily_volatility``, ``drift`` (noisy on
    short data: set 0 for no trend), ``correlation`` (matrix) and ``freq`` (the median step),
    so ``random_walk(**calibrate(df))`` continues the data with the same statistics.
    """
    if not isinstance(prices, pd.DataFrame) or not isinstance(prices.index, pd.DatetimeIndex):
        raise InvalidInput("prices must be a scenario DataFrame with a DatetimeIndex")
    if len(prices) < 3:
        raise InvalidInput("prices must have at least 3 rows to estimate volatility "
                           f"(got {len(prices)})")
    values = prices.to_numpy(dtype=float)
    if not np.all(np.isfinite(values) & (values > 0)):
        raise InvalidInput("prices must be finite and > 0 everywhere")
    step = pd.Series(prices.index).diff().median()
    steps_per_day = pd.Timedelta("1D") / step
    returns = np.diff(np.log(values), axis=0)
    symbols = [str(c) for c in prices.columns]
    vols = returns.std(axis=0, ddof=1) * math.sqrt(steps_per_day)
    matrix = np.eye(len(symbols))
    moving = vols > 0
    if moving.sum() > 1:
        matrix[np.ix_(moving, moving)] = np.corrcoef(returns[:, moving], rowvar=False)
    matrix = np.clip((matrix + matrix.T) / 2, -1, 1)
    np.fill_diagonal(matrix, 1.0)
    return dict(start_prices=dict(zip(symbols, values[-1].tolist())),
                daily_volatility=dict(zip(symbols, vols.tolist())),
                drift=dict(zip(symbols, (returns.mean(axis=0) * steps_per_day).tolist())),
                correlation=matrix,
                freq=pd.tseries.frequencies.to_offset(step).freqstr)


# --------------------------------------------------------------------------- registry

SCENARIOS = {
    "btc_crash": btc_crash,
    "eth_decouples": eth_decouples,
    "slow_grind": slow_grind,
    "whipsaw": whipsaw,
    "gap_through_stop": gap_through_stop,
    "random_walk": random_walk,
}


FILE_SUFFIXES = (".csv", ".zip")
#: Fields of the optional ``name.json`` that describes a scenario file (all optional).
SIDECAR_FIELDS = ("description", "symbol", "source", "licence", "stylized")
#: The symbol a kline file's name starts with, as Binance names them: BTCUSDT-1h-2024-05.csv.
_SYMBOL_IN_NAME = re.compile(r"[A-Z0-9]*[A-Z][A-Z0-9]*(?=-|$)")
_BUILT_IN = {name: f"the built-in scenario {name}" for name in SCENARIOS}


def scenario_files(folder=None):
    """``{name: path}`` of the scenario files (``.csv``, or a ``.zip`` holding one CSV):
    shipped, in the ``scenarios/`` folder of each ``CROSSMARGIN_DATA_PATH`` entry, in
    ``folder``. A file named like a built-in scenario, or like another file, raises."""
    return datafiles.files("scenarios", FILE_SUFFIXES, folder, taken=_BUILT_IN)


def _sidecar(path):
    """The checked fields of the optional ``name.json`` next to a scenario file."""
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}
    about = datafiles.read_json(side)
    try:
        datafiles.check_fields(about, SIDECAR_FIELDS)
        for key, value in about.items():
            (datafiles.flag if key == "stylized" else datafiles.text)(value, key)
    except InvalidInput as err:
        raise InvalidInput(f"{side.name}: {err}") from None
    return about


def _load_file(name, path, price="close"):
    """The scenario in the file ``path``, named ``name`` and described by its sidecar."""
    about = _sidecar(path)
    source, stem, text = _read_text(path)
    rows = _rows(text)
    symbol = about.get("symbol")
    if symbol is None and rows and _is_kline(rows[0][1]):
        guess = _SYMBOL_IN_NAME.match(name)
        if guess is None:
            raise ScenarioError(f"{source} is a kline file, which does not name its symbol: "
                                "start the file name with it (BTCUSDT-1h-2024-05.csv) or write "
                                f'{{"symbol": "BTCUSDT"}} in {name}.json next to it')
        symbol = guess.group(0)
    frame = _parse(source, stem, rows, symbol=symbol, price=price)
    frame.attrs.update({key: about[key] for key in ("description", "source", "licence", "stylized")
                        if key in about}, name=name, file=str(path))
    return frame


def list_scenarios(folder=None):
    """Every scenario: the built-ins (with their default parameters), then the scenario files
    (each one is loaded, so a bad file raises here). Columns: name, description, stylized,
    parameters, file (empty for a built-in)."""
    rows = []
    for name, build in SCENARIOS.items():
        attrs = build().attrs
        rows.append(dict(name=name, description=attrs["description"], stylized=attrs["stylized"],
                         parameters=", ".join(build.__kwdefaults__), file=""))
    for name, path in scenario_files(folder).items():
        attrs = _load_file(name, path).attrs
        rows.append(dict(name=name, description=attrs["description"], stylized=attrs["stylized"],
                         parameters="price", file=str(path)))
    return pd.DataFrame(rows)


def load(name, *, folder=None, **params):
    """The scenario ``name``: a built-in built with keyword ``params``, or a scenario file
    (its one parameter, ``price``, picks a kline file's column: close, open, high or low).
    See ``list_scenarios()``."""
    path = datafiles.find("scenarios", name, FILE_SUFFIXES, folder, taken=_BUILT_IN)
    if path is not None:
        unknown = [p for p in params if p != "price"]
        if unknown:
            raise InvalidInput(f"scenario {name!r} (the file {path.name}) has no parameter "
                               f"{unknown[0]!r}; its parameters: price")
        return _load_file(name, path, **params)
    if name not in SCENARIOS:
        known = [*SCENARIOS, *scenario_files(folder)]
        raise ScenarioError(f"unknown scenario {name!r}; known scenarios: {', '.join(known)}")
    build = SCENARIOS[name]
    unknown = [p for p in params if p not in build.__kwdefaults__]
    if unknown:
        raise InvalidInput(f"scenario {name!r} has no parameter {unknown[0]!r}; its parameters: "
                           f"{', '.join(build.__kwdefaults__)}")
    return build(**params)


# --------------------------------------------------------------------------- CSV loader

KLINE_COLUMNS = ("open_time", "open", "high", "low", "close", "volume", "close_time",
                 "quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore")
PRICE_COLUMNS = ("open", "high", "low", "close")
_INTEGER = re.compile(r"[+-]?\d+")


def _read_text(path_or_buffer):
    """(name for messages, file stem, text) of a path, a .zip holding one CSV, or a file object."""
    if isinstance(path_or_buffer, (str, os.PathLike)):
        path = Path(path_or_buffer)
        source, stem = path.name, path.stem
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
                if len(members) != 1:
                    raise ScenarioError(f"{source} must hold exactly one .csv file "
                                        f"(found {len(members)})")
                data = archive.read(members[0])
                source, stem = f"{source}:{members[0]}", Path(members[0]).stem
        else:
            data = path.read_bytes()
    elif hasattr(path_or_buffer, "read"):
        data = path_or_buffer.read()
        name = Path(str(getattr(path_or_buffer, "name", "") or ""))
        source, stem = (name.name, name.stem) if name.name else ("<buffer>", "csv")
    else:
        raise InvalidInput("path_or_buffer must be a file path or an open file "
                           f"(got {path_or_buffer!r})")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{source} is not UTF-8 text ({exc})") from None
    return source, stem, data.lstrip("\ufeff")


def _rows(text):
    """Non-blank CSV rows as (line number, stripped fields); line numbers count every line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, last = [], 0
    for fields in reader:
        line, last = last + 1, reader.line_num
        if any(f.strip() for f in fields):
            rows.append((line, [f.strip() for f in fields]))
    return rows


def _times(values, lines, column, source):
    """Parse a timestamp column: epoch ms or µs (all digits) or ISO 8601 text -> UTC index."""
    def fail(i, why):
        raise ScenarioError(f"{source} line {lines[i]}, column {column!r}: {why}")

    for i, v in enumerate(values):
        if not v:
            fail(i, "missing timestamp")
    digits = np.array([bool(_INTEGER.fullmatch(v)) for v in values])
    if digits[0] or column == "open_time":
        if not digits.all():
            fail(int(np.argmin(digits)), f"{values[int(np.argmin(digits))]!r} is not a time in "
                                         "milliseconds or microseconds since 1970")
        ticks = np.array([int(v) for v in values], dtype=np.int64)
        bad = (ticks < 10**11) | (ticks >= 10**17)
        if bad.any():
            i = int(np.argmax(bad))
            fail(i, f"{values[i]} is not a time in milliseconds (13 digits) or microseconds "
                    "(16 digits) since 1970")
        micros = np.where(ticks >= 10**14, ticks, ticks * 1000)
        return pd.DatetimeIndex(pd.to_datetime(micros, unit="us", utc=True)).as_unit("us")
    parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601",
                            errors="coerce")
    if parsed.isna().any():
        i = int(np.argmax(parsed.isna().to_numpy()))
        fail(i, f"cannot read {values[i]!r} as a date-time (use ISO 8601 like "
                "2024-01-01T00:00:00Z, or milliseconds since 1970)")
    return pd.DatetimeIndex(parsed).as_unit("us")


def _prices(columns, lines, source):
    """Price columns {name: [text]} -> {name: float array}; the first bad value raises."""
    parsed = {c: pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy(dtype=float)
              for c, v in columns.items()}
    first = None
    for c, x in parsed.items():
        bad = ~(np.isfinite(x) & (x > 0))
        if bad.any() and (first is None or int(np.argmax(bad)) < first[0]):
            first = (int(np.argmax(bad)), c)
    if first is None:
        return parsed
    i, c = first
    raw = columns[c][i]
    try:
        number = float(raw)
    except ValueError:
        number = None
    if not raw:
        why = "missing price"
    elif number is None:
        why = f"{raw!r} is not a number"
    elif not math.isfinite(number):
        why = f"price must be a finite number (got {raw!r})"
    else:
        why = f"price must be > 0 (got {raw})"
    raise ScenarioError(f"{source} line {lines[i]}, column {c!r}: {why}")


def load_csv(path_or_buffer, *, symbol=None, price="close"):
    """Load your own prices from a CSV file (a path, a .zip with one CSV, or an open file).

    Two layouts are recognised:

    * a Binance kline export (``open_time, open, high, low, close, volume, close_time, ...``,
      with or without a header row; ``open_time`` in milliseconds or microseconds since 1970).
      It holds one symbol, so pass ``symbol="BTCUSDT"``; ``price`` picks the column
      (``"close"``, ``"open"``, ``"high"`` or ``"low"``); rows are stamped with ``open_time``;
    * a wide file: a ``timestamp`` column (ISO 8601 or epoch ms) and one column per symbol
      (``symbol`` keeps only that one).

    Returns a scenario DataFrame (``stylized`` False, ``name`` from the file name). A bad value
    raises ScenarioError naming the file, the line (1-based, header included) and the column.
    """
    source, stem, text = _read_text(path_or_buffer)
    return _parse(source, stem, _rows(text), symbol=symbol, price=price)


def _header(first):
    """Column names as the loader compares them: lower case, spaces as underscores."""
    return [h.lower().replace(" ", "_") for h in first]


def _is_kline(first):
    """Whether a file whose first row is ``first`` is a kline export (header or not)."""
    return bool(_INTEGER.fullmatch(first[0])) or "open_time" in _header(first)


def _parse(source, stem, rows, *, symbol, price):
    """The scenario DataFrame of a CSV's rows (see :func:`load_csv`)."""
    if price not in PRICE_COLUMNS:
        raise InvalidInput(f"price must be one of {', '.join(PRICE_COLUMNS)} (got {price!r})")
    if symbol is not None and (not isinstance(symbol, str) or not symbol.strip()):
        raise InvalidInput(f"symbol must be a name like 'BTCUSDT' (got {symbol!r})")
    if not rows:
        raise ScenarioError(f"{source} is empty: no rows of data")

    first_line, first = rows[0]
    if _INTEGER.fullmatch(first[0]):  # no header: Binance's headerless kline layout
        kind, header, data = "kline", list(KLINE_COLUMNS[: len(first)]), rows
        if len(first) < 5 or len(first) > len(KLINE_COLUMNS):
            raise ScenarioError(f"{source} line {first_line}: a kline row has 5 to 12 columns "
                                f"(open_time, open, high, low, close, ...) (got {len(first)})")
    else:
        header = _header(first)
        data = rows[1:]
        if "open_time" in header:
            kind = "kline"
        elif "timestamp" in header:
            kind = "wide"
        else:
            raise ScenarioError(f"{source} line {first_line}: the header needs an 'open_time' "
                                "column (Binance klines) or a 'timestamp' column (one column per "
                                f"symbol) (got {', '.join(first)})")
        for name in header:
            if header.count(name) > 1 or not name:
                raise ScenarioError(f"{source} line {first_line}: column name {name!r} is "
                                    f"{'empty' if not name else 'repeated'}")
        if kind == "kline" and price not in header:
            raise ScenarioError(f"{source} line {first_line}, column {price!r}: missing column "
                                f"(columns: {', '.join(first)})")
        if not data:
            raise ScenarioError(f"{source} has a header on line {first_line} but no rows of data")
    for line, fields in data:
        if len(fields) < len(header):
            raise ScenarioError(f"{source} line {line}, column {header[len(fields)]!r}: missing "
                                f"value (the row has {len(fields)} columns, expected "
                                f"{len(header)})")
        if len(fields) > len(header):
            raise ScenarioError(f"{source} line {line}: the row has {len(fields)} columns, "
                                f"expected {len(header)}")
    lines = [line for line, _ in data]

    if kind == "kline":
        if symbol is None:
            guess = re.match(r"[A-Z0-9]+", stem)
            example = guess.group(0) if guess else "BTCUSDT"
            raise ScenarioError(f"{source} is a kline file, which does not name its symbol: pass "
                                f"symbol=, e.g. load_csv(..., symbol={example!r})")
        time_column, wanted = "open_time", {symbol: price}
    else:
        time_column = first[header.index("timestamp")]
        names = [f for f, h in zip(first, header) if h != "timestamp"]
        if not names:
            raise ScenarioError(f"{source} line {first_line}: no price columns beside 'timestamp'")
        if symbol is not None and symbol not in names:
            raise ScenarioError(f"{source} line {first_line}: no column {symbol!r} "
                                f"(symbols in the file: {', '.join(names)})")
        wanted = {n: n for n in ([symbol] if symbol else names)}
    position = {name: i for i, name in enumerate(first if kind == "wide" else header)}
    stamp = _times([f[position[time_column]] for _, f in data], lines, time_column, source)
    prices = _prices({col: [f[position[col]] for _, f in data] for col in wanted.values()},
                     lines, source)

    ticks = stamp.asi8
    step = np.diff(ticks)
    if (step <= 0).any():
        i = int(np.argmax(step <= 0)) + 1
        what = "repeats the timestamp" if step[i - 1] == 0 else "is earlier than the timestamp"
        raise ScenarioError(f"{source} line {lines[i]}, column {time_column!r}: {stamp[i]} {what} "
                            f"on line {lines[i - 1]}; rows must be in time order without repeats")

    index = pd.DatetimeIndex(stamp, name="timestamp", freq="infer" if len(stamp) >= 3 else None)
    frame = pd.DataFrame({sym: prices[col] for sym, col in wanted.items()}, index=index)
    what = f"{symbol} {price} prices" if kind == "kline" else ", ".join(frame.columns)
    description = (f"Prices loaded from {source}: {what}, {len(frame)} rows from "
                   f"{index[0]:%Y-%m-%d %H:%M} to {index[-1]:%Y-%m-%d %H:%M} UTC.")
    frame.attrs.update(name=stem, description=description, stylized=False, seed=None,
                       parameters=dict(symbol=symbol, price=price), source=source)
    return frame


def _sample_klines(symbol="BTCUSDT", hours=48, seed=2024):
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


def _write_sample_klines(path=SAMPLE_KLINES_CSV):
    """Write the synthetic sample kline file (run once; the file ships with the package)."""
    _sample_klines().to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
