"""What every kind of scenario shares: the default market, the input checks, the frame.

* the defaults: ``SYMBOLS``, ``START_PRICES``, ``DAILY_VOLATILITY``, ``CORRELATION``, ``START``,
  ``STEPS``, ``FREQ`` and ``NOISE`` (one day of one-minute BTC, ETH and SOL prices);
* the checks of the scenarios' own inputs (whole numbers, fractions, probabilities, seeds, time
  steps, one value per symbol); general checks are in :mod:`crossmargin._validate`;
* ``time_index`` and ``scenario_frame``, which give every scenario the same form.

The names are public because the package's other modules import them; ``crossmargin.scenarios``
re-exports only the defaults.
"""
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._validate import non_negative, positive, utc_timestamp
from ..errors import InvalidInput

SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT")
START_PRICES = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0, "SOLUSDT": 150.0}
DAILY_VOLATILITY = {"BTCUSDT": 0.03, "ETHUSDT": 0.04, "SOLUSDT": 0.055}
CORRELATION = 0.8
START = "2024-01-01"
STEPS = 1440
FREQ = "1min"
NOISE = 0.005


# --------------------------------------------------------------------------- checks


def whole_number(value, field, minimum=1):
    """A whole number >= minimum.

    >>> whole_number(3, "n_paths")
    3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInput(f"{field} must be a whole number (got {value!r})")
    if value < minimum:
        raise InvalidInput(f"{field} must be >= {minimum} (got {value!r})")
    return int(value)


def fraction(value, field):
    """A number strictly between 0 and 1 (a drop of 1 would take the price to zero)."""
    x = positive(value, field)
    if x >= 1:
        raise InvalidInput(f"{field} must be < 1 (got {value!r})")
    return x


def probability(value, field):
    """A number from 0 to 1."""
    x = non_negative(value, field)
    if x > 1:
        raise InvalidInput(f"{field} must be <= 1 (got {value!r})")
    return x


def check_seed(seed):
    """None (fresh randomness each call) or a whole number >= 0."""
    if seed is None:
        return None
    return whole_number(seed, "seed", minimum=0)


def steps_in_a_day(freq):
    """How many steps of ``freq`` make one day.

    >>> steps_in_a_day("1min"), steps_in_a_day("1h")
    (1440.0, 24.0)
    """
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except (TypeError, ValueError):
        raise InvalidInput(f"freq must be a fixed time step like '1min' or '1h' "
                           f"(got {freq!r})") from None
    if step <= pd.Timedelta(0):
        raise InvalidInput(f"freq must be a positive time step (got {freq!r})")
    return pd.Timedelta("1D") / step


def plain(value):
    """numpy scalars as Python numbers, so messages read 'got -2.0', not 'got np.float64(-2.0)'."""
    return value.item() if isinstance(value, np.generic) else value


def per_symbol(value, symbols, field, check, default=None):
    """A number, a ``{symbol: number}`` dict or a sequence -> float array in symbol order.

    A dict may leave symbols out; they take ``default`` (a number or a dict of numbers).

    >>> per_symbol({"ETHUSDT": 0.1}, SYMBOLS, "jump_size", non_negative, 0.0).tolist()
    [0.0, 0.1, 0.0]
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
                out.append(check(plain(value[s]), f"{field}[{s!r}]"))
                continue
            d = default.get(s) if isinstance(default, Mapping) else default
            if d is None:
                raise InvalidInput(f"{field} has no value for {s!r} "
                                   "(give a number for every symbol)")
            out.append(float(d))
        return np.array(out, dtype=float)
    if isinstance(value, str) or np.ndim(value) == 0:
        return np.full(n, check(plain(value), field), dtype=float)
    items = list(value)
    if len(items) != n:
        raise InvalidInput(f"{field} must have one value per symbol ({n}) (got {len(items)})")
    return np.array([check(plain(v), f"{field}[{i}]") for i, v in enumerate(items)], dtype=float)


# --------------------------------------------------------------------------- the scenario form


def time_index(n_steps, freq, start):
    """A scenario's index: ``n_steps + 1`` UTC times ``freq`` apart from ``start``."""
    steps_in_a_day(freq)  # checks freq
    return pd.date_range(utc_timestamp(start, "start", "2024-01-01"),
                         periods=whole_number(n_steps, "n_steps") + 1, freq=freq,
                         name="timestamp", unit="us")


def scenario_frame(values, symbols, index, *, name, description, stylized, seed, parameters):
    """Prices as a scenario DataFrame: one float column per symbol and the scenario's attrs."""
    df = pd.DataFrame(np.asarray(values, dtype=float), index=index, columns=list(symbols))
    df.attrs.update(name=name, description=description, stylized=stylized, seed=seed,
                    parameters=parameters)
    return df
