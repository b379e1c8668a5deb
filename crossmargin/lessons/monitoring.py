"""Watching a cross account's margin ratio over a replay (lesson 05).

Everything here reads a :class:`~crossmargin.simulation.replay.Replay` (or copies an
:class:`~crossmargin.Account`); nothing changes the account it is given::

    run = replay(scenarios.btc_crash(), plan)
    warning_window(run)            # when 80 % is crossed, when the account is liquidated
    ratio_milestones(run)          # when the ratio reaches 10 %, 25 %, 50 %, 80 %
    snapshot(run, "2024-01-01 08:00").distance["BTCUSDT"]   # room left to liquidation

The margin ratio is Binance's: maintenance margin / margin balance, liquidation at 100 %.
"""
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine import platforms
from .._validate import finite, non_empty_list, non_negative
from ..engine.account import LIQUIDATION_EVENTS, Account
from ..errors import InvalidInput
from ..simulation.replay import Replay

__all__ = ["WARNING_RATIO", "event_rows", "liquidation_row", "venue_margin_ratios", "WarningWindow",
           "warning_window", "ratio_milestones", "mark_sweep", "liquidation_distance",
           "Snapshot", "snapshot"]

#: The warning line: Binance's liquidation FAQ ("Liquidation Protocols", support article
#: 360033525271) says "It is recommended to keep a margin ratio below 80%".
WARNING_RATIO = 0.8


def _check_run(run):
    if not isinstance(run, Replay):
        raise InvalidInput(f"run must be a Replay from replay() (got {type(run).__name__})")
    return run


def _symbols(run):
    return [s for s in run.timeline.columns.get_level_values(0).unique() if s != "account"]


def _level(level, name="level"):
    x = finite(level, name)
    if not 0 < x <= 1:
        raise InvalidInput(f"{name} must be a margin ratio above 0 and at most 1, e.g. 0.8 for "
                           f"80 % (got {level!r})")
    return x


def event_rows(run, kind="liquidation"):
    """Rows (positions in ``run.timeline``) of the events of type ``kind`` (``"liquidation"``,
    ``"stop_loss"``, ``"funding"``), in order, as an int array (one per event).

    Events carry the account's step counter, which counts marks made before the replay
    too (an account given to ``replay(account=...)``); the row is recovered from it."""
    _check_run(run)
    if not isinstance(kind, str):
        raise InvalidInput(f"kind must be an event type such as 'liquidation' (got {kind!r})")
    steps = run.events.loc[run.events["type"] == kind, "step"].to_numpy(dtype=int)
    offset = run.account.step - len(run.timeline)
    return steps - offset - 1


def liquidation_row(run):
    """Row (position in ``run.timeline``) where the first liquidation started (a cut or a
    close), or None."""
    rows = np.concatenate([event_rows(run, kind) for kind in LIQUIDATION_EVENTS])
    return int(rows.min()) if len(rows) else None


def _first_row(mask):
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(rows[0]) if len(rows) else None


def venue_margin_ratios(run, account, *, okx_fee_rate=platforms.OKX_DEFAULT_FEE_RATE):
    """Binance's and OKX's margin ratios of the cross account at every row of ``run`` before
    its first liquidation.

    ``run`` is ``replay(path, account=account)`` with no new orders, so the positions of
    ``account`` are the ones replayed; their sizes give OKX's fee to close (notional ×
    ``okx_fee_rate``). Both ratios use the engine's maintenance margin, so only their
    direction differs: Binance's ``MM / margin balance`` rises toward 100 %, OKX's
    ``equity / (MM + fee to close)`` falls toward 100 %.

    Returns a DataFrame with the mark price of each position (``"BTCUSDT mark"``...) and
    the ratios as fractions (``"binance"``, ``"okx"``).
    """
    _check_run(run)
    if not isinstance(account, Account):
        raise InvalidInput(f"account must be the Account the run started from "
                           f"(got {type(account).__name__})")
    rate = non_negative(okx_fee_rate, "okx_fee_rate")
    sizes = account.positions()["contracts"]
    if sizes.empty:
        raise InvalidInput("account must hold the open positions the run replayed (got none)")
    missing = [s for s in sizes.index if s not in _symbols(run)]
    if missing:
        raise InvalidInput(f"account position {missing[0]} is not in the run (symbols: "
                           f"{', '.join(_symbols(run))})")
    stop = liquidation_row(run)
    timeline = run.timeline.iloc[:stop] if stop is not None else run.timeline
    books = timeline["account"]
    marks = pd.DataFrame({f"{s} mark": timeline[(s, "mark_price")] for s in sizes.index})
    value = sum(size * timeline[(s, "mark_price")] for s, size in sizes.items())
    marks["binance"] = platforms.binance_margin_ratio(books["maintenance_margin"],
                                                      books["cross_margin_balance"])
    marks["okx"] = platforms.okx_margin_ratio(books["cross_margin_balance"],
                                              books["maintenance_margin"], value * rate)
    return marks


@dataclass(frozen=True)
class WarningWindow:
    """The time between a margin-ratio warning level and the liquidation.

    ``crossed`` / ``crossed_row``: the first row at or above ``level`` (None if never);
    ``ratio``: the margin ratio there; ``cushion``: margin balance − maintenance margin
    there (USDT), with ``maintenance_margin`` beside it; ``liquidated`` /
    ``liquidated_row``: the first liquidation (None if none); ``steps`` and ``minutes``
    between the two (``minutes`` None without timestamps); ``moves``: each symbol's
    price change from the crossing to the liquidation, as a fraction.
    """

    level: float
    crossed: object
    crossed_row: int | None
    ratio: float | None
    cushion: float | None
    maintenance_margin: float | None
    liquidated: object
    liquidated_row: int | None
    steps: int | None
    minutes: float | None
    moves: dict = field(default_factory=dict)


def warning_window(run, level=WARNING_RATIO):
    """When the margin ratio of ``run`` first reaches ``level`` (0.8 = Binance's 80 %
    warning), when the account is liquidated, and how much room was left in between.
    Returns a :class:`WarningWindow`."""
    _check_run(run)
    level = _level(level)
    timeline, index = run.timeline, run.timeline.index
    books = timeline["account"]
    crossed = _first_row(books["margin_ratio"].to_numpy() >= level)
    liquidated = liquidation_row(run)
    ratio = cushion = mm = None
    if crossed is not None:
        ratio = float(books["margin_ratio"].iloc[crossed])
        mm = float(books["maintenance_margin"].iloc[crossed])
        cushion = float(books["cross_margin_balance"].iloc[crossed]) - mm
    steps = minutes = None
    moves = {}
    if crossed is not None and liquidated is not None:
        steps = liquidated - crossed
        if isinstance(index, pd.DatetimeIndex):
            minutes = (index[liquidated] - index[crossed]) / pd.Timedelta(minutes=1)
        moves = {s: float(timeline[(s, "mark_price")].iloc[liquidated]
                          / timeline[(s, "mark_price")].iloc[crossed] - 1)
                 for s in _symbols(run)}
    return WarningWindow(level, None if crossed is None else index[crossed], crossed, ratio,
                         cushion, mm, None if liquidated is None else index[liquidated],
                         liquidated, steps, minutes, moves)


def _when(index, row, time_format):
    if row is None:
        return "--"
    if isinstance(index, pd.DatetimeIndex):
        return index[row].strftime(time_format)
    return f"step {row}"


def ratio_milestones(run, levels=(0.10, 0.25, 0.50, 0.80), *, warning=WARNING_RATIO,
                     time_format="%H:%M"):
    """When the margin ratio of ``run`` first reaches each of ``levels``, when the account is
    liquidated ("--": never), and the minutes (or steps, without timestamps) from the
    ``warning`` level to the liquidation (NaN when either never happens).

    Returns a Series: ``"reaches 10%"``... ``"liquidated"`` as times formatted with
    ``time_format``, then ``"minutes from 80 % to liquidation"``.
    """
    _check_run(run)
    try:
        levels = [_level(x, f"levels[{n}]") for n, x in enumerate(levels)]
    except TypeError:
        raise InvalidInput(f"levels must be a list of margin ratios, e.g. (0.5, 0.8) "
                           f"(got {levels!r})") from None
    window = warning_window(run, warning)
    index = run.timeline.index
    ratio = run.timeline[("account", "margin_ratio")].to_numpy()
    row = {f"reaches {level:.0%}": _when(index, _first_row(ratio >= level), time_format)
           for level in levels}
    row["liquidated"] = _when(index, window.liquidated_row, time_format)
    timed = isinstance(index, pd.DatetimeIndex)
    gap = window.minutes if timed else window.steps
    row[f"{'minutes' if timed else 'steps'} from {window.level * 100:g} % to liquidation"] = (
        math.nan if gap is None else float(gap))
    return pd.Series(row, dtype=object)


def mark_sweep(account, symbol, prices, *, watch):
    """Mark copies of ``account`` with ``symbol`` at each of ``prices`` (the other marks
    unchanged) and read the liquidation price of ``watch`` and the account's margin ratio.

    This shows that in cross a position's liquidation price moves with the other
    positions' prices. ``account`` itself is never changed. A copy that the new price
    liquidates gets NaN in both columns.

    Returns a DataFrame indexed by ``"BTC mark"`` (the symbol's base asset) with the
    columns ``"ETH liquidation price"`` (the watched symbol's base) and ``"margin ratio"``
    (a fraction).
    """
    if not isinstance(account, Account):
        raise InvalidInput(f"account must be an Account (got {type(account).__name__})")
    for name, s in (("symbol", symbol), ("watch", watch)):
        if s not in account.open_symbols:
            raise InvalidInput(f"{name} must be an open position of the account "
                               f"({', '.join(account.open_symbols) or 'none'}) (got {s!r})")
    prices = non_empty_list(prices, "prices", of="mark prices", one="mark price")
    base, watched = account.contracts[symbol].base, account.contracts[watch].base
    rows = []
    for price in prices:
        trial = account.copy()
        closed = trial.mark({symbol: price})
        alive = watch in trial.open_symbols and not closed
        rows.append({f"{base} mark": price,
                     f"{watched} liquidation price":
                         trial.liquidation_price(watch) if alive else math.nan,
                     "margin ratio": trial.margin_ratio() if alive else math.nan})
    return pd.DataFrame(rows).set_index(f"{base} mark")


def liquidation_distance(run, symbol):
    """How far the mark of ``symbol`` is from its liquidation price at each row of ``run``,
    as a fraction of the mark: ``|mark − liquidation price| / mark`` (NaN without a
    position or a liquidation price)."""
    _check_run(run)
    if symbol not in _symbols(run):
        raise InvalidInput(f"symbol must be one of the run's symbols "
                           f"({', '.join(_symbols(run))}) (got {symbol!r})")
    mark = run.timeline[(symbol, "mark_price")]
    return ((mark - run.timeline[(symbol, "liquidation_price")]).abs() / mark).rename(symbol)


@dataclass(frozen=True)
class Snapshot:
    """One row of a replay: ``row`` (position), ``time`` (index label), ``margin_ratio``,
    and ``distance`` to liquidation of each symbol as a fraction of its mark."""

    row: int
    time: object
    margin_ratio: float
    distance: dict


def _row(index, when):
    if isinstance(when, (int, np.integer)) and not isinstance(when, bool):
        if 0 <= when < len(index):
            return int(when)
    elif isinstance(index, pd.DatetimeIndex) and isinstance(when, (str, pd.Timestamp)):
        try:
            stamp = pd.Timestamp(when)
        except ValueError:
            stamp = None
        if stamp is not None:
            if index.tz is not None and stamp.tz is None:
                stamp = stamp.tz_localize(index.tz)
            if stamp in index:
                return int(index.get_loc(stamp))
    raise InvalidInput(f"when must be a row number from 0 to {len(index) - 1} or a time of "
                       f"the replay, {index[0]} to {index[-1]} (got {when!r})")


def snapshot(run, when):
    """The margin ratio and the distances to liquidation at one row of ``run``; ``when`` is
    a time of the path (``"2024-01-01 08:00"``, UTC) or a row number. Returns a
    :class:`Snapshot`."""
    _check_run(run)
    row = _row(run.timeline.index, when)
    return Snapshot(row, run.timeline.index[row],
                    float(run.timeline[("account", "margin_ratio")].iloc[row]),
                    {s: float(liquidation_distance(run, s).iloc[row]) for s in _symbols(run)})
