"""Replay an account over a price path, and run the same plan isolated and cross.

A *plan* is a list of :class:`Order` s, each placed at a step of the path (at
that step's mark price, after the step's funding, stops and liquidations). The
replay marks the account at every row of the path and records a timeline::

    result = replay(scenarios.btc_crash(), [Order("BTCUSDT", "long", margin=5_000, leverage=10)])
    result.timeline["account"]["equity"]          # one value per step
    result.timeline["BTCUSDT"]["liquidation_price"]
    result.events                                  # stops, liquidations, funding
"""
import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import check_margin_mode, non_negative, positive, side_sign
from ..engine.account import EVENT_COLUMNS, MARGIN_MODES, Account, margin_ratio_value
from ..errors import CrossMarginError, InvalidInput, ScenarioError

__all__ = ["Order", "Replay", "replay", "compare_modes"]

ACCOUNT_COLUMNS = ["equity", "wallet_balance", "cross_margin_balance", "margin_ratio",
                   "maintenance_margin", "available_balance"]
POSITION_COLUMNS = ["mark_price", "unrealized_pnl", "liquidation_price"]


@dataclass(frozen=True)
class Order:
    """One order of a plan: open ``side`` on ``symbol`` at step ``at``.

    Give exactly one of ``size``, ``margin`` or ``notional`` (as for
    :meth:`Account.open`). ``leverage`` and ``margin_mode`` are set first when
    given; ``stop_loss`` is a trigger price, ``stop_distance`` a fraction of the
    fill price (0.05 = 5 % away, on the losing side).
    """

    symbol: str
    side: str
    size: float | None = None
    margin: float | None = None
    notional: float | None = None
    leverage: float | None = None
    margin_mode: str | None = None
    stop_loss: float | None = None
    stop_distance: float | None = None
    at: int = 0

    def place(self, account, price, margin_mode=None):
        """Apply the order to ``account`` at ``price`` (all-or-nothing per call)."""
        mode = margin_mode or self.margin_mode
        if mode is not None and account.margin_mode(self.symbol) != mode:
            account.set_margin_mode(self.symbol, mode)
        if self.leverage is not None:
            account.set_leverage(self.symbol, self.leverage)
        position = account.open(self.symbol, self.side, price, size=self.size,
                                margin=self.margin, notional=self.notional)
        trigger = self.stop_loss
        if self.stop_distance is not None:
            trigger = price * (1 - side_sign(self.side) * self.stop_distance)
        if trigger is not None:
            account.set_stop_loss(self.symbol, trigger)
        return position


@dataclass
class Replay:
    """What a replay produced: the per-step ``timeline``, the ``events`` and the final ``account``."""

    timeline: pd.DataFrame
    events: pd.DataFrame
    account: Account

    def liquidations(self):
        """The liquidation events only."""
        return self.events[self.events["type"] == "liquidation"]

    def summary(self):
        """Final equity, worst equity, liquidations and stops, as a Series."""
        equity = self.timeline[("account", "equity")]
        first = self.liquidations()
        return pd.Series({
            "final_equity": equity.iloc[-1], "lowest_equity": equity.min(),
            "liquidations": len(first),
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
    values = path.to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ScenarioError(f"path price must be finite and > 0: row {row}, column "
                            f"{path.columns[col]!r} (got {float(values[row, col])!r})")
    return values


def _check_plan(plan, path, account):
    orders = list(plan)
    for n, order in enumerate(orders):
        if not isinstance(order, Order):
            raise InvalidInput(f"plan item {n} must be an Order (got {order!r})")
        account._contract(order.symbol)
        if order.symbol not in path.columns:
            raise ScenarioError(f"plan item {n} trades {order.symbol} but the path has no "
                                f"{order.symbol} column (columns: {', '.join(path.columns)})")
        if not (isinstance(order.at, (int, np.integer)) and 0 <= order.at < len(path)):
            raise InvalidInput(f"plan item {n}: at must be a step from 0 to {len(path) - 1} "
                               f"(got {order.at!r})")
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
        account = copy.deepcopy(account)
    orders = _check_plan(plan, path, account)
    symbols = [str(c) for c in path.columns]
    for s in symbols:
        account._contract(s)
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
        acct[i] = _account_row(account)
        for j, s in enumerate(symbols):
            pos[i, j, 0] = prices[s]
            p = account._positions.get(s)
            if p is not None:
                pos[i, j, 1] = account._upnl(p)
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


def _account_row(account):
    upnl, mm, im = account._cross_totals()
    cross = account._cross_wallet() + upnl
    iso = sum(p.isolated_margin + account._upnl(p) for p in account._positions.values()
              if p.margin_mode == "isolated")
    return (cross + iso, account._assets["USDT"], cross, margin_ratio_value(mm, cross), mm,
            max(0.0, cross - im))


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
