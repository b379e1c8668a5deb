"""Random prices: many correlated paths at once, one random path as a scenario, calibration.

* ``random_paths``: an array of correlated geometric-Brownian-motion paths with optional jumps
  and optional fat tails (``df``: Student-t steps), for Monte Carlo; ``simulate_paths`` is its
  engine on checked inputs (the stylized days use it for their noise);
* ``market_paths``: ``random_paths`` of named symbols from the course's default market (start
  prices, daily volatilities, correlation): what the lessons' Monte Carlo runs draw;
* ``correlation_matrix``: a correlation number or matrix, checked;
* ``random_walk``: one random path as a scenario DataFrame;
* ``calibrate``: ``random_walk`` parameters estimated from prices (e.g. a loaded CSV).

This module is ``crossmargin.scenarios.random``. Imports are absolute in Python 3, so
``import random`` anywhere still means the standard library. It is not called ``random_paths.py``
because the package re-exports the *function* ``random_paths``: a module of the same name would
make ``import crossmargin.scenarios.random_paths as m`` hand back the function.
"""
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._validate import finite, non_negative, positive
from ..errors import InvalidInput
from .common import (
    CORRELATION, DAILY_VOLATILITY, FREQ, START, START_PRICES, STEPS, check_seed, per_symbol,
    plain, probability, scenario_frame, steps_in_a_day, time_index, whole_number,
)

#: Values per chunk when generating many paths (2 MB of float64): keeps memory flat. The paths
#: do not depend on it (a test sets it small to show that).
CHUNK_VALUES = 1 << 18


# --------------------------------------------------------------------------- correlation


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


def _degrees_of_freedom(df):
    """None (normal steps) or the Student-t degrees of freedom: a finite number > 2 (at 2 or
    fewer a step has no finite variance, so no volatility to keep)."""
    if df is None:
        return None
    if isinstance(df, str):
        raise InvalidInput(f"df must be a number (got {df!r})")
    x = finite(df, "df")
    if x <= 2:
        raise InvalidInput(f"df must be > 2, or None for normal steps (got {df!r})")
    return x


def simulate_paths(n_paths, n_steps, daily_volatility, correlation, drift, jump_probability,
                   jump_size, jump_volatility, steps_per_day, seed, start=None, df=None):
    """Price paths (n_paths, n_steps + 1, n_symbols) from checked inputs; row 0 = ``start``.

    Without ``start``: the cumulative log returns (row 0 = 0). ``df``: see :func:`random_paths`.
    """
    n_symbols = len(daily_volatility)
    scale = _factor(correlation) * (daily_volatility / math.sqrt(steps_per_day))[:, None]
    mean = drift / steps_per_day
    # Separate streams for the diffusion, the jump times and the jump sizes: results do not
    # depend on the chunk size, and adding jumps leaves the diffusion part unchanged.
    # A fourth stream draws the fat tails' chi-square divisors; the first three are spawned the
    # same way as before, so df=None gives the normal paths bit for bit.
    normal, when, size, tails = (np.random.default_rng(s)
                                 for s in np.random.SeedSequence(seed).spawn(4))

    out = np.empty((n_paths, n_steps + 1, n_symbols))
    chunk = max(1, CHUNK_VALUES // (n_steps * n_symbols))
    noise = np.empty((min(chunk, n_paths), n_steps, n_symbols))
    steps = np.empty_like(noise)
    for a in range(0, n_paths, chunk):
        b = min(a + chunk, n_paths)
        z, r, block = noise[: b - a], steps[: b - a], out[a:b]
        normal.standard_normal(out=z)
        if df is not None:  # multivariate Student-t with unit variance: z * sqrt((df - 2) / W)
            z *= np.sqrt((df - 2) / tails.chisquare(df, (b - a, n_steps)))[:, :, None]
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
                 seed=None, df=None):
    """Many correlated price paths at once (geometric Brownian motion with optional jumps and
    optional fat tails).

    Returns a float64 array of shape (n_paths, n_steps + 1, n_symbols); row 0 holds the start
    prices. Per symbol (a number applies to all, or one value per symbol):

    * ``daily_volatility``: standard deviation of one day's log return (0.03 = 3 % a day);
    * ``drift``: average daily log return (0 = no trend);
    * ``jump_size`` / ``jump_volatility``: mean and spread of the log jump.

    ``correlation`` is one number for every pair or a full matrix. ``jump_probability`` is the
    chance per step of a market-wide jump that moves every symbol at once. ``steps_per_day``
    sets the step length (1440 = one minute). Same ``seed`` -> same paths.

    ``df`` (degrees of freedom, > 2) makes the steps fat-tailed, Student-t: each step's normal
    shocks ``z`` are divided by one ``sqrt(W / df)`` shared by the symbols, ``W`` chi-square
    with ``df`` degrees of freedom (the multivariate t, a normal variance mixture: McNeil, Frey
    & Embrechts, *Quantitative Risk Management*, 2nd ed. 2015, ch. 6), then scaled by
    ``sqrt((df - 2) / df)`` to unit variance: ``z * sqrt((df - 2) / W)``. So
    ``daily_volatility`` and ``correlation`` keep their meaning, while big steps are more
    frequent (excess kurtosis ``6 / (df - 4)`` for df > 4, unbounded for df <= 4) and come to
    every symbol in the same step. ``df=None`` (the default) gives the normal paths, the same
    as before for the same ``seed``; with ``df`` the same seed draws the same normal shocks,
    each step's stretched or shrunk.
    """
    if isinstance(start_prices, Mapping) or np.ndim(start_prices) > 1:
        raise InvalidInput("start_prices must be a number or a list of numbers, one per symbol "
                           f"(got {start_prices!r})")
    if np.ndim(start_prices) == 0:
        start_prices = [start_prices]
    if len(start_prices) == 0:
        raise InvalidInput("start_prices must hold at least one price (got none)")
    names = tuple(range(len(start_prices)))
    start = per_symbol(start_prices, names, "start_prices", positive)
    return simulate_paths(
        whole_number(n_paths, "n_paths"),
        whole_number(n_steps, "n_steps"),
        per_symbol(daily_volatility, names, "daily_volatility", non_negative),
        correlation_matrix(correlation, start.size),
        per_symbol(drift, names, "drift", finite),
        probability(jump_probability, "jump_probability"),
        per_symbol(jump_size, names, "jump_size", finite),
        per_symbol(jump_volatility, names, "jump_volatility", non_negative),
        positive(steps_per_day, "steps_per_day"),
        check_seed(seed),
        start,
        _degrees_of_freedom(df),
    )


def market_paths(symbols, n_paths, n_steps, *, seed, daily_volatility=None,
                 correlation=CORRELATION, steps_per_day=1440, drift=0.0, jump_probability=0.0,
                 jump_size=0.0, jump_volatility=0.0, df=None):
    """:func:`random_paths` of ``symbols`` (a name or a list, e.g. ``["BTCUSDT", "ETHUSDT"]``)
    from the course's market: each symbol's :data:`START_PRICES` and :data:`DAILY_VOLATILITY`
    (or ``daily_volatility``, a number or one per symbol) and :data:`CORRELATION` (or
    ``correlation``). The other keywords are :func:`random_paths`'s. Columns follow
    ``symbols``; the same ``seed`` gives the same paths as the same ``random_paths`` call.

    >>> market_paths(["BTCUSDT", "SOLUSDT"], 2, 10, seed=1)[:, 0].tolist()
    [[60000.0, 150.0], [60000.0, 150.0]]
    """
    names = [symbols] if isinstance(symbols, str) else list(symbols)
    unknown = [s for s in names if not isinstance(s, str) or s not in START_PRICES]
    if unknown or not names:
        raise InvalidInput(f"symbols must be among {', '.join(START_PRICES)} (got {symbols!r})")
    volatility = ([DAILY_VOLATILITY[s] for s in names] if daily_volatility is None
                  else daily_volatility)
    return random_paths(n_paths, n_steps, [START_PRICES[s] for s in names], volatility,
                        correlation, drift=drift, jump_probability=jump_probability,
                        jump_size=jump_size, jump_volatility=jump_volatility,
                        steps_per_day=steps_per_day, seed=seed, df=df)


# --------------------------------------------------------------------------- one path, calibration


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
    starts = np.array([positive(plain(prices[s]), f"start_prices[{s!r}]") for s in symbols])
    vols = per_symbol({} if daily_volatility is None else daily_volatility, symbols,
                      "daily_volatility", non_negative, DAILY_VOLATILITY)
    if isinstance(correlation, pd.DataFrame):
        correlation = correlation.reindex(index=list(symbols), columns=list(symbols)).to_numpy()
    matrix = correlation_matrix(correlation, len(symbols))
    drifts = per_symbol(drift, symbols, "drift", finite, 0.0)
    p = probability(jump_probability, "jump_probability")
    sizes = per_symbol(jump_size, symbols, "jump_size", finite, 0.0)
    spreads = per_symbol(jump_volatility, symbols, "jump_volatility", non_negative, 0.0)
    seed = check_seed(seed)
    index = time_index(n_steps, freq, start)
    path = simulate_paths(1, n_steps, vols, matrix, drifts, p, sizes, spreads,
                          steps_in_a_day(freq), seed, starts)[0]
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
    return scenario_frame(path, symbols, index, name="random_walk",
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

