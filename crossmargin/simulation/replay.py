"""Replay an account over a price path, and run the same plan isolated and cross.

A *plan* is a list of :class:`Order` s, each placed at a step of the path (at
that step's mark price, after the step's funding, stops and liquidations). The
replay marks the account at every row of the path and records a timeline::

    result = replay(scenarios.btc_crash(), [Order("BTCUSDT", "long", margin=5_000, leverage=10)])
    result.timeline["account"]["equity"]          # one value per step
    result.timeline["BTCUSDT"]["liquidation_price"]
    result.events                                  # stops, liquidations, funding
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import check_margin_mode, non_negative, positive, positive_table
from ..engine.account import (CLOSING_LIQUIDATIONS, EVENT_COLUMNS, LIQUIDATION_EVENTS,
                              MARGIN_MODES, Account)
from ..errors import CrossMarginError, InvalidInput, ScenarioError
from .orders import Order, open_orders

__all__ = ["Order", "Replay", "replay", "compare_modes", "open_orders"]

ACCOUNT_COLUMNS = ["equity", "wallet_balance", "cross_margin_balance", "margin_ratio",
                   "maintenance_margin", "available_balance"]
POSITION_COLUMNS = ["mark_price", "unrealized_pnl", "liquidation_price"]


@dataclass
class Replay:
    """What a replay produced: the per-step ``timeline``, the ``events`` and the final ``account``."""

    timeline: pd.DataFrame
    events: pd.DataFrame
    account: Account

    def liquidations(self):
        """The events that closed a position by liquidation (``liquidation``, and
        Hyperliquid's ``backstop``): one row per position liquidated."""
        return self.events[self.events["type"].isin(CLOSING_LIQUIDATIONS)]

    def liquidation_events(self):
        """Every event of the liquidation procedures: the cuts (``partial_liquidation``)
        too."""
        return self.events[self.events["type"].isin(LIQUIDATION_EVENTS)]

    def summary(self):
        """Final equity, worst equity, liquidations and stops, as a Series."""
        equity = self.timeline[("account", "equity")]
        first = self.liquidation_events()
        return pd.Series({
            "final_equity": equity.iloc[-1], "lowest_equity": equity.min(),
            "liquidations": len(self.liquidations()),
            "first_liquidation": first["time"].iloc[0] if len(first) else None,
            "stop_losses": int((self.events["type"] == "stop_loss").sum()),
            "highest_margin_ratio": self.timeline[("account", "margin_ratio")].max(),
        })


def _check_path(path):
    if not isinstance(path, pd.DataFrame):
        raise ScenarioError(f"path must be a DataFrame of mark prices, one column per symbol "
                            f"(got {type(path).__name__})")
    if path.empty:
        raise ScenarioError("path must have at least one row and one symbol column (got none)")
    return positive_table(path, "path price", ScenarioError)


def _check_plan(plan, path, account):
    orders = list(plan)
    for n, order in enumerate(orders):
        if not isinstance(order, Order):
            raise InvalidInput(f"plan item {n} must be an Order (got {order!r})")
        account.contract(order.symbol)
        if order.symbol not in path.columns:
            raise ScenarioError(f"plan item {n} trades {order.symbol} but the path has no "
                                f"{order.symbol} column (columns: {', '.join(path.columns)})")
        if not (isinstance(order.at, (int, np.integer)) and 0 <= order.at < len(path)):
            raise InvalidInput(f"plan item {n}: at must be a step from 0 to {len(path) - 1} "
                               f"(got {order.at!r})")
        order.check(f"plan item {n}")
    return orders


def replay(path, plan=(), *, deposit=10_000.0, account=None, margin_mode=None,
           liquidation_prices=True, progress=None):
    """Mark an account at every row of ``path`` while placing the orders of ``plan``.

    ``account`` (copied, never changed) replaces a fresh one funded with
    ``deposit`` USDT. ``margin_mode`` overrides every order's mode.
    ``liquidation_prices=False`` skips that column (faster). ``progress`` is called
    with the fraction done about every 1 % of the path.
    Returns a :class:`Replay`.
    """
    values = _check_path(path)
    if margin_mode is not None:
        check_margin_mode(margin_mode)
    if account is None:
        account = Account()
        account.deposit(positive(deposit, "deposit"))
    else:
        if not isinstance(account, Account):
            raise InvalidInput(f"account must be an Account (got {type(account).__name__})")
        account = account.copy()
    orders = _check_plan(plan, path, account)
    symbols = [str(c) for c in path.columns]
    for s in symbols:
        account.contract(s)
    by_step = {}
    for order in orders:
        by_step.setdefault(order.at, []).append(order)
    times = path.index if isinstance(path.index, pd.DatetimeIndex) else None
    n, k = values.shape
    acct = np.full((n, len(ACCOUNT_COLUMNS)), np.nan)
    pos = np.full((n, k, len(POSITION_COLUMNS)), np.nan)
    events = []
    every = max(1, n // 100)
    for i in range(n):
        prices = dict(zip(symbols, values[i].tolist()))
        events += account.mark(prices, None if times is None else times[i])
        for order in by_step.get(i, ()):
            try:
                order.place(account, prices[order.symbol], margin_mode)
            except CrossMarginError as err:
                raise type(err)(f"plan item {orders.index(order)} ({order.side} "
                                f"{order.symbol} at step {i}): {err}") from err
        snapshot = account.snapshot()
        acct[i] = snapshot[:6]
        upnl = snapshot.unrealized_pnl
        for j, s in enumerate(symbols):
            pos[i, j, 0] = prices[s]
            if s in upnl:
                pos[i, j, 1] = upnl[s]
                if liquidation_prices:
                    lp = account.liquidation_price(s)
                    pos[i, j, 2] = np.nan if lp is None else lp
        if progress is not None and (i % every == 0 or i == n - 1):
            progress((i + 1) / n)
    columns = pd.MultiIndex.from_tuples(
        [("account", c) for c in ACCOUNT_COLUMNS]
        + [(s, c) for s in symbols for c in POSITION_COLUMNS])
    timeline = pd.DataFrame(np.hstack([acct, pos.reshape(n, -1)]), index=path.index,
                            columns=columns)
    return Replay(timeline, pd.DataFrame(events, columns=EVENT_COLUMNS), account)


def compare_modes(path, plan, *, deposit=10_000.0, **options):
    """Run the same plan with every position isolated, then every position cross.

    Returns ``(table, runs)``: a DataFrame with one column per mode (final and
    lowest equity, liquidations, stops, highest margin ratio) and the two
    :class:`Replay` s in a dict keyed by mode.
    """
    non_negative(deposit, "deposit")
    runs = {mode: replay(path, plan, deposit=deposit, margin_mode=mode, **options)
            for mode in MARGIN_MODES}
    table = pd.DataFrame({mode: run.summary() for mode, run in runs.items()})
    return table, runs
