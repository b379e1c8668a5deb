"""Margin-ratio walk: how the margin ratio of a few accounts climbs as one price falls (or rises).

Give it accounts by name (each an engine :class:`~crossmargin.Account`, e.g. the
same BTC long backed by USDT and by BTC) and a symbol. For every price on a grid,
from the symbol's current mark to ``to``, a **copy** of each account is marked at
that price (``Account.mark``): the plot shows the cross margin ratio it reports, a
line per account that climbs to 100 % at the account's own ``liquidation_price``
(a vermillion dot) and ends there: beyond it, ``mark`` liquidates. An account whose
liquidation price lies beyond the walk never reaches 100 %: the caption says which line
ends and which does not, from the numbers. Dashed rules mark the 80 % warning and the
100 % liquidation level; the legend is an HTML key under the figure. ``table(prices)`` gives the same
numbers at a few prices. The accounts themselves are never changed.
"""
import math

import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd

from .._validate import non_empty_list, positive
from ..engine.account import LIQUIDATION_EVENTS, Account
from ..errors import InvalidInput
from . import style

__all__ = ["MarginRatioWalk", "LIQUIDATED", "backed_longs"]

#: What ``table`` shows once ``mark`` has liquidated an account.
LIQUIDATED = "LIQUIDATED"
#: Line colours, in the order of the accounts (Okabe–Ito; no red: red means liquidation, no
#: amber: amber is the warning rule). Blue and near-black first: far apart for every reader
#: (the accounts are cross accounts, so not the isolated orange).
PALETTE = ("cross", "text", "short", "long")
#: Most prices on the plot's grid.
MAX_POINTS = 2_000


def backed_longs():
    """The default pair: the same 0.25 BTC long at 60,000 (10x), in an account that
    deposited 15,000 USDT ("A (USDT)") and in one that deposited 0.25 BTC ("B (BTC)")."""
    accounts = {"A (USDT)": Account(), "B (BTC)": Account()}
    accounts["A (USDT)"].deposit(15_000)
    accounts["B (BTC)"].deposit(0.25, "BTC", price=60_000)
    for account in accounts.values():
        account.mark({"BTCUSDT": 60_000})
        account.set_leverage("BTCUSDT", 10)
        account.open("BTCUSDT", "long", 60_000, size=0.25)
    return accounts


class MarginRatioWalk(W.VBox):
    """Accounts by name, a symbol and a price range -> margin ratio against that price.

    ``accounts``: ``{name: Account}`` (copied on every price, never changed; default:
    :func:`backed_longs`); ``symbol``: the price that moves (every account must have
    a mark for it);
    ``to``: the other end of the walk (default: half of the highest current mark);
    ``points``: prices on the plot's grid.

    Attributes: ``prices`` (the grid), ``ratios`` (DataFrame: one column per
    account, NaN once liquidated), ``liquidation_prices`` (``{name: price or None}``,
    the engine's ``liquidation_price(symbol)``; the grid holds each one in range, where
    the account's line reaches 100 %), ``figure`` with ``lines``,
    ``liquidation_points``, ``warning_rule`` and ``liquidation_rule``, its legend ``key``
    (HTML), and ``caption`` (what each line does: ends at 100 % or never gets there).
    """

    def __init__(self, accounts=None, symbol="BTCUSDT", *, to=None, points=200):
        if accounts is None:
            accounts = backed_longs()
        if not isinstance(accounts, dict) or not accounts:
            raise InvalidInput(f"accounts must be a dict of name -> Account, e.g. "
                               f"{{'A': account}} (got {accounts!r})")
        for name, account in accounts.items():
            if not isinstance(name, str) or not name:
                raise InvalidInput(f"accounts: every name must be text (got {name!r})")
            if not isinstance(account, Account):
                raise InvalidInput(f"accounts[{name!r}] must be an Account (got {account!r})")
            if symbol not in account.contracts:
                raise InvalidInput(f"symbol must be one of {', '.join(account.contracts)} "
                                   f"(got {symbol!r})")
            account.mark_price(symbol)              # raises if the symbol has no mark yet
        if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or \
                not 2 <= points <= MAX_POINTS:
            raise InvalidInput(f"points must be a whole number from 2 to {MAX_POINTS} "
                               f"(got {points!r})")
        self.accounts = dict(accounts)
        self.symbol = symbol
        start = max(a.mark_price(symbol) for a in self.accounts.values())
        to = start / 2 if to is None else positive(to, "to")
        if to == start:
            raise InvalidInput(f"to must differ from the current mark {start:,.2f} (got {to!r})")
        self.liquidation_prices = {}
        for name, account in self.accounts.items():
            has_position = symbol in account.open_symbols
            self.liquidation_prices[name] = (account.liquidation_price(symbol) if has_position
                                             else None)
        self.start, self.to = start, to
        grid = np.linspace(start, to, int(points))
        inside = [p for p in self.liquidation_prices.values()
                  if p is not None and min(start, to) < p < max(start, to)]
        self.prices = np.unique(np.concatenate([grid, inside]))      # ascending
        if to < start:
            self.prices = self.prices[::-1]
        self.ratios = self._ratios(self.prices, own_liquidation=True)
        self._build()

    # -- engine ---------------------------------------------------------------------------------
    def _marked(self, name, price):
        """A copy of account ``name`` marked at ``price``: (copy, whether mark() liquidated)."""
        trial = self.accounts[name].copy()
        events = trial.mark({self.symbol: float(price)})
        return trial, any(e["type"] in LIQUIDATION_EVENTS for e in events)

    def liquidated(self, name, price):
        """Whether marking a copy of account ``name`` at ``price`` liquidates it."""
        if name not in self.accounts:
            raise InvalidInput(f"name must be one of {', '.join(map(repr, self.accounts))} "
                               f"(got {name!r})")
        return self._marked(name, positive(price, "price"))[1]

    def _ratios(self, prices, own_liquidation=False):
        """Margin ratio of each account at each price, NaN once ``mark`` liquidates it;
        with ``own_liquidation``, 1.0 (100 %, by definition) at its own liquidation price."""
        rows = {}
        for name in self.accounts:
            column = []
            for price in prices:
                trial, dead = self._marked(name, price)
                at_own = own_liquidation and price == self.liquidation_prices[name]
                if dead:      # at its own liquidation price the ratio is 100 % by definition
                    column.append(1.0 if at_own else math.nan)
                else:
                    column.append(trial.margin_ratio())
            rows[name] = column
        return pd.DataFrame(rows, index=pd.Index(prices, name=f"{self.symbol} price"))

    def table(self, prices):
        """Margin ratio of each account at each of ``prices`` ("LIQUIDATED" once
        ``mark`` liquidates it), as text for reading, e.g. ``12.34 %``."""
        values = [positive(p, "price") for p in non_empty_list(prices, "prices")]
        ratios = self._ratios(values)
        ratios.index = pd.Index([f"{p:,.0f}" for p in values], name=f"{self.symbol} at")
        return ratios.map(lambda r: LIQUIDATED if math.isnan(r) else style.fmt_pct(r))

    # -- view -----------------------------------------------------------------------------------
    def _build(self):
        xs = bq.LinearScale(min=float(min(self.start, self.to)), max=float(max(self.start, self.to)),
                            reverse=bool(self.to < self.start))
        ys = bq.LinearScale(min=0.0, max=1.1)
        names = list(self.accounts)
        colors = [style.COLORS[PALETTE[i % len(PALETTE)]] for i in range(len(names))]
        self.lines = bq.Lines(x=self.prices, y=[self.ratios[n].to_numpy() for n in names],
                              colors=colors, labels=names, stroke_width=2.5,
                              scales={"x": xs, "y": ys})
        dots = [(p, 1.0) for p in self.liquidation_prices.values()
                if p is not None and min(self.prices) <= p <= max(self.prices)]
        self.liquidation_points = bq.Scatter(
            x=[p for p, _ in dots], y=[r for _, r in dots], colors=[style.COLORS["liquidation"]],
            default_size=80, labels=["liquidation_price()"], scales={"x": xs, "y": ys})
        ends = [self.prices[0], self.prices[-1]]
        self.warning_rule = bq.Lines(x=ends, y=[style.WARNING_RATIO] * 2,
                                     colors=[style.COLORS["warning"]], line_style="dashed",
                                     scales={"x": xs, "y": ys})
        self.liquidation_rule = bq.Lines(x=ends, y=[1.0, 1.0], colors=[style.COLORS["liquidation"]],
                                         line_style="dashed", scales={"x": xs, "y": ys})
        base = self.symbol.replace("USDT", "")
        self.figure, _, _ = style.figure(
            f"Margin ratio as {base} moves", f"{base} price (USDT)", "margin ratio",
            x_scale=xs, y_scale=ys, css_class="cm-margin-walk-figure",
            marks=[self.warning_rule, self.liquidation_rule, self.lines, self.liquidation_points])
        self.figure.axes[0].tick_format = ",.0f"
        self.figure.axes[0].tick_values = style.nice_ticks(self.start, self.to)
        self.figure.axes[1].tick_format = ".0%"
        self.figure.axes[1].tick_values = np.round(np.arange(0, 1.01, 0.2), 1)
        # The legend under the figure: inside the plot, the 80 % and 100 % rules crossed it.
        entries = [(name, colour, "line") for name, colour in zip(names, colors)]
        if dots:
            entries.append(("liquidation_price()", style.COLORS["liquidation"], "●"))
        entries += [("80 % warning", style.COLORS["warning"], "dashed"),
                    ("100 % liquidation", style.COLORS["liquidation"], "dashed")]
        self.key = style.key(entries)
        self.caption = style.value_label("cm-margin-walk-caption")
        self.caption.value = self._caption()
        super().__init__([self.figure, self.key, self.caption])
        self.add_class("cm-margin-walk")

    def _caption(self):
        """What each line does, from the numbers: it ends at 100 % (its liquidation price is
        on the walk) or it never gets there (the highest ratio it reaches, and where)."""
        low, high = min(self.start, self.to), max(self.start, self.to)
        parts = []
        for name, price in self.liquidation_prices.items():
            ratios = self.ratios[name]
            if price is not None and low <= price <= high and ratios.isna().any():
                parts.append(f"<b>{name}</b>: climbs to 100 % at liquidation_price() "
                             f"{style.fmt_price(price)}, where <code>mark()</code> liquidates "
                             f"it; its line ends there.")
                continue
            top = ratios.max()
            where = style.fmt_price(ratios.idxmax(), 0)
            beyond = ("it has no liquidation price" if price is None else
                      f"its liquidation_price() {style.fmt_price(price)} lies beyond the walk")
            parts.append(f"<b>{name}</b>: never reaches 100 % between "
                         f"{style.fmt_price(self.start, 0)} and {style.fmt_price(self.to, 0)}: "
                         f"at most {style.fmt_pct(top)} (at {where}); {beyond}.")
        return "<br>".join(parts)
