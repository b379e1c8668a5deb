"""Stop-loss orders: where one position ends on a path, how far its liquidation is, and
what a gap through the stop costs.

- :func:`stop_outcome` follows one position opened at the first price of a path,
  step by step as :meth:`crossmargin.Account.mark` would (funding, the stop the price
  passed, the liquidation procedure, the stop it gapped through), but over the whole path
  at once with the vectorized :mod:`crossmargin.engine.formulas`. It gives the same exit,
  fill price and equity change as :func:`crossmargin.simulation.replay.replay` with
  ``Order(..., stop_distance=...)`` and the same equity as
  :func:`crossmargin.simulation.montecarlo.step_paths` (the tests
  check both), in well under a millisecond — fast enough for a slider
  (:class:`crossmargin.widgets.StopLossLab` uses it).
- :func:`liquidation_distances` tabulates how far below the entry a long's
  liquidation price sits, isolated and cross, at several leverages: a stop must
  sit closer than that to trigger first.
- :func:`stop_fill` reads a replay's stop-loss fill against the order's trigger:
  the planned loss, the fill price and what the gap cost on top.
- :func:`describe_exits` tells a replay's stops and liquidations in one line.
- :func:`position_size` sizes a position from the loss accepted at its stop (fees and a gap
  allowance included) and checks that the stop sits inside the liquidation price;
  :func:`sizing_table` does it at several leverages.
"""
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine import formulas
from .._validate import (finite, non_empty_list, non_negative, positive, positive_array,
                        side_sign)
from ..engine.account import MARGIN_MODES
from ..engine.contracts import (FUNDING_INTERVAL_HOURS, GAP_THRESHOLD, Contract,
                                default_contracts)
from ..engine.venues import tier_step_target
from ..errors import InsufficientBalance, InvalidInput, LeverageTooHigh, UnknownSymbol
from ..simulation.replay import Order, Replay, open_orders

__all__ = ["StopOutcome", "stop_outcome", "GAP_THRESHOLD", "liquidation_distances",
           "StopFill", "stop_fill", "describe_exits", "PositionSize", "position_size",
           "sizing_table"]

_FUNDING_PERIOD_NS = pd.Timedelta(hours=FUNDING_INTERVAL_HOURS).value


@dataclass(frozen=True)
class StopOutcome:
    """How one position ended on a path.

    ``exit`` is ``"stop"``, ``"liquidated"`` or ``"open"`` (still open at the
    end). ``exit_step`` is the row of the path (None if open), ``exit_price``
    the stop's fill or the liquidation mark, ``slippage`` how far the fill is
    past the trigger in price (0 when it filled at the trigger, None without a
    stop fill). ``pnl`` is the account's equity change in USDT from before the
    order to the end of the path: fees and funding included. ``size`` is the size
    opened. ``cut_steps``: the rows where a liquidation cut the position and left it open,
    smaller and without its stop (only a position in a tier whose maintenance rate exceeds
    the clearance fee can survive).
    """

    exit: str
    exit_step: int | None
    exit_time: pd.Timestamp | None
    exit_price: float | None
    trigger: float | None
    slippage: float | None
    size: float
    entry_price: float
    liquidation_price: float | None
    pnl: float
    cut_steps: tuple = ()


class PricePath:
    """One symbol's prices as numpy arrays, with the funding instants counted per step."""

    def __init__(self, path, symbol):
        if not isinstance(path, pd.DataFrame):
            raise InvalidInput(f"path must be a scenario DataFrame (got {type(path).__name__})")
        if symbol not in path.columns:
            raise InvalidInput(f"path has no {symbol!r} column (columns: "
                               f"{', '.join(map(str, path.columns))})")
        if len(path) < 2:
            raise InvalidInput(f"path must have at least 2 rows (got {len(path)})")
        self.prices = np.asarray(positive_array(path[symbol].to_numpy(dtype=float),
                                                f"path[{symbol!r}]"))
        self.index = path.index
        if isinstance(path.index, pd.DatetimeIndex):
            # Account pays funding at each 00:00/08:00/16:00 UTC instant in (previous, now].
            ticks = path.index.tz_convert("UTC").as_unit("ns").asi8 // _FUNDING_PERIOD_NS
            self.funding_counts = np.concatenate([[0], np.diff(ticks)]).astype(float)
        else:
            self.funding_counts = np.zeros(len(path))


def contract_for(symbol, contract):
    if contract is None:
        specs = default_contracts()
        if symbol not in specs:
            raise UnknownSymbol(f"symbol {symbol!r} has no contract spec "
                                f"(known: {', '.join(specs)})")
        return specs[symbol]
    if not isinstance(contract, Contract) or contract.symbol != symbol:
        raise InvalidInput(f"contract must be the Contract of {symbol} (got {contract!r})")
    return contract


def _within_bracket(leverage, notional, symbol, brackets):
    """:class:`LeverageTooHigh` when ``leverage`` is above the bracket's maximum for a
    position of ``notional`` USDT."""
    limit = brackets.max_leverage(notional)
    if leverage > limit:
        raise LeverageTooHigh(f"leverage {leverage:g}x exceeds the {limit:g}x maximum of "
                              f"{symbol}'s bracket for a {notional:,.0f} USDT position")


def _first(mask):
    """Index of the first True, or None."""
    if not len(mask):
        return None
    i = int(np.argmax(mask))
    return i if mask[i] else None


def stop_outcome(path, *, leverage, stop_distance=None, margin=1_000.0, deposit=10_000.0,
                 side="long", margin_mode="isolated", symbol="BTCUSDT", contract=None,
                 gap_threshold=GAP_THRESHOLD):
    """Open one position at the path's first price and follow it to a stop, a liquidation
    or the end of the path — the same result as replaying
    ``Order(symbol, side, margin=margin, leverage=leverage, margin_mode=margin_mode,
    stop_distance=stop_distance)`` on an account funded with ``deposit``.

    ``stop_distance`` is a fraction of the entry price (0.05 = a stop 5 % away on
    the losing side; None = no stop). Per step, as :meth:`Account.mark` (Binance's rules):

    1. funding if due;
    2. a stop the price reached without a gap fills at its trigger;
    3. the liquidation procedure when the margin ratio ``MM / (collateral + UPNL)`` reaches
       100 % (the collateral is the isolated margin, or in cross the whole wallet): the stop
       is cancelled; if the balance is > 0 and the position is above its first tier, one cut
       at the mark to the floor of its tier (:func:`~crossmargin.engine.venues.tier_step_target`)
       for the clearance fee on the part closed; if the requirement is then below the balance
       the position carries on, smaller and without a stop (``cut_steps``), otherwise the
       rest is closed for the clearance fee, capped by what is left;
    4. a stop the price gapped through (more than ``gap_threshold`` past the trigger) fills
       at the mark, unless step 3 cancelled it.

    A stop that fills past the bankruptcy price leaves the account at zero, never below (the
    insurance fund covers the rest). Returns a :class:`StopOutcome`.

    Why this is not :func:`crossmargin.simulation.montecarlo.step_paths` (the one stepper):
    it answers what the stepper does not report — which exit, at which step, the fill price,
    the slippage and the liquidation price — for one position on one path, and the stop
    lab calls it on every slider move: about 0.15 ms, where opening the position in an
    account and stepping it through ``step_paths`` takes about 1.8 ms. The tests check it
    against both, replay and the stepper, case by case.
    """
    data = path if isinstance(path, PricePath) else PricePath(path, symbol)
    spec = contract_for(symbol, contract)
    sign = side_sign(side)
    leverage = positive(leverage, "leverage")
    margin = positive(margin, "margin")
    deposit = positive(deposit, "deposit")
    gap_threshold = non_negative(gap_threshold, "gap_threshold")
    if margin_mode not in MARGIN_MODES:
        raise InvalidInput(f"margin_mode must be 'cross' or 'isolated' (got {margin_mode!r})")
    if stop_distance is not None:
        stop_distance = finite(stop_distance, "stop_distance")
        if not 0 < stop_distance < 1:
            raise InvalidInput(f"stop_distance must be between 0 and 1, e.g. 0.05 for 5 % "
                               f"(got {stop_distance!r})")
    brackets = spec.brackets
    if leverage < 1:
        raise InvalidInput(f"leverage must be >= 1 (got {leverage:g})")
    notional = margin * leverage
    _within_bracket(leverage, notional, symbol, brackets)
    prices = data.prices
    entry = float(prices[0])
    size = opened = notional / entry
    open_fee = notional * spec.taker_fee
    if margin + open_fee > deposit + 1e-9:
        raise InsufficientBalance(f"margin {margin:,.2f} + fee {open_fee:,.2f} USDT exceeds "
                                  f"the deposit of {deposit:,.2f} USDT")
    wallet = deposit - open_fee                      # cross wallet after the opening fee
    collateral = margin if margin_mode == "isolated" else wallet
    lp = formulas.liquidation_price(side, size, entry, collateral, brackets=brackets)
    kept = deposit - open_fee - (margin if margin_mode == "isolated" else 0.0)
    rate = spec.liquidation_fee_rate

    trigger = None
    hit = gapped = np.zeros(len(prices), dtype=bool)
    if stop_distance is not None:
        trigger = entry * (1 - sign * stop_distance)
        hit = (prices <= trigger) if sign > 0 else (prices >= trigger)
        gapped = np.abs(prices - trigger) > gap_threshold * trigger
    times = data.index
    cuts = []
    start = 0     # the rows after ``start`` are still to come (the order is placed at row 0)
    while True:
        rows = prices[start + 1:]
        # Funding paid since ``start`` (a long pays a positive rate) by the size held now.
        funding = np.cumsum(data.funding_counts[start + 1:] * sign * size * rows
                            * spec.funding_rate)
        upnl = sign * size * (rows - entry)
        mm = formulas.maintenance_margin(size, rows, brackets) if len(rows) else rows
        balance = collateral - funding + upnl
        liq_step = _first(formulas.margin_ratio(mm, balance) >= 1.0)
        stop_step = _first(hit[start + 1:]) if trigger is not None and not cuts else None
        if stop_step is not None and (liq_step is None or stop_step < liq_step or (
                stop_step == liq_step and not gapped[start + 1 + stop_step])):
            k = start + 1 + stop_step
            mark = float(prices[k])
            fill = mark if gapped[k] else trigger
            pnl = sign * size * (fill - entry) - size * fill * spec.taker_fee
            # An account never ends below zero: the insurance fund covers a fill past bankruptcy.
            left = max(0.0, collateral - funding[stop_step] + pnl)
            equity = kept + left if margin_mode == "isolated" else left
            return StopOutcome("stop", k, _time(times, k), fill, trigger,
                               sign * (trigger - fill), opened, entry, lp, equity - deposit,
                               tuple(cuts))
        if liq_step is None:
            # no rows left: cut at the last row, still open at that mark
            left = collateral + (upnl[-1] - funding[-1] if len(rows)
                                 else sign * size * (prices[-1] - entry))
            equity = (kept if margin_mode == "isolated" else 0.0) + left
            return StopOutcome("open", None, None, None, trigger, None, opened, entry, lp,
                               equity - deposit, tuple(cuts))
        k = start + 1 + liq_step
        mark = float(prices[k])
        left, rest = float(balance[liq_step]), size
        target = tier_step_target(size * mark, brackets)
        if left > 0 and target > 0:     # one cut to the floor of the tier, at the mark
            qty = size - target / mark
            rest = size - qty
            held = (collateral - funding[liq_step] + sign * qty * (mark - entry)
                    - min(qty * mark * rate, left))
            left = held + sign * rest * (mark - entry)
            if formulas.maintenance_margin(rest, mark, brackets) < left:
                size, collateral, start = rest, held, k       # it survives, without its stop
                cuts.append(k)
                continue
        fee = min(rest * mark * rate, max(0.0, left))
        equity = (kept if margin_mode == "isolated" else 0.0) + max(0.0, left - fee)
        return StopOutcome("liquidated", k, _time(times, k), mark, trigger, None,
                           opened, entry, lp, equity - deposit, tuple(cuts))


def _time(index, step):
    return index[step] if isinstance(index, pd.DatetimeIndex) else None


def liquidation_distances(leverages, *, margin=1_000.0, deposit=10_000.0,
                          entry_price=60_000.0, symbol="BTCUSDT", side="long"):
    """How far from the entry the liquidation price of one position sits, in % of the entry,
    isolated and cross, at each leverage.

    Each row opens ``side`` on ``symbol`` at ``entry_price`` with ``margin`` USDT in a fresh
    :class:`~crossmargin.Account` funded with ``deposit`` USDT, once isolated and once cross,
    and asks the account for the liquidation price. A stop protects only if it sits closer
    to the entry than this distance. NaN: the position has no liquidation price (in cross,
    the wallet covers the whole notional).

    Returns a DataFrame indexed by ``leverage`` with the columns
    ``"isolated: liquidation distance %"`` and ``"cross: liquidation distance %"``.
    """
    levels = non_empty_list(leverages, "leverages", "(2, 5, 10)")
    for n, leverage in enumerate(levels):
        if positive(leverage, f"leverages[{n}]") < 1:
            raise InvalidInput(f"leverages[{n}] must be >= 1 (got {leverage!r})")
    margin = positive(margin, "margin")
    deposit = positive(deposit, "deposit")
    entry_price = positive(entry_price, "entry_price")
    side_sign(side)
    rows = []
    for leverage in levels:
        row = {"leverage": leverage}
        for mode in ("isolated", "cross"):
            account = open_orders([Order(symbol, side, margin=margin, leverage=leverage,
                                         margin_mode=mode)], [entry_price], deposit=deposit)
            lp = account.liquidation_price(symbol)
            row[f"{mode}: liquidation distance %"] = (
                math.nan if lp is None else abs(entry_price - lp) / entry_price * 100)
        rows.append(row)
    return pd.DataFrame(rows).set_index("leverage")


@dataclass(frozen=True)
class StopFill:
    """A stop-loss fill of a replay, read against the order that placed the stop.

    ``entry_price`` is the order's fill, ``trigger`` the stop's trigger price,
    ``price`` the stop's fill (the trigger, or the mark when the price gapped
    through it), ``size`` the contracts closed, ``realized_pnl`` and ``fee`` as the
    account booked them (USDT).
    """

    symbol: str
    side: str
    time: pd.Timestamp | None
    step: int
    entry_price: float
    trigger: float
    price: float
    size: float
    realized_pnl: float
    fee: float

    @property
    def planned_pnl(self):
        """What the stop would realize filled exactly at its trigger (fee excluded)."""
        return side_sign(self.side) * self.size * (self.trigger - self.entry_price)

    @property
    def slippage(self):
        """How far past the trigger the fill is, in price (0: filled at the trigger)."""
        return side_sign(self.side) * (self.trigger - self.price)

    @property
    def gap_cost(self):
        """The extra loss of filling past the trigger: ``size × slippage`` (USDT)."""
        return self.size * self.slippage


def stop_fill(run, order):
    """The first stop-loss fill of ``order``'s symbol in ``run`` (a :class:`Replay` of a plan
    holding ``order``), or None when its stop never fired.

    ``order`` must carry a stop (``stop_loss`` or ``stop_distance``). Its entry price is the
    path's mark at step ``order.at`` (orders fill at the mark), and its trigger is computed
    as :meth:`Order.place` does.
    """
    if not isinstance(run, Replay):
        raise InvalidInput(f"run must be a Replay from replay() (got {type(run).__name__})")
    if not isinstance(order, Order):
        raise InvalidInput(f"order must be an Order (got {type(order).__name__})")
    if order.stop_loss is None and order.stop_distance is None:
        raise InvalidInput(f"order must carry a stop: stop_loss or stop_distance "
                           f"(got neither on {order.side} {order.symbol})")
    symbols = [s for s in run.timeline.columns.get_level_values(0).unique() if s != "account"]
    if order.symbol not in symbols:
        raise InvalidInput(f"order.symbol {order.symbol!r} is not in the replay (symbols: "
                           f"{', '.join(symbols)})")
    if not 0 <= order.at < len(run.timeline):
        raise InvalidInput(f"order.at must be a step from 0 to {len(run.timeline) - 1} "
                           f"(got {order.at!r})")
    entry = float(run.timeline[(order.symbol, "mark_price")].iloc[order.at])
    trigger = order.stop_loss
    if order.stop_distance is not None:
        trigger = entry * (1 - side_sign(order.side) * order.stop_distance)
    events = run.events
    stops = events[(events["type"] == "stop_loss") & (events["symbol"] == order.symbol)]
    if stops.empty:
        return None
    e = stops.iloc[0]
    time = e["time"] if isinstance(e["time"], pd.Timestamp) else None
    return StopFill(order.symbol, e["side"], time, int(e["step"]), entry, float(trigger),
                    float(e["price"]), float(e["size"]), float(e["realized_pnl"]),
                    float(e["fee"]))


def describe_exits(run, time_format="%H:%M"):
    """One line telling every stop-loss and liquidation of ``run``, in order, with what each
    paid into (or took from) the account, e.g.
    ``"BTCUSDT stop_loss at 04:10 (-352.10 USDT); ETHUSDT liquidation at ..."``;
    ``"no stop and no liquidation"`` when nothing closed."""
    if not isinstance(run, Replay):
        raise InvalidInput(f"run must be a Replay from replay() (got {type(run).__name__})")
    closes = run.events[run.events["type"].isin(["stop_loss", "liquidation"])]
    told = []
    for e in closes.itertuples():
        when = (f"{e.time:{time_format}}" if isinstance(e.time, pd.Timestamp)
                else f"step {e.step}")
        told.append(f"{e.symbol} {e.type} at {when} ({e.amount:+,.2f} USDT)")
    return "; ".join(told) or "no stop and no liquidation"


@dataclass(frozen=True)
class PositionSize:
    """A position sized from a risk budget (see :func:`position_size`); amounts in USDT.

    ``size`` (base units), ``notional`` and ``margin`` (isolated: notional / leverage) at
    the entry; ``planned_fill``: the stop's trigger moved ``gap_allowance`` past it;
    ``loss_per_unit``: what one unit loses from entry to that fill, both taker fees
    included; ``price_loss`` and ``fees``: the two parts of the loss at the planned fill
    (they add up to ``risk_budget``); ``liquidation_price`` at ``leverage`` (None: none
    exists); ``stop_inside``: the planned fill lies between the entry and the liquidation
    price, so the stop fires before the liquidation can cancel it.
    """

    risk_budget: float
    side: str
    entry_price: float
    stop_price: float
    leverage: float
    taker_fee: float
    gap_allowance: float
    planned_fill: float
    loss_per_unit: float
    size: float
    notional: float
    margin: float
    price_loss: float
    fees: float
    liquidation_price: float | None
    stop_inside: bool


def position_size(risk_budget, entry_price, stop_price, *, leverage, gap_allowance,
                  side="long", taker_fee=None, symbol="BTCUSDT"):
    """The size whose loss at the stop, fees and a gap included, is ``risk_budget`` USDT,
    and whether that stop sits inside the liquidation price of the position isolated at
    ``leverage``. Returns a :class:`PositionSize`.

    ``fill = stop × (1 − side × gap_allowance)`` (the stop fills on the order book, past its
    trigger after a gap: ``gap_allowance`` is the fraction of the stop price you plan for);
    ``loss per unit = side × (entry − fill) + taker_fee × (entry + fill)`` (the taker fee on
    the opening and on the closing trade, each on its own price, as :class:`~crossmargin.Account`
    charges them); ``size = risk_budget / loss per unit``. ``taker_fee`` defaults to the
    contract's (0.05 %, Binance's regular tier). Leverage does not change the size, only the
    margin (``notional / leverage``) and the liquidation price, which is
    :func:`crossmargin.engine.formulas.liquidation_price` on that isolated margin with the
    symbol's brackets (Binance's rules). A leverage above the bracket's maximum for the
    notional is refused as :class:`~crossmargin.errors.LeverageTooHigh`.

    >>> p = position_size(100, 60_000, 57_000, leverage=10, gap_allowance=0.01)
    >>> round(p.planned_fill, 2), round(p.loss_per_unit, 3), round(p.size, 6)
    (56430.0, 3628.215, 0.027562)
    >>> round(p.liquidation_price, 2), p.stop_inside
    (54216.87, True)
    """
    risk_budget = positive(risk_budget, "risk_budget")
    entry_price = positive(entry_price, "entry_price")
    stop_price = positive(stop_price, "stop_price")
    sign = side_sign(side)
    leverage = positive(leverage, "leverage")
    if leverage < 1:
        raise InvalidInput(f"leverage must be >= 1 (got {leverage:g})")
    gap_allowance = non_negative(gap_allowance, "gap_allowance")
    if gap_allowance >= 1:
        raise InvalidInput(f"gap_allowance must be a fraction of the stop price below 1, e.g. "
                           f"0.005 for 0.5 % (got {gap_allowance!r})")
    spec = contract_for(symbol, None)
    taker_fee = spec.taker_fee if taker_fee is None else non_negative(taker_fee, "taker_fee")
    if taker_fee >= 0.01:
        raise InvalidInput(f"taker_fee must be a fraction below 0.01, e.g. 0.0005 for 0.05 % "
                           f"(got {taker_fee!r})")
    if sign * (entry_price - stop_price) <= 0:
        where = "below" if sign > 0 else "above"
        raise InvalidInput(f"stop_price must be {where} the entry_price {entry_price:,.2f} for a "
                           f"{side} (got {stop_price:,.2f})")
    fill = stop_price * (1 - sign * gap_allowance)
    per_unit = sign * (entry_price - fill) + taker_fee * (entry_price + fill)
    size = risk_budget / per_unit
    value = formulas.notional(size, entry_price)
    _within_bracket(leverage, value, symbol, spec.brackets)
    margin = formulas.initial_margin(size, entry_price, leverage)
    lp = formulas.liquidation_price(side, size, entry_price, margin, brackets=spec.brackets)
    inside = lp is None or sign * (fill - lp) > 0
    fees = taker_fee * size * (entry_price + fill)
    return PositionSize(risk_budget, side, entry_price, stop_price, leverage, taker_fee,
                        gap_allowance, fill, per_unit, size, value, margin, risk_budget - fees,
                        fees, lp, inside)


def sizing_table(risk_budget, entry_price, stop_price, leverages, *, gap_allowance,
                 side="long", taker_fee=None, symbol="BTCUSDT"):
    """:func:`position_size` at each of ``leverages``: a DataFrame indexed by ``leverage``
    with the columns ``size``, ``notional``, ``margin``, ``planned_fill``,
    ``liquidation_price`` and ``stop_inside`` ("yes" / "no")."""
    levels = non_empty_list(leverages, "leverages", "(5, 10, 20)")
    rows = []
    for leverage in levels:
        p = position_size(risk_budget, entry_price, stop_price, leverage=leverage,
                          gap_allowance=gap_allowance, side=side, taker_fee=taker_fee,
                          symbol=symbol)
        rows.append({"leverage": leverage, "size": p.size, "notional": p.notional,
                     "margin": p.margin, "planned_fill": p.planned_fill,
                     "liquidation_price": math.nan if p.liquidation_price is None
                     else p.liquidation_price,
                     "stop_inside": "yes" if p.stop_inside else "no"})
    return pd.DataFrame(rows).set_index("leverage")
