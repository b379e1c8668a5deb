"""Moving averages and RSI on a price Series, entry/exit signals, and a backtest that replays them.

Definitions (each value at time t uses prices up to t only — no look-ahead):

- **Simple moving average** over ``window`` rows: the mean of the last ``window`` prices
  (NaN until ``window`` prices exist).
- **RSI** (J. Welles Wilder Jr., *New Concepts in Technical Trading Systems*, 1978; the same
  recipe as StockCharts ChartSchool, "Relative Strength Index (RSI)"): with the price changes
  split into gains and losses (losses as positive numbers), the first average gain/loss is
  the simple mean of the first ``window`` changes; after that Wilder smooths them,
  ``average = (previous average * (window - 1) + current) / window``.
  ``RS = average gain / average loss`` and ``RSI = 100 - 100 / (1 + RS)``: 100 when there
  were no losses at all, 0 when there were no gains, undefined (NaN) when the price did not
  move.
- **Signals** (a textbook rule, not a recommendation): *enter* a long when the fast average
  crosses above the slow one while the RSI is below ``overbought``; *exit* when the fast
  average crosses back below the slow one, or when the RSI rises above ``overbought``.

:func:`backtest` trades those signals with a stop-loss through
:func:`crossmargin.simulation.replay.replay` (fees, funding, stops and liquidations as the account
applies them); :func:`signal_study` runs it over many seeded random paths next to signals
drawn at random with the same frequencies ("chance").
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import positive
from ..engine.account import Account
from ..errors import InsufficientBalance, InvalidInput
from ..scenarios import START, START_PRICES, market_paths
from ..simulation.replay import Order, replay

__all__ = ["sma", "rsi", "signals", "chance_signals", "backtest", "Backtest", "signal_study"]

#: Defaults of the signal rule: 6- and 24-step averages, 14-step RSI, 70 = overbought.
FAST, SLOW, RSI_WINDOW, OVERBOUGHT = 6, 24, 14, 70.0
TRADE_COLUMNS = ["entry_step", "exit_step", "entry_time", "exit_time", "entry_price",
                 "exit_price", "exit", "pnl", "costs"]


def _window(value, field, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidInput(f"{field} must be a whole number >= {minimum} (got {value!r})")
    return int(value)


def _prices(prices):
    """A float Series of finite prices > 0 (a list or array gets a 0, 1, 2... index)."""
    if isinstance(prices, pd.DataFrame):
        if prices.shape[1] != 1:
            raise InvalidInput(f"prices must be one column of prices (got a DataFrame with "
                               f"columns {list(prices.columns)}): pick one, e.g. df['BTCUSDT']")
        prices = prices.iloc[:, 0]
    if not isinstance(prices, pd.Series):
        try:
            prices = pd.Series(np.asarray(prices, dtype=float))
        except (TypeError, ValueError):
            raise InvalidInput(f"prices must be a pandas Series of numbers (got {prices!r})") \
                from None
        if prices.ndim != 1:
            raise InvalidInput("prices must be one-dimensional (one price per step)")
    try:
        values = prices.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"prices must hold numbers (got dtype {prices.dtype})") from None
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInput(f"prices must be finite and > 0: row {i} is {values[i]!r}")
    return pd.Series(values, index=prices.index, name=prices.name)


def sma(prices, window):
    """Simple moving average: the mean of the last ``window`` prices (NaN before that)."""
    window = _window(window, "window")
    return _prices(prices).rolling(window, min_periods=window).mean().rename(f"sma_{window}")


def _wilder(values, window):
    """Wilder's average of ``values`` (a Series whose first row is NaN: the first change
    comes at row 1): simple mean of rows 1..window, then ``(prev * (window-1) + x) / window``."""
    seeded = values.copy()
    seeded.iloc[:window] = np.nan
    if len(values) > window:
        seeded.iloc[window] = values.iloc[1:window + 1].mean()
    # From the seed on, ewm(alpha=1/window, adjust=False) is exactly Wilder's recursion.
    return seeded.ewm(alpha=1.0 / window, adjust=False).mean()


def rsi(prices, window=RSI_WINDOW):
    """Wilder's RSI (0-100) over ``window`` price changes; NaN for the first ``window`` rows
    and wherever the average gain and the average loss are both 0 (a flat price)."""
    window = _window(window, "window")
    change = _prices(prices).diff()
    gain = _wilder(change.clip(lower=0.0), window)
    loss = _wilder((-change).clip(lower=0.0), window)
    g, l = gain.to_numpy(), loss.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(l > 0, 100.0 - 100.0 / (1.0 + g / l), np.where(g > 0, 100.0, np.nan))
    return pd.Series(value, index=change.index, name=f"rsi_{window}")


def signals(prices, *, fast=FAST, slow=SLOW, rsi_window=RSI_WINDOW, overbought=OVERBOUGHT):
    """The indicators and the entry/exit signals, one row per price.

    Columns: ``price``, ``fast_ma``, ``slow_ma``, ``rsi``, ``entry`` (fast average crosses
    above the slow one, RSI below ``overbought``) and ``exit`` (fast crosses below slow, or
    RSI above ``overbought``). A crossing at t compares t with t-1: nothing after t is used.
    """
    fast, slow = _window(fast, "fast"), _window(slow, "slow")
    if fast >= slow:
        raise InvalidInput(f"fast must be shorter than slow (got fast={fast}, slow={slow})")
    overbought = positive(overbought, "overbought")
    if overbought >= 100:
        raise InvalidInput(f"overbought must be below 100 (got {overbought!r})")
    price = _prices(prices)
    fast_ma, slow_ma = sma(price, fast), sma(price, slow)
    strength = rsi(price, rsi_window)
    both = fast_ma.notna() & slow_ma.notna()
    above = (fast_ma > slow_ma) & both
    below = (fast_ma < slow_ma) & both
    was_above = above.shift(1, fill_value=False)
    was_below = below.shift(1, fill_value=False)
    return pd.DataFrame({
        "price": price, "fast_ma": fast_ma, "slow_ma": slow_ma, "rsi": strength,
        "entry": above & ~was_above & both.shift(1, fill_value=False) & (strength < overbought),
        "exit": (below & ~was_below & both.shift(1, fill_value=False)) | (strength > overbought),
    })


def _signal_frame(frame, prices):
    if not isinstance(frame, pd.DataFrame) or not {"entry", "exit"} <= set(frame.columns):
        raise InvalidInput("signal_frame must be a DataFrame with boolean 'entry' and 'exit' "
                           "columns, like signals(...) returns")
    if len(frame) != len(prices):
        raise InvalidInput(f"signal_frame must have one row per price ({len(prices)}) "
                           f"(got {len(frame)})")
    flags = {}
    for column in ("entry", "exit"):
        values = frame[column]
        if values.dtype != bool:
            raise InvalidInput(f"signal_frame[{column!r}] must be True/False "
                               f"(got dtype {values.dtype})")
        flags[column] = values.to_numpy()
    return flags


def chance_signals(frame, *, seed=0):
    """Entry and exit flags drawn at random (seeded) with the same frequencies as ``frame``'s:
    what a coin would signal. Same index, columns ``entry`` and ``exit``."""
    flags = _signal_frame(frame, frame)
    rng = np.random.default_rng(seed)
    n = len(frame)
    return pd.DataFrame({k: rng.random(n) < v.mean() for k, v in flags.items()},
                        index=frame.index)


@dataclass
class Backtest:
    """What :func:`backtest` produced: the ``trades`` (one row each: ``pnl`` in USDT after
    fees and funding, ``costs`` = those fees and funding), the ``deposit`` and the
    ``final_equity``."""

    trades: pd.DataFrame
    deposit: float
    final_equity: float

    @property
    def pnl(self):
        """Final equity minus the deposit (USDT)."""
        return self.final_equity - self.deposit


def backtest(prices, signal_frame=None, *, symbol=None, margin=1_000.0, leverage=5,
             stop_distance=0.03, margin_mode="isolated", deposit=10_000.0, **signal_options):
    """Trade the signals: a long opens at an entry signal (when flat) with a stop
    ``stop_distance`` below the fill, and closes at the next exit signal, at its stop, at
    liquidation or at the last price, whichever comes first.

    Each trade is a :func:`crossmargin.simulation.replay.replay` of the rows it spans, in an account
    holding what the previous trades left (flat between trades, so nothing else carries
    over): fees, funding, stop fills and liquidations are the account's. Trading stops if
    the account can no longer pay for the order. ``prices`` is a Series named after its
    symbol (or pass ``symbol=``); ``signal_frame`` defaults to :func:`signals`
    (``**signal_options`` go there). Returns a :class:`Backtest`.
    """
    price = _prices(prices)
    symbol = symbol if symbol is not None else price.name
    contracts = Account().contracts
    if not isinstance(symbol, str) or symbol not in contracts:
        raise InvalidInput(f"symbol must be one of {', '.join(contracts)}: name the "
                           f"Series or pass symbol= (got {symbol!r})")
    frame = signals(price, **signal_options) if signal_frame is None else signal_frame
    flags = _signal_frame(frame, price)
    if positive(stop_distance, "stop_distance") >= 1:
        raise InvalidInput(f"stop_distance must be a fraction below 1 (got {stop_distance!r})")
    order = Order(symbol, "long", margin=positive(margin, "margin"),
                  leverage=positive(leverage, "leverage"), margin_mode=margin_mode,
                  stop_distance=stop_distance)
    equity = deposit = positive(deposit, "deposit")
    path = price.to_frame(symbol)
    entries, exits = np.flatnonzero(flags["entry"]), np.flatnonzero(flags["exit"])
    last, start, rows = len(price) - 1, 0, []
    while True:
        k = np.searchsorted(entries, start)
        if k == len(entries) or entries[k] >= last:
            break
        a = int(entries[k])
        j = np.searchsorted(exits, a, side="right")
        b = int(exits[j]) if j < len(exits) else last
        try:
            run = replay(path.iloc[a:b + 1], [order], deposit=equity, liquidation_prices=False)
        except InsufficientBalance:
            break
        kinds = run.events["type"].to_numpy()
        closed = np.flatnonzero((kinds == "stop_loss") | (kinds == "liquidation"))
        if len(closed):      # a fresh account's mark number n is row n - 1 of the trade
            event = run.events.iloc[closed[0]]
            end, how = a + int(event["step"]) - 1, event["type"]
        else:
            event = run.account.close(symbol)
            end, how = b, "signal" if j < len(exits) else "end"
        after = float(run.account.summary()["equity"])
        # costs: what the price move earned (realized PnL) minus what the account gained
        rows.append((a, end, price.index[a], price.index[end], float(price.iloc[a]),
                     float(event["price"]), how, after - equity,
                     float(event["realized_pnl"]) - (after - equity)))
        equity, start = after, end + 1
    return Backtest(pd.DataFrame(rows, columns=TRADE_COLUMNS), deposit, equity)


def signal_study(n_paths=60, *, days=30, steps_per_day=24, daily_volatility=None, seed=11,
                 symbol="BTCUSDT", **options):
    """The signals against chance over ``n_paths`` seeded random paths of ``symbol``
    (driftless geometric Brownian motion, ``days`` long, ``steps_per_day`` marks a day).

    On each path, :func:`backtest` trades :func:`signals`, then the same backtest trades
    :func:`chance_signals` (same frequencies, drawn at random). ``options`` go to
    :func:`backtest` (margin, leverage, stop_distance, fast, slow...). One row per path:
    ``trades``, ``pnl`` (USDT, after fees and funding), ``costs`` (those fees and funding),
    then ``chance_trades``, ``chance_pnl`` and ``chance_costs``.
    """
    if symbol not in START_PRICES:
        raise InvalidInput(f"symbol must be one of {', '.join(START_PRICES)} (got {symbol!r})")
    steps = _window(days, "days") * _window(steps_per_day, "steps_per_day")
    paths = market_paths(symbol, n_paths, steps, daily_volatility=daily_volatility,
                         correlation=1.0, steps_per_day=steps_per_day, seed=seed)[:, :, 0]
    index = pd.date_range(START, periods=steps + 1, freq=pd.Timedelta(days=1) / steps_per_day,
                          tz="UTC", name="timestamp")
    signal_keys = {"fast", "slow", "rsi_window", "overbought"}
    rule = {k: v for k, v in options.items() if k in signal_keys}
    trade = {k: v for k, v in options.items() if k not in signal_keys}
    rows = []
    for n, values in enumerate(paths):
        price = pd.Series(values, index=index, name=symbol)
        frame = signals(price, **rule)
        ours = backtest(price, frame, **trade)
        coin = backtest(price, chance_signals(frame, seed=seed + n + 1), **trade)
        rows.append((n, len(ours.trades), ours.pnl, ours.trades["costs"].sum(),
                     len(coin.trades), coin.pnl, coin.trades["costs"].sum()))
    return pd.DataFrame(rows, columns=["path", "trades", "pnl", "costs", "chance_trades",
                                       "chance_pnl", "chance_costs"])
