"""Cross vs isolated, measured: the same positions in both margin modes, side by side.

Lesson 02 replaces the usual opinion table ("shared vs separated", "high vs low")
with numbers from the engine. Two helpers::

    from crossmargin.simulation.shocks import Leg
    from crossmargin.lessons.comparison import open_legs, compare_cross_isolated

    legs = [Leg("BTCUSDT", "long", 2_000, 10, 60_000), Leg("ETHUSDT", "short", 2_000, 10, 3_000)]
    cross = open_legs(legs, 10_000, "cross")          # an Account holding both legs
    comparison = compare_cross_isolated(legs, 10_000, gain={"ETHUSDT": -0.10})
    comparison.table()                                # the measured comparison table

Every number comes from :class:`~crossmargin.Account` (pools, available balance),
:func:`~crossmargin.simulation.shocks.shock_outcomes` (a grid of instant shocks) and
:func:`~crossmargin.simulation.shocks.liquidation_move`; nothing is typed by hand except the
last row of the table, which is a judgement and says so.

Lesson 12 puts one portfolio on four venues: :func:`venue_comparison` (each venue's screen
now), :func:`venue_screens` (each screen at every move of the prices, for the
:class:`~crossmargin.widgets.VenueSwitcher`), :func:`withdrawal_limits` (what can leave, and
does unrealized profit count), :func:`cross_requirement` and the clearly
*illustrative* :func:`illustrative_portfolio_margin` (what nets in portfolio margin, and what
does not), and the model card's :func:`venue_assumptions` and :func:`venue_tables`.
"""
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import scenarios
from .._validate import MARGIN_MODES, check_margin_mode, non_empty_list, positive, side_sign
from ..engine import platforms
from ..engine.account import CLOSING_LIQUIDATIONS, LIQUIDATION_EVENTS
from ..engine.brackets import Brackets
from ..engine.venues import VENUE_NAMES, venue as get_venue
from ..errors import InvalidInput, UnknownSymbol
from ..formats import fmt_pct, fmt_usdt
from ..simulation.orders import Order, open_orders
from ..simulation.shocks import as_legs, liquidation_move, shock_outcomes

__all__ = ["MODES", "DEFAULT_MOVES", "MAX_SHOCKS", "GRID_SHARE_ROW", "open_legs", "ModeComparison",
           "compare_cross_isolated", "venue_comparison",
           "START_PRICES", "SCREEN_PORTFOLIOS", "MOVING", "SCREEN_MOVES", "SCREEN_STATUS",
           "venue_screens", "withdrawal_limits", "Exposure", "NETTING_PORTFOLIOS", "SCENARIO_STEPS", "GROUPINGS",
           "cross_requirement", "illustrative_portfolio_margin", "netting_comparison",
           "venue_assumptions", "venue_tables"]

#: The two margin modes, in the order of the table's columns.
MODES = MARGIN_MODES
#: Moves of each price on the shock grid: -50 % to +50 % in 1 % steps.
DEFAULT_MOVES = np.arange(-50, 51) / 100
#: The largest shock grid compared at once (moves per leg ** number of legs).
MAX_SHOCKS = 2_000_000
#: The row of the table that counts liquidations: a share of the grid, not a probability.
GRID_SHARE_ROW = "share of the grid's shocks that liquidate something (not a probability)"
#: The table's last row: what each mode suits. A judgement, not a measurement.
BEST_USE = {"cross": "hedges: positions that offset", "isolated": "one risky trade, loss capped"}


def _check_mode(mode):
    check_margin_mode(mode, "mode")
    return mode


def open_legs(legs, deposit, mode, *, contracts=None):
    """A fresh :class:`~crossmargin.Account` funded with ``deposit`` USDT that opens
    every leg, in order, in margin ``mode`` ("cross" or "isolated"): for each leg
    ``set_margin_mode``, ``set_leverage`` and ``open(..., margin=leg.margin)`` at its
    entry price. The account refuses legs that do not fit, as it refuses any order."""
    legs = as_legs(legs)
    _check_mode(mode)
    return open_orders([leg.order(mode) for leg in legs], [leg.entry_price for leg in legs],
                       deposit=deposit, contracts=contracts)


@dataclass(frozen=True)
class ModeComparison:
    """The measured comparison of cross and isolated for one set of legs.

    Dicts keyed by mode ("cross", "isolated"):

    - ``liquidation_move``: the move of ``symbol``'s price that liquidates it
      (cross: the whole account), the other legs flat;
    - ``liquidated_share``: the share of the ``shocks`` grid shocks after which
      something is liquidated (isolated: any position; cross: the account). Every
      combination of moves counts once, so this is a share of a uniform grid of moves,
      not a probability: real moves are not spread evenly over the grid;
    - ``lowest_equity``: the lowest equity over the grid;
    - ``available_after_gain``: the available balance once the prices moved by
      ``gain`` (capital efficiency: is a profit usable at once?).

    And the pools right after opening: ``cross_wallet`` (the one wallet behind
    every cross position), ``isolated_pots`` (each isolated position's margin, by
    symbol) and ``idle`` (what the isolated account left in its wallet).
    """

    legs: tuple
    deposit: float
    symbol: str
    gain: dict
    shocks: int
    cross_wallet: float
    isolated_pots: dict
    idle: float
    liquidation_move: dict
    liquidated_share: dict
    lowest_equity: dict
    available_after_gain: dict
    bases: dict

    def table(self):
        """The comparison table: one row per question, one column per mode (text)."""
        base = self.bases[self.symbol]
        leg = next(leg for leg in self.legs if leg.symbol == self.symbol)
        others = [self.bases[x.symbol] for x in self.legs if x.symbol != self.symbol]
        flat = f" ({', '.join(others)} flat)" if others else ""
        everyone = "both" if len(self.legs) == 2 else f"all {len(self.legs)} positions"
        pots = sorted({round(v, 6) for v in self.isolated_pots.values()})
        per_position = (f"{fmt_usdt(pots[0], 0)} per position" if len(pots) == 1 else
                        ", ".join(f"{fmt_usdt(v, 0)} behind {self.bases[s]}"
                                  for s, v in self.isolated_pots.items()))
        gain = ", ".join(f"{self.bases[s]} {move * 100:+.0f} %" for s, move in self.gain.items())
        rows = {
            "margin pool": {
                "cross": f"one wallet: {fmt_usdt(self.cross_wallet, 0)} behind {everyone}",
                "isolated": f"{per_position}, {fmt_usdt(self.idle, 0)} idle"},
            f"{base} move that liquidates the {base} {leg.side}{flat}": {
                m: "--" if self.liquidation_move[m] is None else fmt_pct(self.liquidation_move[m])
                for m in MODES},
            GRID_SHARE_ROW: {
                m: fmt_pct(self.liquidated_share[m]) for m in MODES},
            "what liquidations can take": {
                "cross": f"everything: lowest equity {fmt_usdt(self.lowest_equity['cross'], 0)}",
                "isolated": f"that position's margin: lowest equity "
                            f"{fmt_usdt(self.lowest_equity['isolated'], 0)}"},
        }
        if self.gain:
            rows[f"available balance after {gain} (capital efficiency)"] = {
                m: fmt_usdt(self.available_after_gain[m], 0) for m in MODES}
        rows["best use"] = dict(BEST_USE)
        return pd.DataFrame(rows).T[list(MODES)]


def _check_moves(moves, n_legs):
    try:
        arr = np.asarray(moves, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"moves must be a list of price moves like -0.2 (got {moves!r})") \
            from None
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidInput(f"moves must be a flat, non-empty list of moves (got shape {arr.shape})")
    bad = ~np.isfinite(arr) | (arr <= -1)
    if bad.any():
        raise InvalidInput(f"moves must be finite and > -1 (-100 % would take the price to "
                           f"zero) (got {float(arr[bad][0])!r})")
    shocks = arr.size ** n_legs
    if shocks > MAX_SHOCKS:
        raise InvalidInput(f"moves: {arr.size} moves for {n_legs} legs make {shocks:,} shocks, "
                           f"more than the limit of {MAX_SHOCKS:,}; use fewer moves")
    return arr


def compare_cross_isolated(legs, deposit, *, moves=DEFAULT_MOVES, gain=None, symbol=None,
                           contracts=None):
    """Open ``legs`` from ``deposit`` USDT in both modes and measure the difference.

    ``moves``: the price moves of the shock grid, applied to every leg
    independently (all combinations: ``len(moves) ** len(legs)`` shocks).
    ``gain``: ``{symbol: move}`` for the capital-efficiency row (e.g. the short's
    price falling), or None to leave that row out. ``symbol``: the leg whose
    liquidation move the table shows (default: the first leg).
    Returns a :class:`ModeComparison`.
    """
    legs = as_legs(legs)
    deposit = positive(deposit, "deposit")
    grid = _check_moves(moves, len(legs))
    symbols = [leg.symbol for leg in legs]
    symbol = symbols[0] if symbol is None else symbol
    if symbol not in symbols:
        raise InvalidInput(f"symbol must be one of the legs ({', '.join(symbols)}) "
                           f"(got {symbol!r})")
    gain = {} if gain is None else gain
    if not hasattr(gain, "items"):
        raise InvalidInput(f"gain must be a mapping symbol -> move like {{'ETHUSDT': -0.1}} "
                           f"(got {gain!r})")
    for s, move in gain.items():
        if s not in symbols:
            raise InvalidInput(f"gain names {s!r}, which no leg holds (legs: {', '.join(symbols)})")
        if not isinstance(move, (int, float)) or isinstance(move, bool) or \
                not np.isfinite(move) or move <= -1:
            raise InvalidInput(f"gain of {s} must be a number > -1 (got {move!r})")

    accounts = {m: open_legs(legs, deposit, m, contracts=contracts) for m in MODES}
    entry = {leg.symbol: leg.entry_price for leg in legs}
    available = {}
    for mode, account in accounts.items():
        moved = account.copy()
        moved.mark({s: entry[s] * (1 + move) for s, move in gain.items()})
        available[mode] = moved.available_balance()

    axes = {s: grid.reshape([-1 if i == j else 1 for j in range(len(legs))])
            for i, s in enumerate(symbols)}
    out = shock_outcomes(legs, deposit, axes, contracts=contracts)
    any_isolated = np.zeros(out.cross_equity.shape, dtype=bool)
    for s in symbols:
        any_isolated |= out.isolated_liquidated[s]

    isolated = accounts["isolated"]
    pots = isolated.balances().query("wallet == 'isolated'").set_index("symbol")["balance"]
    return ModeComparison(
        legs=legs, deposit=deposit, symbol=symbol, gain=dict(gain), shocks=int(out.cross_equity.size),
        cross_wallet=float(accounts["cross"].summary()["cross_wallet_balance"]),
        isolated_pots={s: float(pots[s]) for s in symbols},
        idle=float(isolated.summary()["cross_wallet_balance"]),
        liquidation_move={m: liquidation_move(legs, deposit, symbol, m, contracts=contracts)
                          for m in MODES},
        liquidated_share={"cross": float(out.cross_liquidated.mean()),
                          "isolated": float(any_isolated.mean())},
        lowest_equity={"cross": float(out.cross_equity.min()),
                       "isolated": float(out.isolated_equity.min())},
        available_after_gain=available,
        bases={s: accounts["cross"].contracts[s].base for s in symbols},
    )


# -- one portfolio, four venues ------------------------------------------------------------------
#: Each venue's description (platforms.VENUES and platforms.HYPERLIQUID), by rule-set name.
_DESCRIBED = {**{name.lower(): entry for name, entry in platforms.VENUES.items()},
              "hyperliquid": platforms.HYPERLIQUID}
#: The venues whose account ratio falls toward 100 % (OKX: equity / (MM + fees)).
_RATIO_FALLS = {"okx"}


def venue_comparison(orders, prices, *, deposit=10_000.0, venues=VENUE_NAMES, marks=None):
    """The same orders on each venue, as its own screen would show them: one row per venue.

    Each venue's :class:`~crossmargin.Account` (``Account(venue=...)``: its tiers, fees and
    rules) is funded with ``deposit`` of its settlement asset, marked at ``prices`` and
    given the orders; with ``marks`` (``{symbol: price}``) it is then marked there (the
    venue liquidates what the move takes: see :func:`venue_screens`). Columns: the
    settlement asset, the account ratio under the venue's own
    name and orientation (OKX's ``equity / (MM + fee to close)`` falls toward 100 %; the
    others' ``MM / margin balance`` rises toward it), the maintenance margin (on OKX with
    the fee to close, as its ratio counts it), each
    position's liquidation price, the largest withdrawal, the funding interval and the
    clearance fee.

    >>> from crossmargin.simulation.orders import Order
    >>> table = venue_comparison([Order("BTCUSDT", "long", margin=2_000, leverage=10)],
    ...                          {"BTCUSDT": 60_000})
    >>> list(table.index)
    ['binance', 'bybit', 'okx', 'hyperliquid']
    """
    rows = {account.venue.name: _screen_row(account)
            for account in _venue_accounts(orders, prices, deposit, venues, marks)}
    return pd.DataFrame.from_dict(rows, orient="index")


def _venue_accounts(orders, prices, deposit, venues, marks):
    """One fresh account per venue (a name or a list) holding ``orders`` opened at ``prices``,
    then marked at ``marks`` (None: not moved)."""
    for name in [venues] if isinstance(venues, str) else venues:
        account = open_orders(orders, prices, deposit=deposit, venue=name)
        if marks is not None:
            account.mark(marks)
        yield account


def _screen_row(account):
    """One venue's screen of ``account`` (a dict; the columns of :func:`venue_comparison`)."""
    rule = account.venue
    rises = rule.name not in _RATIO_FALLS
    now = account.snapshot()
    ratio = now.margin_ratio
    row = {"collateral": rule.collateral,
           "ratio_name": _DESCRIBED[rule.name]["margin_ratio_name"],
           "margin_ratio": ratio if rises else (1 / ratio if ratio else np.inf),
           "liquidation_at": "rises to 100 %" if rises else "falls to 100 %",
           "maintenance_margin": now.maintenance_margin}
    for symbol in account.open_symbols:
        row[f"{symbol} liquidation_price"] = account.liquidation_price(symbol)
    row.update({"max_withdraw": account.max_withdraw(),
                "funding_interval_hours": rule.funding_interval_hours,
                "clearance_fee": rule.liquidation_fee_rate})
    return row


# -- one portfolio, four screens, as the prices move (lesson 12) -------------------------------
#: The prices every lesson-12 portfolio opens at: the course's BTC and ETH start prices.
START_PRICES = {s: scenarios.START_PRICES[s] for s in ("BTCUSDT", "ETHUSDT")}
#: Lesson 12's portfolios: a cross account of 10,000 (USDT, USDC on Hyperliquid) holding...
SCREEN_PORTFOLIOS = {
    "BTC long + ETH short (hedge)": (Order("BTCUSDT", "long", margin=2_000, leverage=10),
                                     Order("ETHUSDT", "short", margin=2_000, leverage=10)),
    "BTC long + ETH long": (Order("BTCUSDT", "long", margin=2_000, leverage=10),
                            Order("ETHUSDT", "long", margin=2_000, leverage=10)),
    "one BTC long": (Order("BTCUSDT", "long", margin=4_000, leverage=10),),
}
#: What the move of :func:`venue_screens` applies to: BTC alone (the others held), or every
#: price at once (the coins moving together).
MOVING = {"BTC only": ("BTCUSDT",), "every coin together": None}
#: The moves a screen is computed at: -60 % to +60 % of the start prices, 1 % apart.
SCREEN_MOVES = np.arange(-60, 61) / 100
#: What a row's ``status`` says after the move.
SCREEN_STATUS = ("open", "partly liquidated", "liquidated")


def venue_screens(orders, prices, *, moves=SCREEN_MOVES, moving=None, deposit=10_000.0,
                  venues=VENUE_NAMES):
    """Each venue's screen of one portfolio, at every move of the prices: ``{venue: table}``.

    Each venue's account is opened once, as :func:`venue_comparison` opens it (``orders``
    filled at ``prices``, ``deposit`` of its settlement asset); then, for each move ``m`` of
    ``moves`` (fractions, > -1), a copy is marked at ``price * (1 + m)`` for the symbols in
    ``moving`` (default: every symbol of ``prices``), the others held at ``prices``: one
    jump from the start, after which the venue liquidates what it must
    (:meth:`Account.mark`). A table has one row per move (the index) and the columns of
    :func:`venue_comparison`, plus ``status`` (one of :data:`SCREEN_STATUS`), ``equity`` and
    ``wallet_balance``; where no position is left open, ``margin_ratio`` is NaN (the screen
    shows none). Its ``attrs`` hold the venue's ``title``, the ``moving`` symbols and
    ``symbols``, each position's name on the venue (``BTC-USDT-SWAP`` on OKX).

    >>> screens = venue_screens(SCREEN_PORTFOLIOS["one BTC long"], START_PRICES,
    ...                         moves=[-0.5, 0.0], venues=["binance"])
    >>> list(screens["binance"]["status"])
    ['liquidated', 'open']
    """
    if isinstance(venues, str):
        venues = [venues]
    venues = non_empty_list(venues, "venues", f"{list(VENUE_NAMES)}", one="venue")
    grid = _check_moves(moves, 1)
    if not hasattr(prices, "items"):
        raise InvalidInput(f"prices must be a mapping symbol -> price like {START_PRICES} "
                           f"(got {prices!r})")
    prices = {s: positive(p, f"prices[{s!r}]") for s, p in prices.items()}
    moving = tuple(prices) if moving is None else (
        (moving,) if isinstance(moving, str) else tuple(moving))
    unknown = [s for s in moving if s not in prices]
    if unknown or not moving:
        raise InvalidInput(f"moving must name symbols of prices ({', '.join(prices)}) "
                           f"(got {list(moving)!r})")
    screens = {}
    for start in _venue_accounts(orders, prices, deposit, venues, None):
        rows = []
        for move in grid:
            account = start.copy()
            events = account.mark({s: prices[s] * (1 + move) for s in moving})
            kinds = {e["type"] for e in events}
            left = bool(account.open_symbols)
            status = ("liquidated" if kinds & set(CLOSING_LIQUIDATIONS) and not left else
                      "partly liquidated" if kinds & set(LIQUIDATION_EVENTS) else "open")
            row = _screen_row(account)
            if not left:
                row["margin_ratio"] = np.nan
            now = account.snapshot()
            row.update(status=status, equity=now.equity, wallet_balance=now.wallet_balance)
            rows.append(row)
        table = pd.DataFrame(rows, index=pd.Index(grid, name="move"))
        lp = [f"{s} liquidation_price" for s in start.open_symbols]
        first = ["collateral", "ratio_name", "margin_ratio", "liquidation_at", "status",
                 "equity", "wallet_balance", "maintenance_margin"]
        table = table.reindex(columns=first + lp + [
            "max_withdraw", "funding_interval_hours", "clearance_fee"])
        rule = start.venue
        table.attrs = {"title": rule.title, "moving": moving,
                       "symbols": {s: rule.venue_symbol(start.contracts[s].base)
                                   for s in start.open_symbols}}
        screens[rule.name] = table
    return screens


def withdrawal_limits(orders, prices, *, marks=None, deposit=10_000.0, venues=VENUE_NAMES):
    """How much can leave each venue's cross account, next to what it holds: one row per venue.

    The accounts of :func:`venue_comparison` (``marks``: the prices after a move). Columns,
    in the settlement asset: ``wallet_balance``, ``unrealized_pnl``, ``equity``,
    ``initial_margin``, ``maintenance_margin``; ``max_withdraw``, the engine's
    :meth:`Account.max_withdraw`, and ``published_limit``, the venue's published rule, which
    is the same except on Hyperliquid: ``account value - max(IM, 10 % of the position
    value)`` (:func:`~crossmargin.engine.platforms.hyperliquid_max_withdraw`), which the
    engine's Account also caps at the USDC held. ``profit_can_leave``: the published limit
    is above the wallet balance (some unrealized profit itself could be withdrawn).

    Binance (FAQ 360038447311): ``min(WB - MM, WB + UPNL - IM)``; Bybit (and OKX, assumed):
    ``min(WB + UPNL - IM, WB + min(UPNL, 0))``: on both a profit backs the initial margin
    but the limit stays at or below the wallet.
    """
    rows = {}
    for account in _venue_accounts(orders, prices, deposit, venues, marks):
        s = account.summary()
        limit = account.max_withdraw()
        published = limit
        if account.venue.withdraw_rule == "hyperliquid":
            value = sum(account.positions()["notional"]) if account.open_symbols else 0.0
            published = platforms.hyperliquid_max_withdraw(
                s["cross_margin_balance"], s["cross_initial_margin"], value)
        rows[account.venue.name] = {
            "collateral": account.venue.collateral, "wallet_balance": s["wallet_balance"],
            "unrealized_pnl": s["cross_unrealized_pnl"], "equity": s["equity"],
            "initial_margin": s["cross_initial_margin"],
            "maintenance_margin": s["cross_maintenance_margin"], "max_withdraw": limit,
            "published_limit": published,
            "profit_can_leave": bool(published > s["wallet_balance"] + 1e-9)}
    return pd.DataFrame.from_dict(rows, orient="index")


# -- portfolio margin: what nets and what does not (illustrative) ------------------------------
class Exposure(NamedTuple):
    """One position for :func:`illustrative_portfolio_margin`: its ``coin`` ("BTC"), ``side``,
    ``notional`` (USDT) and ``instrument`` (a word: a BTC perpetual and a BTC quarterly
    future are two positions on the same coin)."""

    coin: str
    side: str
    notional: float
    instrument: str = "perpetual"


#: Portfolios that compare the requirements: the hedge of lessons 08-09, two longs, and a
#: hedge on one coin (a perpetual long against a quarterly future short).
NETTING_PORTFOLIOS = {
    "BTC long + ETH short (hedge)": (Exposure("BTC", "long", 20_000),
                                     Exposure("ETH", "short", 20_000)),
    "BTC long + ETH long": (Exposure("BTC", "long", 20_000), Exposure("ETH", "long", 20_000)),
    "BTC perpetual long + BTC future short": (
        Exposure("BTC", "long", 20_000), Exposure("BTC", "short", 20_000, "quarterly future")),
}
#: The scenarios: each risk unit's prices move by these multiples of their stress move.
SCENARIO_STEPS = (-1.0, -0.5, 0.0, 0.5, 1.0)
#: How :func:`illustrative_portfolio_margin` groups positions into risk units.
GROUPINGS = ("coin", "together")


def _exposures(legs):
    legs = non_empty_list(legs, "legs", "[Exposure('BTC', 'long', 20_000)]", of="Exposure",
                          one="Exposure")
    out = []
    for n, leg in enumerate(legs):
        try:
            coin, side, notional, *rest = leg
        except (TypeError, ValueError):
            raise InvalidInput(f"legs item {n} must be an Exposure(coin, side, notional) "
                               f"(got {leg!r})") from None
        side_sign(side, f"legs item {n} side")
        out.append(Exposure(coin, side, positive(notional, f"legs item {n} notional"), *rest))
    return out


def _binance_brackets(coin, n):
    try:
        return Brackets.load(f"{coin}USDT")
    except (UnknownSymbol, InvalidInput):
        raise InvalidInput(f"legs item {n} coin must be one of BTC, ETH, SOL (a coin with a "
                           f"shipped bracket table) (got {coin!r})") from None


def cross_requirement(legs):
    """Ordinary cross margin's maintenance margin of ``legs`` (:class:`Exposure` s): every
    position's own, ``notional * MMR - cum`` from Binance's brackets for its coin, added up.
    The sides do not enter: a short beside a long adds its maintenance margin, it nets
    nothing (Binance "Leverage and Margin of USDⓈ-M Futures"; Bybit, OKX and Hyperliquid
    add their positions' requirements the same way)."""
    total = 0.0
    for n, leg in enumerate(_exposures(legs)):
        mmr, cum = _binance_brackets(leg.coin, n).lookup(leg.notional)
        total += leg.notional * mmr - cum
    return total


def illustrative_portfolio_margin(legs, *, grouping="coin", stress=None,
                                  steps=SCENARIO_STEPS):
    """ILLUSTRATIVE portfolio margin: the worst loss of ``legs`` over a set of price scenarios.

    Not any venue's rule: a teaching model of what OKX's portfolio margin mode and Bybit's
    Portfolio Margin publish in words, a requirement set by "the maximum loss" of a risk
    unit over price (and volatility) scenarios, with made-up scenarios. (Binance's Portfolio
    Margin, by its uniMMR page, adds each futures position's bracket maintenance margin, as
    cross does: it pools collateral across products, it does not net futures.)

    Positions are grouped into risk units: ``grouping="coin"`` puts each coin in its own
    unit (the grouping OKX and Bybit publish: by underlying, so a BTC perpetual nets with a
    BTC future, not with an ETH position); ``"together"`` puts every position in one unit
    whose coins all move the same way at once (the assumption behind "a BTC long and an ETH
    short net"; no venue's published rule makes it). In a unit, a scenario moves each coin
    by ``step * stress`` for every step of ``steps``; the unit's requirement is its worst
    loss, ``max(0, max over scenarios of -sum(side * notional * move))``, and the units'
    requirements add up.

    ``stress`` (a fraction of the price) defaults to each coin's bracket MMR at its gross
    notional (Binance's table): then a lone position needs what ordinary cross asks (its
    ``notional * MMR`` with a ``cum`` of 0), so only the netting differs. Real portfolio
    margin adds charges this model leaves out (basis between a perpetual and a future, the
    fee to close, volatility, and scenarios far larger than a maintenance-margin rate): its
    0 for a perfect hedge is a floor, not a quote.

    Sources (grouping and principle only): OKX help "Multi-currency margin mode vs.
    Portfolio margin mode" (11951498951821) and "Portfolio margin mode: cross-margin trading
    (risk unit merge)"; Bybit help "Margin Calculations under Portfolio Margin (Unified
    Trading Account)"; Binance FAQ "What Is the Unified Account Maintenance Margin Ratio
    (uniMMR)" (4868b2f1aa6c4d08af973328462bb0bd).

    >>> hedge = NETTING_PORTFOLIOS["BTC perpetual long + BTC future short"]
    >>> illustrative_portfolio_margin(hedge), cross_requirement(hedge)
    (0.0, 160.0)
    """
    legs = _exposures(legs)
    if grouping not in GROUPINGS:
        raise InvalidInput(f"grouping must be one of {', '.join(GROUPINGS)} (got {grouping!r})")
    try:
        steps = np.asarray(steps, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"steps must be a list of numbers like {SCENARIO_STEPS} "
                           f"(got {steps!r})") from None
    if steps.ndim != 1 or steps.size == 0 or not np.isfinite(steps).all():
        raise InvalidInput(f"steps must be a flat, non-empty list of finite numbers like "
                           f"{SCENARIO_STEPS} (got {steps.tolist()!r})")
    coins = sorted({leg.coin for leg in legs})
    if stress is None:
        move = {}
        for n, leg in enumerate(legs):
            if leg.coin not in move:
                gross = sum(x.notional for x in legs if x.coin == leg.coin)
                move[leg.coin] = float(_binance_brackets(leg.coin, n).lookup(gross)[0])
    else:
        stress = positive(stress, "stress")
        if stress >= 1:
            raise InvalidInput(f"stress must be a fraction of the price below 1 (got {stress!r})")
        move = dict.fromkeys(coins, stress)
    units = [[c] for c in coins] if grouping == "coin" else [coins]
    total = 0.0
    for unit in units:
        exposure = sum(side_sign(leg.side) * leg.notional * move[leg.coin]
                       for leg in legs if leg.coin in unit)
        total += max(0.0, float(np.max(-exposure * steps)))
    return total


def netting_comparison(portfolios=None, *, stress=None):
    """The requirements side by side, one row per portfolio of ``portfolios``
    (``{name: [Exposure, ...]}``, default :data:`NETTING_PORTFOLIOS`): ordinary cross
    (:func:`cross_requirement`) and the illustrative portfolio margin of
    :func:`illustrative_portfolio_margin` with each coin its own risk unit and with every
    coin moving together."""
    portfolios = NETTING_PORTFOLIOS if portfolios is None else portfolios
    if not hasattr(portfolios, "items") or not portfolios:
        raise InvalidInput(f"portfolios must be a non-empty mapping name -> [Exposure, ...] "
                           f"(got {portfolios!r})")
    rows = {name: {"cross: sum of the positions' MM": cross_requirement(legs),
                   "illustrative PM, each coin its own risk unit":
                       illustrative_portfolio_margin(legs, grouping="coin", stress=stress),
                   "illustrative PM, every coin moving together":
                       illustrative_portfolio_margin(legs, grouping="together", stress=stress)}
            for name, legs in portfolios.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


# -- the model card ------------------------------------------------------------------------------
def venue_assumptions(venues=VENUE_NAMES):
    """What the engine assumes of each venue (its rule set's ``assumed`` list): one row per
    assumption, columns ``venue`` and ``assumed``."""
    rows = [{"venue": get_venue(name).title, "assumed": text}
            for name in venues for text in get_venue(name).assumed]
    return pd.DataFrame(rows, columns=["venue", "assumed"])


def venue_tables(venues=VENUE_NAMES):
    """Where each venue's tier tables come from: one row per venue and coin, with the table's
    name (``Brackets.load`` finds it), date and whether it is ``illustrative`` (not an
    exchange snapshot)."""
    rows = []
    for name in venues:
        rule = get_venue(name)
        for base in rule.tables:
            table = rule.brackets(base)
            source = rule.tables[base] if isinstance(rule.tables[base], str) else \
                f"{rule.title} {table.symbol} tiers"
            rows.append({"venue": rule.title, "coin": base, "table": source,
                         "date": table.date, "illustrative": bool(table.illustrative)})
    return pd.DataFrame(rows, columns=["venue", "coin", "table", "date", "illustrative"])
