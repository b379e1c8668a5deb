"""Four venues' rule sets: the data an :class:`~crossmargin.Account` needs to run Binance,
Bybit, OKX or Hyperliquid rules (``Account(venue="okx")``).

Each :class:`Venue` is a small table of facts with its date and sources (see
shared/reference/venues-and-liquidation.md); :mod:`~crossmargin.engine.account` applies
them. The course names every perpetual by its Binance symbol (``BTCUSDT``) on every venue so
that one portfolio can be put on four venues; :meth:`Venue.venue_symbol` gives the venue's own
name (``BTC-USDT-SWAP`` on OKX, ``BTC`` on Hyperliquid).

**The liquidation procedure** (what :meth:`Account.mark` does once the margin ratio reaches
100 %), in the venue's documented order:

1. cancel the stops of the positions being liquidated (every venue);
2. reduce where the venue does (``partial``):

   * ``"tier_step"`` — Binance ("Smart Liquidation": one large IOC order that lowers the
     margin tier, ``max_partial_steps=1``) and Bybit (steps down the risk-limit tiers while that
     restores the margin): the position with the largest maintenance margin is cut to the floor
     of its tier, at the mark, paying the clearance fee on the part closed; it stops as soon as
     the account is back below 100 %. *Assumed*: which position is cut first and that the cut
     lands exactly on the tier floor (neither venue publishes its algorithm).
   * ``"okx_tiers"`` — OKX: cut to the tier whose requirement the equity meets
     (:func:`~crossmargin.engine.platforms.okx_partial_liquidation`).
   * ``"slices"`` — Hyperliquid: a position above ``slice_above`` (100k USDC) is cut by
     ``slice_fraction`` (20 %) at the mark, one slice per mark (``cooldown``): a slice that
     does not bring the account back under 100 % leaves the rest open until the next mark,
     which slices again (or closes a position no longer above 100k, or hands it to the
     backstop). *Assumed*: Hyperliquid's page says the whole remainder is sent after its 30 s
     cool-down; the course slices again, as "20 % at a time" reads.

3. close what is left at the **bankruptcy price**: the trader keeps what remains of the margin
   less the venue's share (``surplus``: ``"fee"`` — the clearance fee up to what remains, rest
   returned, Binance's "a portion of the remaining collateral"; ``"all"`` — Bybit keeps all of
   it, Hyperliquid's backstop vault too); a deficit is paid by the insurance fund and, when
   the fund is short, by auto-deleveraging opposite profitable positions
   (:class:`~crossmargin.engine.market.Market`).

Hyperliquid hands everything to its backstop vault at once when equity falls below
``backstop_share`` (2/3) of the maintenance margin.
"""
import math
from dataclasses import dataclass, field

import numpy as np

from .brackets import Brackets
from .contracts import Contract, FUNDING_INTERVAL_HOURS, GAP_THRESHOLD
from .platforms import HYPERLIQUID_TIERS, VENUE_TABLE_NAMES   # with the other venue rules
from ..errors import InvalidInput

__all__ = ["Venue", "VENUE_NAMES", "venue", "DEFAULT_VENUE", "tier_step_target"]

BASES = ("BTC", "ETH", "SOL")
DEFAULT_VENUE = "binance"


def _tables(title):
    """``{base: table name}`` of a USDT venue (``platforms.VENUE_TABLE_NAMES``)."""
    return {b: VENUE_TABLE_NAMES[title].format(coin=b) for b in BASES}


@dataclass(frozen=True)
class Venue:
    """One venue's rules (fees as fractions of notional; hours; tier tables by base asset)."""

    name: str
    title: str
    collateral: str
    tables: dict                       # base -> Brackets table name, or a Brackets
    maker_fee: float
    taker_fee: float
    liquidation_fee_rate: float        # clearance fee: its contracts' rate (each charges its own)
    partial: str                       # "tier_step", "okx_tiers", "slices" or "none"
    surplus: str                       # "fee" or "all": the venue's share of what is left
    max_partial_steps: int = 1_000
    cooldown: bool = False             # a cut that does not restore waits for the next mark
    fee_to_fund: bool = True           # the clearance fee goes to the insurance fund
    fee_in_requirement: bool = False   # OKX: requirement = MM + the fee to close
    isolated_mm_at_entry: bool = False  # Bybit: an isolated position's MM at its entry value
    slice_fraction: float = 0.0
    slice_above: float = math.inf
    backstop_share: float = 0.0
    funding_interval_hours: int = FUNDING_INTERVAL_HOURS
    funding_cap: float | None = None
    stop_trigger: str = "last"         # "last" or "mark": what a stop watches by default
    withdraw_rule: str = "binance"     # "binance", "unrealized_loss_only" or "hyperliquid"
    withdraw_floor_rate: float = 0.0   # Hyperliquid: keep 10 % of the position value
    multi_assets: bool = True          # non-USDT collateral allowed (cross only)
    auto_exchange_below: float = 10_000.0  # collateral is sold when the balance < -this
    auto_exchange_rate: float = 0.975  # ... receiving this share of its index value
    symbol_format: str = "{base}USDT"
    date: str = "2026-12-05"
    sources: tuple = field(default_factory=tuple)
    assumed: tuple = field(default_factory=tuple)

    def brackets(self, base):
        """The venue's tier table for ``base`` (``"BTC"``, ...)."""
        table = self.tables.get(base)
        if table is None:
            raise InvalidInput(f"base must be one of {', '.join(self.tables)} on {self.title} "
                               f"(got {base!r})")
        return table if isinstance(table, Brackets) else Brackets.load(table)

    def venue_symbol(self, base):
        """The venue's own name of the perpetual on ``base``."""
        return self.symbol_format.format(base=base)

    def contracts(self):
        """``{course symbol: Contract}`` with this venue's tiers, fees and funding interval."""
        return {f"{base}USDT": Contract(
            f"{base}USDT", self.brackets(base), base, quote=self.collateral,
            maker_fee=self.maker_fee, taker_fee=self.taker_fee,
            liquidation_fee_rate=self.liquidation_fee_rate,
            funding_interval_hours=self.funding_interval_hours, gap_threshold=GAP_THRESHOLD)
            for base in self.tables}


def tier_step_target(notional, brackets):
    """Where a ``"tier_step"`` cut takes a position of ``notional``: the floor of its tier,
    or of the tier below when it already sits on its floor; 0 in the first tier (no lower
    tier: nothing to step down to). Scalars or arrays.

    >>> from crossmargin.engine.brackets import Brackets
    >>> float(tier_step_target(100_000, Brackets.load("BTCUSDT")))
    50000.0
    """
    value = np.asarray(notional, dtype=float)
    floors = np.asarray(brackets.floors, dtype=float)
    k = np.searchsorted(floors, value * (1 - 1e-12), side="right") - 1   # tier strictly above
    target = floors[np.clip(k, 0, None)]
    out = np.where(k >= 1, target, 0.0)
    return float(out) if out.ndim == 0 else out


_VENUES = {
    "binance": lambda: Venue(
        "binance", "Binance USD\u24c8-M", "USDT",
        _tables("Binance"), maker_fee=0.0002, taker_fee=0.0005,
        liquidation_fee_rate=0.0125, partial="tier_step", surplus="fee", max_partial_steps=1,
        stop_trigger="last", withdraw_rule="binance", multi_assets=True,
        sources=("Binance \u201cLiquidation Protocols\u201d (FAQ 360033525271): orders "
                 "cancelled, one IOC order to lower the margin tier, then the bankruptcy price "
                 "and the insurance fund",
                 "exchangeInfo liquidationFee 1.25 % seen for BTCUSDT (assumed for ETH, SOL)",
                 "FAQ 360038447311 (max withdraw)", "API workingType default CONTRACT_PRICE"),
        assumed=("the IOC cut lands on the floor of the position's tier",
                 "the venue's share of what is left is the clearance fee")),
    "bybit": lambda: Venue(
        "bybit", "Bybit (Unified Trading Account)", "USDT",
        _tables("Bybit"), maker_fee=0.0002, taker_fee=0.00055,
        liquidation_fee_rate=0.00055, partial="tier_step", surplus="all", fee_to_fund=False,
        isolated_mm_at_entry=True, stop_trigger="last", withdraw_rule="unrealized_loss_only",
        multi_assets=True,
        sources=("Bybit help \u201cLiquidation Process (UTA)\u201d and \u201cBankruptcy Price "
                 "(USDT Contract)\u201d", "Bybit unified-trans-amnt API (withdrawable amount)",
                 "API slTriggerBy default LastPrice"),
        assumed=("the fee on a liquidation is the regular taker fee (0.055 %)",
                 "each step cuts the largest position to the floor of its risk-limit tier")),
    "okx": lambda: Venue(
        "okx", "OKX", "USDT", _tables("OKX"), maker_fee=0.0002,
        taker_fee=0.0005, liquidation_fee_rate=0.0005, partial="okx_tiers", surplus="fee",
        fee_in_requirement=True, stop_trigger="last", withdraw_rule="unrealized_loss_only",
        multi_assets=True, symbol_format="{base}-USDT-SWAP",
        sources=("OKX help 360020411711 \u201cForced Partial or Full Liquidation\u201d",
                 "OKX margin ratio = equity / (MM + fees)"),
        assumed=("withdrawals follow Bybit's rule (unrealized profit backs the initial margin "
                 "but is not paid out); "
                 "OKX's own rule was not found",)),
    "hyperliquid": lambda: Venue(
        "hyperliquid", "Hyperliquid", "USDC", dict(HYPERLIQUID_TIERS), maker_fee=0.00015,
        taker_fee=0.00045, liquidation_fee_rate=0.00045, partial="slices", surplus="fee",
        fee_to_fund=False, max_partial_steps=1, cooldown=True,
        slice_fraction=0.2, slice_above=100_000.0, backstop_share=2 / 3,
        funding_interval_hours=1, funding_cap=0.04, stop_trigger="mark",
        withdraw_rule="hyperliquid", withdraw_floor_rate=0.10, multi_assets=False,
        symbol_format="{base}",
        sources=("Hyperliquid docs trading/liquidations (20 % slices above 100k, backstop "
                 "below 2/3 of MM)", "trading/margin-tiers", "trading/funding (hourly, 4 % cap)"),
        assumed=("book liquidations pay the regular taker fee and no clearance fee",
                 "one 20 % slice per mark (the cool-down), then another (the docs send the "
                 "whole remainder after 30 s)")),
}

#: The venues ``Account(venue=...)`` accepts, the default first.
VENUE_NAMES = tuple(_VENUES)
_BUILT = {}


def venue(name=DEFAULT_VENUE):
    """The rule set of ``name`` (``"binance"``, ``"bybit"``, ``"okx"``, ``"hyperliquid"``;
    a :class:`Venue` is returned as it is)."""
    if isinstance(name, Venue):
        return name
    key = name.lower() if isinstance(name, str) else None
    if key not in _VENUES:
        raise InvalidInput(f"venue must be one of {', '.join(VENUE_NAMES)} (got {name!r})")
    if key not in _BUILT:
        _BUILT[key] = _VENUES[key]()
    return _BUILT[key]
