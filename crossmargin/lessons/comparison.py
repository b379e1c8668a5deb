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
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import MARGIN_MODES, check_margin_mode, positive
from ..engine import platforms
from ..engine.venues import VENUE_NAMES
from ..errors import InvalidInput
from ..formats import fmt_pct, fmt_usdt
from ..simulation.orders import open_orders
from ..simulation.shocks import as_legs, liquidation_move, shock_outcomes

__all__ = ["MODES", "DEFAULT_MOVES", "MAX_SHOCKS", "GRID_SHARE_ROW", "open_legs", "ModeComparison",
           "compare_cross_isolated", "venue_comparison"]

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


def venue_comparison(orders, prices, *, deposit=10_000.0, venues=VENUE_NAMES):
    """The same orders on each venue, as its own screen would show them: one row per venue.

    Each venue's :class:`~crossmargin.Account` (``Account(venue=...)``: its tiers, fees and
    rules) is funded with ``deposit`` of its settlement asset, marked at ``prices`` and
    given the orders. Columns: the settlement asset, the account ratio under the venue's own
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
    if isinstance(venues, str):
        venues = [venues]
    rows = {}
    for name in venues:
        account = open_orders(orders, prices, deposit=deposit, venue=name)
        rule = account.venue
        label = _DESCRIBED[rule.name]["margin_ratio_name"]
        rises = rule.name not in _RATIO_FALLS
        ratio = account.margin_ratio()
        summary = account.summary()
        row = {"collateral": rule.collateral, "ratio_name": label,
               "margin_ratio": ratio if rises else (1 / ratio if ratio else np.inf),
               "liquidation_at": "rises to 100 %" if rises else "falls to 100 %",
               "maintenance_margin": summary["cross_maintenance_margin"]}
        for symbol in account.open_symbols:
            row[f"{symbol} liquidation_price"] = account.liquidation_price(symbol)
        row.update({"max_withdraw": account.max_withdraw(),
                    "funding_interval_hours": rule.funding_interval_hours,
                    "clearance_fee": rule.liquidation_fee_rate})
        rows[rule.name] = row
    return pd.DataFrame.from_dict(rows, orient="index")
