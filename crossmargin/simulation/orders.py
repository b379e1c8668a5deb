"""The position vocabulary: :class:`Order` (a plan's order), :class:`Leg` (an open position
for the instant shocks) and :func:`open_orders` (a plan opened in a fresh account).

An :class:`Order` checks its own fields (:meth:`Order.problems`, :meth:`Order.check`): a side,
exactly one of ``size``, ``margin`` or ``notional`` (a number > 0), a leverage >= 1, a margin
mode, at most one stop. What depends on an account or a path (the symbol, the step, the
brackets, the balance) is checked by whoever places the order. Constructing an ``Order`` never
raises, so the capstone can list every broken rule of a learner's portfolio at once::

    order = Order("BTCUSDT", "long", margin=2_000, leverage=10)
    order.check()                              # raises InvalidInput naming field and value
    account = open_orders([order], {"BTCUSDT": 60_000}, deposit=10_000)
"""
import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._validate import MARGIN_MODES, SIDES, non_empty_list, one_amount, positive, side_sign
from ..engine.account import Account
from ..engine.venues import DEFAULT_VENUE
from ..errors import InsufficientBalance, InvalidInput, LeverageTooHigh, UnknownSymbol

__all__ = ["Order", "OrderProblem", "Leg", "as_legs", "check_legs", "open_orders"]

AMOUNTS = ("size", "margin", "notional")


def _number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


class OrderProblem(NamedTuple):
    """One broken rule of an :class:`Order`: the ``field`` ("side", "amount", "leverage",
    "margin_mode", "stop", "at"), the ``value`` given, the ``limit`` and a ``message``
    that says all three."""

    field: str
    value: object
    limit: str
    message: str


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

    def amount(self):
        """``(field, value)`` of the one amount given, e.g. ``("margin", 2000.0)``
        (:class:`InvalidInput` when there is not exactly one, or it is not a number > 0)."""
        for problem in self.problems():
            if problem.field == "amount":
                raise InvalidInput(problem.message)
        field, value = one_amount(self.size, self.margin, self.notional)
        return field, float(value)

    def problems(self):
        """Every broken rule of the order's own fields, as a list of :class:`OrderProblem`
        (empty when the order is fine). Never raises, whatever the fields hold."""
        out = []

        def bad(field, value, limit, message):
            out.append(OrderProblem(field, value, limit, message))

        if not (isinstance(self.side, str) and self.side in SIDES):
            bad("side", self.side, "'long' or 'short'",
                f"side must be 'long' or 'short' (got {self.side!r})")
        try:
            kind, value = one_amount(self.size, self.margin, self.notional)
        except InvalidInput as err:
            given = [k for k in AMOUNTS if getattr(self, k) is not None]
            bad("amount", ", ".join(given) or "none", "exactly one", str(err))
        else:
            if not _number(value) or value <= 0:
                bad("amount", value, "> 0", f"{kind} must be a number > 0 (got {value!r})")
        lev = self.leverage
        if lev is not None and (not _number(lev) or lev < 1):
            bad("leverage", lev, ">= 1", f"leverage must be a number >= 1 (got {lev!r})")
        mode = self.margin_mode
        if mode is not None and not (isinstance(mode, str) and mode in MARGIN_MODES):
            bad("margin_mode", mode, "'cross' or 'isolated'",
                f"margin_mode must be 'cross' or 'isolated' (got {mode!r})")
        if self.stop_loss is not None and self.stop_distance is not None:
            bad("stop", "stop_loss and stop_distance", "at most one",
                "give stop_loss or stop_distance, not both")
        elif self.stop_distance is not None:
            d = self.stop_distance
            if not _number(d) or not 0 < d < 1:
                bad("stop", d, "between 0 and 1",
                    f"stop_distance must be a fraction between 0 and 1, e.g. 0.05 for 5 % "
                    f"(got {d!r})")
        elif self.stop_loss is not None:
            stop = self.stop_loss
            if not _number(stop) or stop <= 0:
                bad("stop", stop, "> 0", f"stop_loss must be a price > 0 (got {stop!r})")
        at = self.at
        if isinstance(at, bool) or not isinstance(at, (int, np.integer)) or at < 0:
            bad("at", at, ">= 0", f"at must be a step number >= 0 (got {at!r})")
        return out

    def check(self, where=None):
        """The order itself when its fields are fine, else :class:`InvalidInput` with the
        first problem (prefixed with ``where``, e.g. ``"plan item 2"``)."""
        problems = self.problems()
        if problems:
            message = problems[0].message
            raise InvalidInput(message if where is None else f"{where}: {message}")
        return self

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


def open_orders(orders, prices, *, deposit=10_000.0, contracts=None, margin_mode=None,
                time=None, venue=DEFAULT_VENUE):
    """A fresh :class:`~crossmargin.Account` on ``venue`` (``contracts``: the venue's when
    None) funded with ``deposit`` of its settlement asset, with every order placed in order
    (``margin_mode`` replaces each order's). Returns the account; raises what the account
    raises (e.g. InsufficientBalance when the orders do not fit).

    ``prices`` is either a mapping ``{symbol: price}``: the account is marked at those prices
    (at ``time``), then each order fills at its symbol's price; or a list of prices, one per
    order: each order fills at its own price (an entry price) and nothing is marked first.
    """
    if isinstance(orders, Order):
        orders = [orders]
    orders = list(orders)
    for n, order in enumerate(orders):
        if not isinstance(order, Order):
            raise InvalidInput(f"orders item {n} must be an Order (got {order!r})")
        order.check(f"orders item {n}")
    marked = hasattr(prices, "items")
    if not marked:
        try:
            fills = list(prices)
        except TypeError:
            raise InvalidInput(f"prices must be a mapping symbol -> price or one price per "
                               f"order (got {prices!r})") from None
        if len(fills) != len(orders):
            raise InvalidInput(f"prices must give one price per order: {len(orders)} orders, "
                               f"{len(fills)} prices")
    account = Account(contracts, venue=venue)
    account.deposit(positive(deposit, "deposit"))
    if marked:
        account.mark(prices, time)
        fills = []
        for order in orders:
            if order.symbol not in prices:
                raise InvalidInput(f"prices must give {order.symbol}'s price (got "
                                   f"{', '.join(prices)})")
            fills.append(prices[order.symbol])
    for order, price in zip(orders, fills):
        order.place(account, price, margin_mode)
    return account


@dataclass(frozen=True)
class Leg:
    """One position, as ``Account.open(symbol, side, entry_price, margin=margin)`` opens it
    after ``set_leverage(symbol, leverage)``: size = margin × leverage / entry price."""

    symbol: str
    side: str
    margin: float
    leverage: float
    entry_price: float

    def __post_init__(self):
        if not isinstance(self.symbol, str) or not self.symbol:
            raise InvalidInput(f"symbol must be a symbol name like 'BTCUSDT' (got {self.symbol!r})")
        side_sign(self.side)
        object.__setattr__(self, "margin", positive(self.margin, "margin"))
        object.__setattr__(self, "entry_price", positive(self.entry_price, "entry_price"))
        leverage = positive(self.leverage, "leverage")
        if leverage < 1:
            raise InvalidInput(f"leverage must be >= 1 (got {self.leverage!r})")
        object.__setattr__(self, "leverage", leverage)

    @property
    def sign(self):
        """+1 for a long, -1 for a short."""
        return side_sign(self.side)

    @property
    def size(self):
        """Contracts in base units (BTC, ETH): ``margin * leverage / entry_price``."""
        return self.margin * self.leverage / self.entry_price

    @property
    def notional(self):
        """Position value at entry: ``size * entry_price``."""
        return self.size * self.entry_price

    @property
    def initial_margin(self):
        """What the position locks: ``notional / leverage`` (the margin, up to round-off)."""
        return self.size * self.entry_price / self.leverage

    def price_after(self, move):
        """The shocked mark price: ``entry_price * (1 + move)``."""
        return self.entry_price * (1.0 + np.asarray(move, dtype=float))

    def order(self, margin_mode=None):
        """The leg as an :class:`Order` (``margin`` and ``leverage``; placed at its
        ``entry_price``)."""
        return Order(self.symbol, self.side, margin=self.margin, leverage=self.leverage,
                     margin_mode=margin_mode)

    def __str__(self):
        return (f"{self.side} {self.symbol} {self.margin:,.0f} USDT margin at "
                f"{self.leverage:g}x from {self.entry_price:,.2f}")


def as_legs(legs):
    """A tuple of :class:`Leg` from one Leg or a list of them (anything else is refused)."""
    if isinstance(legs, Leg):
        legs = [legs]
    legs = tuple(non_empty_list(legs, "legs", of="Leg", one="Leg"))
    for n, leg in enumerate(legs):
        if not isinstance(leg, Leg):
            raise InvalidInput(f"legs item {n} must be a Leg (got {leg!r})")
    return legs


def check_legs(legs, deposit, specs):
    """The legs, checked as ``Account`` checks the orders that open them, in order."""
    legs = as_legs(legs)
    available = deposit
    seen = set()
    for n, leg in enumerate(legs):
        if leg.symbol not in specs:
            raise UnknownSymbol(f"legs item {n}: symbol {leg.symbol!r} has no contract spec "
                                f"(known: {', '.join(specs)})")
        if leg.symbol in seen:
            raise InvalidInput(f"legs item {n}: a second {leg.symbol} position (one-way mode "
                               f"holds one position per symbol)")
        seen.add(leg.symbol)
        brackets = specs[leg.symbol].brackets
        value = leg.notional
        if value > brackets.max_position_notional:
            raise LeverageTooHigh(f"legs item {n}: position notional {value:,.0f} USDT exceeds "
                                  f"{leg.symbol}'s largest bracket "
                                  f"({brackets.max_position_notional:,.0f})")
        limit = min(brackets.max_leverage(0.0), brackets.max_leverage(value))
        if leg.leverage > limit:
            raise LeverageTooHigh(f"legs item {n}: leverage {leg.leverage:g}x exceeds the "
                                  f"{limit:g}x maximum of {leg.symbol} for a {value:,.0f} USDT "
                                  f"position")
        margin, fee = leg.initial_margin, value * specs[leg.symbol].taker_fee
        if margin + fee > available + 1e-9:
            raise InsufficientBalance(
                f"legs item {n} ({leg.symbol}): order needs {margin + fee:,.2f} USDT (initial "
                f"margin {margin:,.2f} + fee {fee:,.2f}) but the available balance is "
                f"{available:,.2f} USDT")
        available -= margin + fee
    return legs
