"""The exchange in miniature: an account that deposits, trades, marks to market,
stops out and liquidates, under one venue's rules (:mod:`~crossmargin.engine.venues`:
Binance USDⓈ-M by default, Bybit, OKX, Hyperliquid), in one-way mode.

Rules (see DESIGN.md, shared/reference/margin-rules.md and venues-and-liquidation.md):

- The mark price drives unrealized PnL, maintenance margin, margin ratio and liquidation.
- Margin mode is per symbol and cannot change while the symbol has a position.
- Cross positions share the cross wallet (the settlement asset plus other collateral at
  its value ratio, cross only); each isolated position owns the margin moved into it.
- ``mark(prices)``: funding at each contract's interval, on the mark at the funding
  time; the stops the price passed; the liquidations (every isolated position whose own
  margin ratio >= 100 %, then the cross account): the venue's procedure cancels the
  group's stops, cuts positions where the venue does, then closes the rest at the
  bankruptcy price, the insurance fund (then ADL, in a
  :class:`~crossmargin.engine.market.Market`) paying any deficit; then the stops the
  price gapped through.
- Every change of money is a ledger row; wallet balances equal their ledger sums.
- A rejected call raises a ``CrossMarginError`` and leaves the account unchanged.

Simplifications: a market order fills at the price you give; sizes have no lot step; a
venue's undocumented choices (which position is cut first, where the cut lands) are
assumptions listed in its :class:`~crossmargin.engine.venues.Venue`.
"""
import copy
import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from . import formulas
from .._validate import (MARGIN_MODES, check_margin_mode, finite, one_amount, positive,
                         side_sign, utc_timestamp)
from .contracts import COLLATERAL_VALUE_RATIOS, contract_specs
from .market import InsuranceFund, adl_score
from .platforms import okx_partial_liquidation
from .venues import DEFAULT_VENUE, tier_step_target, venue as get_venue
from ..errors import (InsufficientBalance, InvalidInput, LeverageTooHigh, MarginModeLocked,
                     NoPosition, UnknownSymbol)

__all__ = ["Account", "AccountSnapshot", "Position", "MARGIN_MODES", "DEFAULT_LEVERAGE",
           "LIQUIDATION_EVENTS", "CLOSING_LIQUIDATIONS"]

#: Binance's default leverage for a symbol you have not set.
DEFAULT_LEVERAGE = 20
_HOUR = pd.Timedelta(hours=1)
#: Event types of the liquidation procedure: a cut, a close at the bankruptcy price, and
#: Hyperliquid's hand-over to its backstop vault.
LIQUIDATION_EVENTS = ("partial_liquidation", "liquidation", "backstop")
#: The ones that close a position for good.
CLOSING_LIQUIDATIONS = ("liquidation", "backstop")
LEDGER_COLUMNS = ["step", "time", "type", "wallet", "asset", "symbol", "amount"]
EVENT_COLUMNS = ["step", "time", "type", "symbol", "margin_mode", "side", "size", "price",
                 "realized_pnl", "fee", "amount"]


class AccountSnapshot(NamedTuple):
    """The account's numbers at one moment, as plain floats (what :meth:`Account.snapshot`
    returns; the first six fields are also in :meth:`Account.summary`).

    ``unrealized_pnl`` maps each open position's symbol to its unrealized PnL."""

    equity: float
    wallet_balance: float
    cross_margin_balance: float
    margin_ratio: float
    maintenance_margin: float
    available_balance: float
    unrealized_pnl: dict


@dataclass
class Position:
    """One open position (one-way mode: at most one per symbol)."""

    symbol: str
    side: str
    size: float
    entry_price: float
    leverage: float
    margin_mode: str
    isolated_margin: float = 0.0
    stop_loss_price: float | None = None
    stop_trigger: str = "mark"

    @property
    def sign(self):
        return 1 if self.side == "long" else -1


def _atomic(method):
    """Run a public operation all-or-nothing: on any error, restore the state first."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        saved = self._snapshot()
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self._restore(saved)
            raise
    return wrapper


class Account:
    """A futures account on one USDT-margined venue (Binance rules by default).

    >>> acc = Account()
    >>> acc.deposit(10_000)
    >>> acc.set_leverage("BTCUSDT", 10)
    >>> _ = acc.open("BTCUSDT", "long", 60_000, margin=5_000)
    >>> round(acc.liquidation_price("BTCUSDT"), 2)
    48222.89
    """

    def __init__(self, contracts=None, *, venue=DEFAULT_VENUE, time=None, gap_threshold=None,
                 insurance_fund=None):
        self.venue = get_venue(venue)
        #: The asset the venue settles in (USDT; USDC on Hyperliquid).
        self.settle = self.venue.collateral
        self.contracts = (self.venue.contracts() if contracts is None
                          else contract_specs(contracts))
        if insurance_fund is not None and not isinstance(insurance_fund, InsuranceFund):
            raise InvalidInput(f"insurance_fund must be an InsuranceFund (got {insurance_fund!r})")
        #: Pays what a liquidation leaves unpaid and receives the venue's share; unlimited
        #: unless given (a :class:`~crossmargin.engine.market.Market` shares one).
        self.insurance_fund = InsuranceFund() if insurance_fund is None else insurance_fund
        #: The :class:`~crossmargin.engine.market.Market` this account trades in (None: alone,
        #: so nobody can be auto-deleveraged).
        self.market = None
        self.gap_threshold = gap_threshold
        self.time = None if time is None else utc_timestamp(time, "time")
        self.step = 0
        self._assets = {self.settle: 0.0}          # cross wallet, per asset
        self._asset_prices = {self.settle: 1.0}    # index price of each collateral asset
        self._positions = {}
        self._modes = {}
        self._leverage = {}
        self._marks = {}
        self._last = {}                 # last trade prices, where given to mark()
        self._ledger = []

    # -- state snapshots (all-or-nothing operations) --------------------------------------
    def _snapshot(self):
        return (dict(self._assets), dict(self._asset_prices),
                {s: copy.copy(p) for s, p in self._positions.items()}, dict(self._modes),
                dict(self._leverage), dict(self._marks), len(self._ledger), self.time, self.step,
                dict(self._last))

    def _restore(self, saved):
        (self._assets, self._asset_prices, self._positions, self._modes, self._leverage,
         self._marks, n, self.time, self.step, self._last) = saved
        del self._ledger[n:]

    # -- bookkeeping ------------------------------------------------------------------------
    def _book(self, kind, amount, *, symbol=None, asset=None, isolated=False):
        """Record one change of money and apply it to the wallet it touches."""
        asset = self.settle if asset is None else asset
        if isolated:
            self._positions[symbol].isolated_margin += amount
        else:
            self._assets[asset] = self._assets.get(asset, 0.0) + amount
        self._ledger.append((self.step, self.time, kind, "isolated" if isolated else "cross",
                             asset, symbol, amount))

    def _transfer_to_isolated(self, symbol, amount):
        self._book("transfer", -amount, symbol=symbol)
        self._book("transfer", amount, symbol=symbol, isolated=True)

    # -- checks -----------------------------------------------------------------------------
    def _contract(self, symbol):
        try:
            return self.contracts[symbol]
        except (KeyError, TypeError):
            raise UnknownSymbol(f"symbol {symbol!r} is not traded by this account "
                                f"(known: {', '.join(self.contracts)})") from None

    def _position(self, symbol):
        self._contract(symbol)
        if symbol not in self._positions:
            raise NoPosition(f"{symbol} has no open position")
        return self._positions[symbol]

    # -- reading the account -------------------------------------------------------------------
    def margin_mode(self, symbol):
        """``"cross"`` (the default) or ``"isolated"``."""
        self._contract(symbol)
        return self._modes.get(symbol, "cross")

    def leverage(self, symbol):
        """The symbol's leverage setting (20x until you set it)."""
        self._contract(symbol)
        return self._leverage.get(symbol, DEFAULT_LEVERAGE)

    def mark_price(self, symbol):
        """Last mark price of ``symbol`` (None before the first one)."""
        self._contract(symbol)
        return self._marks.get(symbol)

    @property
    def open_symbols(self):
        """Symbols with an open position."""
        return list(self._positions)

    def _upnl(self, p):
        return p.sign * p.size * (self._marks[p.symbol] - p.entry_price)

    def _notional(self, p):
        return p.size * self._marks[p.symbol]

    def _mm(self, p):
        """``notional * MMR - cum`` at the mark; Bybit values an isolated position's at its
        entry (its "Liquidation Price (USDT Contract)" page)."""
        at_entry = self.venue.isolated_mm_at_entry and p.margin_mode == "isolated"
        value = p.size * (p.entry_price if at_entry else self._marks[p.symbol])
        mmr, cum = self.contracts[p.symbol].brackets.lookup(value)
        return value * mmr - cum

    def _requirement(self, p):
        """What the position's margin must cover before liquidation: its maintenance margin,
        plus the fee to close on venues that count it (OKX)."""
        if self.venue.fee_in_requirement:
            return self._mm(p) + self._notional(p) * self.contracts[p.symbol].taker_fee
        return self._mm(p)

    def _collateral_value(self):
        total = 0.0
        for asset, amount in self._assets.items():
            if asset != self.settle and amount:
                total += amount * self._asset_prices[asset] * self._value_ratio(asset)
        return total

    def _cross_wallet(self):
        return self._assets[self.settle] + self._collateral_value()

    def _cross_totals(self):
        """(unrealized PnL, maintenance requirement, initial margin) of all cross positions."""
        upnl = mm = im = 0.0
        for p in self._positions.values():
            if p.margin_mode == "cross":
                upnl += self._upnl(p)
                mm += self._requirement(p)
                im += self._notional(p) / p.leverage
        return upnl, mm, im

    def available_balance(self):
        """What new orders and isolated margin can use:
        ``max(0, cross wallet + cross UPNL - cross initial margin)``."""
        upnl, _, im = self._cross_totals()
        return max(0.0, self._cross_wallet() + upnl - im)

    def margin_ratio(self, symbol=None):
        """Cross account margin ratio, or an isolated position's own with ``symbol``.

        ``maintenance margin / margin balance``; liquidation at >= 1.0.
        """
        if symbol is not None and self._position(symbol).margin_mode == "isolated":
            p = self._positions[symbol]
            return margin_ratio_value(self._requirement(p), p.isolated_margin + self._upnl(p))
        upnl, mm, _ = self._cross_totals()
        return margin_ratio_value(mm, self._cross_wallet() + upnl)

    def liquidation_price(self, symbol):
        """Binance's one-way liquidation price of the symbol's position (None if none exists),
        where the margin ratio reaches 100 % (on OKX the requirement counts the fee to close:
        each tier's MMR + the taker fee).

        Cross: it depends on every other cross position at its current mark, so it
        moves when they move. Collateral in the position's own asset (BTC behind a
        BTC position) moves with the price; other collateral is held at today's value.
        """
        p = self._position(symbol)
        spec = self.contracts[symbol]
        brackets = (_with_fee(spec.brackets, spec.taker_fee) if self.venue.fee_in_requirement
                    else spec.brackets)
        if p.margin_mode == "isolated" and self.venue.isolated_mm_at_entry:
            lp = p.entry_price - p.sign * (p.isolated_margin - self._mm(p)) / p.size
            return lp if lp > 0 else None         # Bybit: MM fixed at the entry value
        if p.margin_mode == "isolated":
            return formulas.liquidation_price(p.side, p.size, p.entry_price, p.isolated_margin,
                                              brackets=brackets)
        others = [q for q in self._positions.values()
                  if q.margin_mode == "cross" and q.symbol != symbol]
        base = spec.base
        units = (self._assets.get(base, 0.0) * self._value_ratio(base)
                 if base in self._assets else 0.0)
        return formulas.liquidation_price(
            p.side, p.size, p.entry_price,
            self._cross_wallet() - units * self._asset_prices.get(base, 0.0), brackets=brackets,
            other_maintenance=sum(self._requirement(q) for q in others),
            other_unrealized_pnl=sum(self._upnl(q) for q in others), collateral_units=units)

    def summary(self):
        """The account at a glance (a pandas Series, USDT unless named otherwise)."""
        upnl, mm, im = self._cross_totals()
        iso = [p for p in self._positions.values() if p.margin_mode == "isolated"]
        iso_margin = sum(p.isolated_margin for p in iso)
        iso_upnl = sum(self._upnl(p) for p in iso)
        cross_balance = self._cross_wallet() + upnl
        return pd.Series({
            "wallet_balance": self._assets[self.settle],
            "collateral_value": self._collateral_value(),
            "cross_wallet_balance": self._cross_wallet(),
            "cross_unrealized_pnl": upnl,
            "cross_margin_balance": cross_balance,
            "cross_initial_margin": im,
            "cross_maintenance_margin": mm,
            "margin_ratio": self.margin_ratio(),
            "available_balance": self.available_balance(),
            "isolated_margin": iso_margin,
            "isolated_unrealized_pnl": iso_upnl,
            "equity": cross_balance + iso_margin + iso_upnl,
            "insurance_cover": sum(r[6] for r in self._ledger if r[2] == "insurance_cover"),
        }, name="account")

    def snapshot(self):
        """The account now, cheaply (no pandas): an :class:`AccountSnapshot` with the equity,
        the USDT wallet balance, the cross margin balance, margin ratio, maintenance margin
        and available balance, and each open position's unrealized PnL. For code that reads
        the account at every step (the replay); :meth:`summary` says more."""
        upnl, mm, im = self._cross_totals()
        cross = self._cross_wallet() + upnl
        isolated = 0.0
        pnl = {}
        for p in self._positions.values():
            pnl[p.symbol] = u = self._upnl(p)
            if p.margin_mode == "isolated":
                isolated += p.isolated_margin + u
        return AccountSnapshot(cross + isolated, self._assets[self.settle], cross,
                               margin_ratio_value(mm, cross), mm, max(0.0, cross - im), pnl)

    def contract(self, symbol):
        """The contract of ``symbol`` (:class:`UnknownSymbol` when this account does not
        trade it)."""
        return self._contract(symbol)

    def positions(self):
        """Open positions, one row each, with ccxt-style snake_case columns."""
        rows = []
        for p in self._positions.values():
            spec = self.contracts[p.symbol]
            value = self._notional(p)
            iso = p.margin_mode == "isolated"
            rows.append({
                "symbol": p.symbol, "side": p.side, "contracts": p.size,
                "notional": value, "leverage": p.leverage,
                "entry_price": p.entry_price, "mark_price": self._marks[p.symbol],
                "unrealized_pnl": self._upnl(p), "initial_margin": value / p.leverage,
                "maintenance_margin": self._mm(p),
                "maintenance_margin_percentage": spec.brackets.lookup(value)[0],
                "margin_ratio": self.margin_ratio(p.symbol),
                "liquidation_price": self.liquidation_price(p.symbol),
                "margin_mode": p.margin_mode,
                "collateral": p.isolated_margin if iso else math.nan,
                "stop_loss_price": p.stop_loss_price,
            })
        columns = ["symbol", "side", "contracts", "notional", "leverage", "entry_price",
                   "mark_price", "unrealized_pnl", "initial_margin", "maintenance_margin",
                   "maintenance_margin_percentage", "margin_ratio", "liquidation_price",
                   "margin_mode", "collateral", "stop_loss_price"]
        frame = pd.DataFrame(rows, columns=columns).set_index("symbol")
        return frame.astype({"liquidation_price": float, "stop_loss_price": float})

    def balances(self):
        """Every wallet: the cross wallet per asset and each isolated position's margin."""
        rows = [{"wallet": "cross", "asset": a, "symbol": None, "balance": b}
                for a, b in self._assets.items()]
        rows += [{"wallet": "isolated", "asset": self.settle, "symbol": p.symbol,
                  "balance": p.isolated_margin}
                 for p in self._positions.values() if p.margin_mode == "isolated"]
        return pd.DataFrame(rows, columns=["wallet", "asset", "symbol", "balance"])

    def ledger(self):
        """Every change of money, in order (deposits, fees, PnL, funding, liquidations...)."""
        return pd.DataFrame(self._ledger, columns=LEDGER_COLUMNS)

    def __repr__(self):
        s = self.summary()
        return (f"<Account equity {s.equity:,.2f} {self.settle}, {len(self._positions)} "
                f"position(s), cross margin ratio {s.margin_ratio:.2%}>")

    # -- what if? ----------------------------------------------------------------------------
    def copy(self):
        """An independent copy: try things on it without touching this account (it trades
        alone, with a copy of the insurance fund: the market is not copied)."""
        return copy.deepcopy(self, {id(self.market): None})

    def preview_open(self, symbol, side, price, *, size=None, margin=None, notional=None):
        """What :meth:`open` would do, without doing it (a pre-trade check).

        Returns a Series: the order's size, notional, initial margin (of the part
        that opens or grows a position; closing needs none), open loss, ``cost``
        (Binance's: initial margin + open loss, :func:`formulas.order_cost`), fee,
        ``total`` (cost + fee: what the order takes from the available balance),
        the available balance before and after, the cross margin ratio after and
        the liquidation price of ``symbol`` after. Raises exactly what ``open`` would.

        The open loss is what the order loses at once against the current mark
        (``size * |min(0, direction * (mark - price))|``): 0 for an order at the mark.
        """
        trial = self.copy()
        before = trial.available_balance()
        mark = self._marks.get(symbol)
        fees_before = trial._fees_paid()
        trial.open(symbol, side, price, size=size, margin=margin, notional=notional)
        old, new = self._signed_size(symbol), trial._signed_size(symbol)
        qty = abs(new - old)                                  # traded, in one-way mode
        opening = abs(new) if old * new <= 0 else max(0.0, abs(new) - abs(old))
        fee = trial._fees_paid() - fees_before
        cost = formulas.order_cost(side, opening, price, price if mark is None else mark,
                                   trial.leverage(symbol))
        return pd.Series({
            "symbol": symbol, "side": side, "size": qty, "notional": qty * price,
            "initial_margin": cost["initial_margin"], "open_loss": cost["open_loss"],
            "cost": cost["cost"], "fee": fee, "total": cost["cost"] + fee,
            "available_before": before, "available_after": trial.available_balance(),
            "margin_ratio_after": trial.margin_ratio(),
            "liquidation_price_after": (trial.liquidation_price(symbol)
                                        if symbol in trial._positions else None),
        }, name="preview")

    def max_open_size(self, symbol, side, price):
        """Largest size :meth:`open` accepts now, in base units (available balance and
        the bracket's leverage cap both count; the budget pays cost and fee per unit)."""
        spec = self._contract(symbol)
        side_sign(side)
        price = positive(price, "price")
        lev = self.leverage(symbol)
        per_unit = formulas.order_cost(side, 1.0, price, self._marks.get(symbol, price),
                                       lev)["cost"] + price * spec.taker_fee
        held = self._signed_size(symbol) * side_sign(side)
        closing = max(0.0, -held)     # an opposite position is closed first, freeing margin
        budget = self.available_balance() if self.margin_mode(symbol) == "cross" else min(
            self.available_balance(), self._assets[self.settle])
        size = closing + budget / per_unit
        cap = spec.brackets.max_notional(lev) / price - max(0.0, held)
        return max(0.0, min(size, cap) * (1 - 1e-9))

    def _signed_size(self, symbol):
        p = self._positions.get(symbol)
        return 0.0 if p is None else p.sign * p.size

    def _fees_paid(self):
        return -sum(r[6] for r in self._ledger if r[2] == "fee")

    # -- money in and out ------------------------------------------------------------------
    @_atomic
    def deposit(self, amount, asset=None, *, price=None):
        """Add collateral to the cross wallet (default: the venue's settlement asset).
        Other assets (Multi-Assets mode: Binance, Bybit, OKX; not Hyperliquid) count at their
        value ratio (BTC 95 %) and back cross positions only, so they are refused while an
        isolated position is open; they need an index price (``price=``, or a mark of e.g.
        BTCUSDT)."""
        amount = positive(amount, "amount")
        asset = self._known_asset(asset)
        if asset != self.settle:
            isolated = [p.symbol for p in self._positions.values()
                        if p.margin_mode == "isolated"]
            if isolated:
                raise MarginModeLocked(
                    f"asset {asset} can back cross positions only (Multi-Assets mode) and "
                    f"{', '.join(isolated)} is isolated: close it or deposit {self.settle}")
            if price is not None:
                self._asset_prices[asset] = positive(price, "price")
            elif asset not in self._asset_prices:
                raise InvalidInput(f"deposit of {asset} needs a price: pass price= or mark "
                                   f"{asset}USDT first (got none)")
        self._book("deposit", amount, asset=asset)

    @_atomic
    def withdraw(self, amount, asset=None):
        """Take collateral out, up to what open positions do not need."""
        amount = positive(amount, "amount")
        asset = self._known_asset(asset)
        held = self._assets.get(asset, 0.0)
        if amount > held:
            raise InsufficientBalance(f"withdraw amount {amount:,} {asset} exceeds the "
                                      f"{held:,} {asset} in the wallet")
        limit = self.max_withdraw(asset)
        if amount > limit + 1e-9:
            raise InsufficientBalance(
                f"withdraw amount {amount:,.8g} {asset} exceeds the maximum withdrawable "
                f"{limit:,.8g} {asset}: the rest is margin in use by open positions")
        self._book("withdrawal", -amount, asset=asset)

    def max_withdraw(self, asset=None):
        """Largest withdrawal from the cross wallet under the venue's rule, in units of
        ``asset`` (at its price and value ratio), at least 0 and at most what is held:

        * Binance (FAQ 360038447311): ``min(WB - MM, WB + UPNL - IM)`` (cross): unrealized
          profit backs the initial margin, so the wallet can be withdrawn down to the
          maintenance margin. (Binance also subtracts the initial margin of isolated open
          orders; the engine has no resting orders.)
        * Bybit UTA, and OKX (assumed): ``min(WB + UPNL - IM, WB + min(UPNL, 0))``:
          unrealized profit backs the initial margin; at most the wallet.
        * Hyperliquid: ``WB + UPNL - max(IM, 10 % of the position value)``.
        """
        asset = self._known_asset(asset)
        upnl, mm, im = self._cross_totals()
        wallet = self._cross_wallet()
        rule = self.venue.withdraw_rule
        if rule == "binance":
            free = min(wallet - mm, wallet + upnl - im)
        elif rule == "unrealized_loss_only":
            free = min(wallet + upnl - im, wallet + min(upnl, 0.0))
        else:
            notional = sum(self._notional(p) for p in self._positions.values()
                           if p.margin_mode == "cross")
            free = wallet + upnl - max(im, self.venue.withdraw_floor_rate * notional)
        unit = self._asset_prices.get(asset, 0.0) * self._value_ratio(asset)
        held = self._assets.get(asset, 0.0)
        return max(0.0, min(held, free / unit if unit else 0.0))

    def _value_ratio(self, asset):
        return 1.0 if asset == self.settle else COLLATERAL_VALUE_RATIOS[asset]

    def _known_asset(self, asset):
        """The asset named (None: the settlement asset), if this venue takes it."""
        if asset is None or asset == self.settle:
            return self.settle
        known = [self.settle] + ([a for a in COLLATERAL_VALUE_RATIOS if a != "USDT"]
                                 if self.venue.multi_assets else [])
        if asset not in known:
            raise InvalidInput(f"asset must be one of {', '.join(known)} on "
                               f"{self.venue.title} (got {asset!r})")
        return asset

    # -- settings ---------------------------------------------------------------------------
    @_atomic
    def set_margin_mode(self, symbol, mode):
        """Choose ``"cross"`` or ``"isolated"`` for a symbol (refused with an open position)."""
        self._contract(symbol)
        check_margin_mode(mode, "margin mode")
        if symbol in self._positions:
            p = self._positions[symbol]
            raise MarginModeLocked(
                f"margin mode of {symbol} cannot change to {mode!r} while a position is open "
                f"({p.side} {p.size:g}); close it first")
        self._modes[symbol] = mode

    @_atomic
    def set_leverage(self, symbol, leverage):
        """Set the symbol's leverage, 1x up to the bracket's maximum for its notional."""
        spec = self._contract(symbol)
        leverage = positive(leverage, "leverage")
        if leverage < 1:
            raise InvalidInput(f"leverage must be >= 1 (got {leverage:g})")
        value = self._notional(self._positions[symbol]) if symbol in self._positions else 0.0
        limit = spec.brackets.max_leverage(value)
        if leverage > limit:
            raise LeverageTooHigh(f"leverage {leverage:g}x exceeds the {limit:g}x maximum of "
                                  f"{symbol} for a {value:,.0f} {self.settle} position")
        p = self._positions.get(symbol)
        if p is not None and p.margin_mode == "isolated":
            raise InvalidInput(f"leverage of the open isolated {symbol} position cannot change "
                               f"here (got {leverage:g}x); use add_margin to lower its risk")
        self._leverage[symbol] = leverage
        if p is not None:
            p.leverage = leverage
            upnl, _, im = self._cross_totals()
            if self._cross_wallet() + upnl - im < 0:
                raise InsufficientBalance(
                    f"leverage {leverage:g}x needs {im:,.2f} {self.settle} of initial margin "
                    f"but the cross margin balance is {self._cross_wallet() + upnl:,.2f} "
                    f"{self.settle}")

    # -- trading ----------------------------------------------------------------------------
    def _size_from(self, symbol, price, size, margin, notional):
        field, value = one_amount(size, margin, notional)
        value = positive(value, field)
        if field == "size":
            return value
        if field == "notional":
            return value / price
        return value * self.leverage(symbol) / price

    @_atomic
    def open(self, symbol, side, price, *, size=None, margin=None, notional=None):
        """Market order at ``price``: size in base units, or the margin or notional to use.

        An order against an open position reduces it (and may flip it).
        Taker fee. Refused beyond the available balance or the bracket's max leverage.
        """
        spec = self._contract(symbol)
        sign = side_sign(side)
        price = positive(price, "price")
        qty = self._size_from(symbol, price, size, margin, notional)
        self._marks.setdefault(symbol, price)
        p = self._positions.get(symbol)
        if p is not None and p.sign != sign:
            closing = min(qty, p.size)
            self._close(p, closing, price, "close")
            qty -= closing
            if qty <= 1e-12:
                return self._positions.get(symbol)
        return self._increase(spec, symbol, side, qty, price)

    def _increase(self, spec, symbol, side, qty, price):
        lev = self.leverage(symbol)
        mode = self.margin_mode(symbol)
        p = self._positions.get(symbol)
        total = qty + (p.size if p else 0.0)
        value = total * price
        if value > spec.brackets.max_position_notional:
            raise LeverageTooHigh(f"position notional {value:,.0f} {self.settle} exceeds "
                                  f"{symbol}'s largest bracket "
                                  f"({spec.brackets.max_position_notional:,.0f})")
        limit = spec.brackets.max_leverage(value)
        if lev > limit:
            raise LeverageTooHigh(
                f"leverage {lev:g}x exceeds the {limit:g}x maximum of {symbol}'s bracket for a "
                f"{value:,.0f} {self.settle} position; lower the leverage or the size")
        cost = formulas.order_cost(side, qty, price, self._marks[symbol], lev)
        margin, loss = cost["initial_margin"], cost["open_loss"]
        fee = qty * price * spec.taker_fee
        available = self.available_balance()
        if cost["cost"] + fee > available + 1e-9:
            opened = f" + open loss {loss:,.2f}" if loss else ""
            raise InsufficientBalance(
                f"order needs {cost['cost'] + fee:,.2f} {self.settle} (initial margin {margin:,.2f}"
                f"{opened} + fee {fee:,.2f}) but the available balance is {available:,.2f} "
                f"{self.settle}")
        if mode == "isolated" and margin + fee > self._assets[self.settle] + 1e-9:
            raise InsufficientBalance(
                f"isolated order needs {margin + fee:,.2f} {self.settle} but the wallet holds "
                f"{self._assets[self.settle]:,.2f} {self.settle} (other collateral backs cross "
                f"positions only)")
        if p is None:
            p = self._positions[symbol] = Position(symbol, side, qty, price, lev, mode)
        else:
            p.entry_price = (p.entry_price * p.size + price * qty) / total
            p.size = total
        self._book("fee", -fee, symbol=symbol)
        if mode == "isolated":
            self._transfer_to_isolated(symbol, margin)
        return p

    @_atomic
    def close(self, symbol, *, size=None, price=None):
        """Close the position (or ``size`` of it) at ``price`` (default: the mark). Taker fee."""
        p = self._position(symbol)
        qty = p.size if size is None else positive(size, "size")
        if qty > p.size * (1 + 1e-12):
            raise InvalidInput(f"size must be <= the open {p.size:g} {symbol} (got {qty:g})")
        price = self._marks[symbol] if price is None else positive(price, "price")
        return self._close(p, min(qty, p.size), price, "close")

    def _close(self, p, qty, price, kind, fee=None, fee_kind="fee", release=True):
        """Realize PnL on ``qty`` at ``price`` and charge ``fee`` (default: the taker fee);
        on a full close, cover a negative isolated margin and release the rest (a partial
        close releases its share, unless ``release=False``: a partial liquidation keeps the
        margin in the position); return the event."""
        spec = self.contracts[p.symbol]
        iso = p.margin_mode == "isolated"
        pnl = p.sign * qty * (price - p.entry_price)
        self._book("realized_pnl", pnl, symbol=p.symbol, isolated=iso)
        fee = qty * price * spec.taker_fee if fee is None else fee
        if fee:
            self._book(fee_kind, -fee, symbol=p.symbol, isolated=iso)
        full = qty >= p.size * (1 - 1e-12)
        if iso:
            if full and p.isolated_margin < 0:
                self._cover(p, p.size, price, -p.isolated_margin, isolated=True)
            release = (p.isolated_margin if full else
                       p.isolated_margin * qty / p.size if release else 0.0)
            if release:
                self._book("transfer", -release, symbol=p.symbol, isolated=True)
                self._book("transfer", release, symbol=p.symbol)
        if full:
            del self._positions[p.symbol]
            if not iso and not any(q.margin_mode == "cross" for q in self._positions.values()):
                self._settle_negative_cross([(p, qty, price, pnl)])   # e.g. a stop that gapped
        else:
            p.size -= qty
        return self._event(kind, p, qty, price, pnl, fee)

    def _cross_equity(self):
        """Cross wallet with the collateral at what selling it fetches (index x the venue's
        ``auto_exchange_rate``): what can pay a fee without leaving a debt."""
        rate = self.venue.auto_exchange_rate
        return self._assets[self.settle] + sum(a * self._asset_prices[k] * rate
                                               for k, a in self._assets.items()
                                               if k != self.settle)

    @_atomic
    def add_margin(self, symbol, amount):
        """Move USDT from the cross wallet into an isolated position (its LP moves away)."""
        p = self._position(symbol)
        amount = positive(amount, "amount")
        if p.margin_mode != "isolated":
            raise InvalidInput(f"add_margin applies to isolated positions; {symbol} is cross "
                               f"(got amount {amount:,})")
        limit = min(self.available_balance(), self._assets[self.settle])
        if amount > limit + 1e-9:
            raise InsufficientBalance(f"amount {amount:,.2f} {self.settle} exceeds the "
                                      f"{limit:,.2f} {self.settle} available to move into "
                                      f"{symbol}")
        self._transfer_to_isolated(symbol, amount)

    def max_remove_margin(self, symbol):
        """Most USDT :meth:`remove_margin` can take out of an isolated position, Binance's rule:
        ``max(0, min(isolated margin - MM, isolated margin + UPNL - mark * size / leverage))``
        (the margin left must cover the maintenance margin and, with the unrealized PnL,
        the initial margin at the mark)."""
        p = self._position(symbol)
        if p.margin_mode != "isolated":
            raise InvalidInput(f"symbol {symbol} is cross: margin can be removed only from an "
                               f"isolated position")
        initial = self._notional(p) / p.leverage
        return max(0.0, min(p.isolated_margin - self._mm(p),
                            p.isolated_margin + self._upnl(p) - initial))

    @_atomic
    def remove_margin(self, symbol, amount):
        """Move USDT from an isolated position back to the cross wallet, up to
        :meth:`max_remove_margin` (its liquidation price moves closer)."""
        p = self._position(symbol)
        amount = positive(amount, "amount")
        if p.margin_mode != "isolated":
            raise InvalidInput(f"remove_margin applies to isolated positions; {symbol} is cross "
                               f"(got amount {amount:,})")
        limit = self.max_remove_margin(symbol)
        if amount > limit + 1e-9:
            raise InsufficientBalance(
                f"amount {amount:,.2f} {self.settle} exceeds the {limit:,.2f} {self.settle} that "
                f"can be removed from {symbol} (min(isolated margin - MM, isolated margin + UPNL "
                f"- IM at the mark))")
        self._book("transfer", -amount, symbol=symbol, isolated=True)
        self._book("transfer", amount, symbol=symbol)

    @_atomic
    def set_stop_loss(self, symbol, trigger_price, *, trigger_by=None):
        """Stop-market order closing the whole position when the watched price reaches
        ``trigger_price``. ``trigger_by``: ``"last"`` (the last trade price, when
        :meth:`mark` is given one; the mark otherwise) or ``"mark"``; None: the venue's default
        (Binance and Bybit: last, Hyperliquid: mark). A liquidation cancels it first."""
        p = self._position(symbol)
        trigger = positive(trigger_price, "trigger_price")
        by = self.venue.stop_trigger if trigger_by is None else trigger_by
        if by not in ("last", "mark"):
            raise InvalidInput(f"trigger_by must be 'last' or 'mark' (got {trigger_by!r})")
        mark = self._marks[symbol]
        if (p.sign > 0 and trigger >= mark) or (p.sign < 0 and trigger <= mark):
            where = "below" if p.sign > 0 else "above"
            raise InvalidInput(f"stop-loss trigger_price for a {p.side} must be {where} the mark "
                               f"price {mark:,.2f} (got {trigger:,.2f}); it would trigger at once")
        p.stop_loss_price, p.stop_trigger = trigger, by

    @_atomic
    def cancel_stop_loss(self, symbol):
        """Remove the symbol's stop-loss."""
        self._position(symbol).stop_loss_price = None

    # -- the market moves ------------------------------------------------------------------------
    def mark(self, prices, time=None, *, last=None, index=None):
        """New mark prices (``{"BTCUSDT": 58_000, ...}``): funding if due, the stops the price
        passed on its way, the liquidations (which cancel their group's stops first), then the
        stops it gapped through. ``last``: last trade prices for stops that watch them (the
        mark stands in for a symbol without one). ``index``: index prices of collateral
        assets (``{"BTC": 58_050}``), which value them as the venues do; an asset without one
        is valued at its perpetual's mark. Returns the list of events (dicts with
        ``EVENT_COLUMNS``)."""
        prices = self._check_prices(prices)
        last = {} if last is None else self._check_prices(last, "last", "last")
        index = {} if index is None else self._check_index(index)
        when = None if time is None else utc_timestamp(time, "time")
        if when is not None and self.time is not None and when < self.time:
            raise InvalidInput(f"time must not go backwards: {when} is before {self.time}")
        self.step += 1
        events = []
        previous, self.time = self.time, when if when is not None else self.time
        if previous is not None and when is not None:     # on the marks before this one's
            events += self._funding(previous, when, prices)
        self._marks.update(prices)
        self._last = last
        for symbol, price in prices.items():
            base = self.contracts[symbol].base
            if base in COLLATERAL_VALUE_RATIOS:
                self._asset_prices[base] = price
        self._asset_prices.update(index)
        if self._positions:
            events += self._stops(prices, gapped=False)
            events += self._liquidations()
            events += self._stops(prices, gapped=True)
        if self._assets[self.settle] < -self.venue.auto_exchange_below:
            self._auto_exchange()        # Binance: a balance below -10,000 USD is exchanged
        return events

    def _check_index(self, index):
        if not hasattr(index, "items"):
            raise InvalidInput(f"index must be a mapping asset -> index price, e.g. "
                               f"{{'BTC': 60_000}} (got {index!r})")
        checked = {}
        for asset, value in index.items():
            if asset == self.settle or asset not in COLLATERAL_VALUE_RATIOS:
                assets = [a for a in COLLATERAL_VALUE_RATIOS if a not in ("USDT", self.settle)]
                raise InvalidInput(f"index asset must be one of {', '.join(assets)} (got "
                                   f"{asset!r})")
            checked[asset] = positive(value, f"index price of {asset}")
        return checked

    def _check_prices(self, prices, field="prices", price="mark"):
        """``{symbol: price}`` checked; messages name ``field`` and the ``price`` kind."""
        if not hasattr(prices, "items"):
            kind = "mark price" if price == "mark" else "last trade price"
            raise InvalidInput(f"{field} must be a mapping symbol -> {kind} (got {prices!r})")
        checked = {}
        for symbol, value in prices.items():
            self._contract(symbol)
            checked[symbol] = positive(value, f"{price} price of {symbol}")
        return checked

    @property
    def gap_threshold(self):
        """How far past its trigger, as a fraction of it, the price must gap in one step for a
        stop to fill at that mark instead of the trigger: the ``gap_threshold`` given to the
        account, else each contract's :attr:`~crossmargin.engine.contracts.Contract.gap_threshold`
        (0.005 = 0.5 % for every shipped contract; a dict by symbol if they differ)."""
        if self._gap_threshold is not None:
            return self._gap_threshold
        by_symbol = {s: spec.gap_threshold for s, spec in self.contracts.items()}
        values = set(by_symbol.values())
        return values.pop() if len(values) == 1 else by_symbol

    @gap_threshold.setter
    def gap_threshold(self, value):
        """A number >= 0 for every symbol, or None for each contract's own."""
        checked = None if value is None else finite(value, "gap_threshold")
        if checked is not None and checked < 0:
            raise InvalidInput(f"gap_threshold must be >= 0 (got {value!r})")
        self._gap_threshold = checked

    def _funding(self, start, end, prices):
        """Pay or receive funding at every instant in (start, end] that is a multiple of a
        position's contract ``funding_interval_hours`` since 00:00 UTC (8 h: 00:00, 08:00,
        16:00 UTC; Hyperliquid 1 h), on the mark at that instant: the previous mark until
        ``end``, the new one (``prices``, run before the marks are updated) at ``end``; the
        rate capped by the venue's cap (Hyperliquid 4 % an hour)."""
        cap = self.venue.funding_cap
        events = []
        hours = {self.contracts[s].funding_interval_hours for s in self._positions}
        if not hours:
            return events
        tick_ns = math.gcd(*hours) * _HOUR.value
        if (start.value // tick_ns + 1) * tick_ns > end.value:
            return events                             # no funding instant in this step
        tick = pd.Timedelta(tick_ns, unit="ns")
        instant = start.floor(tick) + tick
        while instant <= end:
            for p in list(self._positions.values()):
                spec = self.contracts[p.symbol]
                if instant.value % (spec.funding_interval_hours * _HOUR.value):
                    continue                          # not one of this contract's instants
                mark = (prices.get(p.symbol, self._marks[p.symbol]) if instant == end
                        else self._marks[p.symbol])
                rate = spec.funding_rate if cap is None else max(-cap, min(cap, spec.funding_rate))
                payment = -p.sign * p.size * mark * rate
                self._book("funding", payment, symbol=p.symbol,
                           isolated=p.margin_mode == "isolated")
                events.append(dict(self._event("funding", p, p.size, mark, 0.0),
                                   time=instant, amount=payment))
            instant += tick
        return events

    def _stops(self, prices, *, gapped):
        """Fire the stops whose watched price (the last price if given, else the mark)
        crossed their trigger: without a gap they fill at the trigger (the price passed it
        on its way, before any liquidation), after a gap at that price (``gapped=True``,
        run after the liquidations: a liquidation cancels the stops first)."""
        events = []
        for p in list(self._positions.values()):
            stop = p.stop_loss_price
            if stop is None or p.symbol not in prices:
                continue
            price = self._last.get(p.symbol, prices[p.symbol]) \
                if p.stop_trigger == "last" else prices[p.symbol]
            if (p.sign > 0 and price > stop) or (p.sign < 0 and price < stop):
                continue
            threshold = (self.contracts[p.symbol].gap_threshold
                         if self._gap_threshold is None else self._gap_threshold)
            if (abs(price - stop) > threshold * stop) == gapped:
                events.append(self._close(p, p.size, price if gapped else stop, "stop_loss"))
        return events

    # -- the liquidation procedure (see crossmargin.engine.venues) ----------------------------
    def _liquidations(self):
        events = []
        for p in list(self._positions.values()):
            if (p.margin_mode == "isolated" and p.symbol in self._positions
                    and self.margin_ratio(p.symbol) >= 1.0):
                events += self._liquidate([p.symbol])
        cross = [s for s, p in self._positions.items() if p.margin_mode == "cross"]
        if cross and self.margin_ratio() >= 1.0:
            events += self._liquidate(cross)
        return events

    def _group(self, symbols):
        """The open positions of a liquidation group, its margin balance and requirement."""
        group = [self._positions[s] for s in symbols if s in self._positions]
        if group and group[0].margin_mode == "isolated":
            p = group[0]
            return group, p.isolated_margin + self._upnl(p), self._requirement(p), self._mm(p)
        upnl, req, _ = self._cross_totals()
        mm = sum(self._mm(p) for p in group)
        return group, self._cross_wallet() + upnl, req, mm

    def _liquidate(self, symbols):
        """The venue's procedure for one group (an isolated position, or every cross
        position): cancel its stops, reduce where the venue does, then close what is left at
        the bankruptcy price."""
        venue = self.venue
        group, balance, requirement, mm = self._group(symbols)
        events = []
        stops = [p for p in group if p.stop_loss_price is not None]
        for p in stops:
            p.stop_loss_price = None
            events.append(self._event("stops_cancelled", p, 0.0, self._marks[p.symbol], 0.0))
        if venue.backstop_share and balance < venue.backstop_share * mm:
            return events + self._close_bankrupt(group, "all", kind="backstop")
        for _ in range(venue.max_partial_steps if balance > 0 else 0):   # bankrupt: no cut
            cut = self._partial_cut(group, balance, requirement)
            if cut is None:
                break
            p, qty = cut
            mark = self._marks[p.symbol]
            fee = min(qty * mark * self.contracts[p.symbol].liquidation_fee_rate,
                      max(0.0, balance))
            event = self._close(p, qty, mark, "partial_liquidation", fee=fee,
                                fee_kind="liquidation_fee", release=False)
            self._to_fund(fee)
            events.append(event)
            group, balance, requirement, mm = self._group(symbols)
            if requirement < balance or not group or venue.cooldown:
                return events          # restored, or (Hyperliquid) the rest waits a mark
        return events + self._close_bankrupt(group, venue.surplus)

    def _partial_cut(self, group, balance, requirement):
        """(position, size to close) of the venue's next partial step, or None."""
        venue = self.venue
        if venue.partial == "tier_step":
            for p in sorted(group, key=self._mm, reverse=True):
                target = tier_step_target(self._notional(p), self.contracts[p.symbol].brackets)
                if target > 0:
                    return p, p.size - target / self._marks[p.symbol]
        elif venue.partial == "slices":
            big = [p for p in group if self._notional(p) > venue.slice_above]
            if big:
                p = max(big, key=self._notional)
                return p, p.size * venue.slice_fraction
        elif venue.partial == "okx_tiers":
            p = max(group, key=self._mm)
            others = requirement - self._requirement(p)
            spec, mark = self.contracts[p.symbol], self._marks[p.symbol]
            # a position the price carried beyond the table is judged as its largest tier
            largest = min(p.size, spec.brackets.max_position_notional / mark * (1 - 1e-12))
            kept = okx_partial_liquidation(largest, balance - others, spec.brackets, mark,
                                           fee_rate=spec.taker_fee).remaining_size
            # An OKX tier holds its largest size; a table's tier ends just below its cap.
            qty = p.size - kept * (1 - 1e-12)
            if 0 < kept < p.size:
                return p, qty
        return None

    def _close_bankrupt(self, group, surplus, *, kind="liquidation"):
        """Close ``group`` at the bankruptcy price: realize every position at its mark, then
        the venue takes its share of what is left (``"fee"``: the clearance fee up to what is
        left; ``"all"``: everything left) and a deficit is covered (fund, then ADL)."""
        if not group:
            return []
        closes = []
        for p in group:
            mark = self._marks[p.symbol]
            rate = self.contracts[p.symbol].liquidation_fee_rate      # per symbol (Binance)
            closes.append((p, p.size, mark, p.sign * p.size * (mark - p.entry_price),
                           p.size * mark * rate))
        if group[0].margin_mode == "isolated":    # one position: its own margin pays the share
            p, _, mark, pnl, fee = closes[0]
            left = p.isolated_margin + pnl
            share = max(0.0, left) if surplus == "all" else min(fee, max(0.0, left))
            event = self._close(p, p.size, mark, kind, fee=share, fee_kind="liquidation_fee")
            self._to_fund(share, fee=surplus == "fee")
            return [event]
        events = []
        for p, qty, mark, _, _ in closes:
            event = self._event(kind, p, qty, mark, p.sign * qty * (mark - p.entry_price))
            self._book("realized_pnl", event["realized_pnl"], symbol=p.symbol)
            del self._positions[p.symbol]
            events.append(event)
        left = max(0.0, self._cross_equity())
        fees = [c[4] for c in closes]
        if surplus == "all":
            total = sum(fees)
            shares = ([left * f / total for f in fees] if total > 0
                      else [left / len(fees)] * len(fees))
        else:
            scale = min(1.0, left / sum(fees)) if sum(fees) > 0 else 0.0
            shares = [f * scale for f in fees]
        for event, share in zip(events, shares):
            event["fee"] = share
            event["amount"] -= share
            self._book("liquidation_fee", -share, symbol=event["symbol"])
            self._to_fund(share, fee=surplus == "fee")
        self._settle_negative_cross(closes)
        return events

    def _auto_exchange(self):
        """Sell collateral to bring a negative settlement balance back to 0, at the venue's
        discount: to cover ``-B`` it sells ``-B / auto_exchange_rate`` worth (Binance's
        example: 20,000 / 97.5 % = 20,513 USD of BTC for a -20,000 USDT balance)."""
        rate = self.venue.auto_exchange_rate
        for asset in [a for a in self._assets if a != self.settle]:
            held, price = self._assets[asset], self._asset_prices[asset]
            if self._assets[self.settle] >= 0 or held <= 0:
                continue
            sold = min(held, -self._assets[self.settle] / (price * rate))
            self._book("collateral_sale", -sold, asset=asset)
            self._book("collateral_sale", sold * price * rate)

    def _event(self, kind, p, qty, price, pnl, fee=0.0):
        """One event (``EVENT_COLUMNS``) of position ``p`` at this step: amount = pnl - fee."""
        return {"step": self.step, "time": self.time, "type": kind, "symbol": p.symbol,
                "margin_mode": p.margin_mode, "side": p.side, "size": qty, "price": price,
                "realized_pnl": pnl, "fee": fee, "amount": pnl - fee}

    def _to_fund(self, amount, *, fee=True):
        """The fund receives the venue's share of a liquidation; a fee only where the venue
        pays its clearance fee into the fund (``Venue.fee_to_fund``)."""
        if amount > 0 and (self.venue.fee_to_fund or not fee):
            self.insurance_fund.receive(amount)

    def _settle_negative_cross(self, closes):
        """With no cross position left: sell collateral to cover a negative balance, then
        cover what is still missing (insurance fund, then ADL), shared among the closed
        positions that lost, in proportion to their losses."""
        self._auto_exchange()
        deficit = -self._assets[self.settle]
        if deficit <= 0:
            return
        losses = [(p, qty, price, -pnl) for p, qty, price, pnl, *_ in closes if pnl < 0]
        total = sum(c[3] for c in losses)
        if not losses:     # nothing to rank (e.g. fees alone): the fund pays
            self._book("insurance_cover", self.insurance_fund.pay(deficit))
            return
        for p, qty, price, loss in losses:
            self._cover(p, qty, price, deficit * loss / total, isolated=False)

    def _cover(self, p, qty, price, deficit, *, isolated):
        """Pay a position's ``deficit``: the insurance fund first, then auto-deleveraging of
        opposite positions in the market at the bankruptcy price
        ``price + sign * deficit / qty``. What neither can pay is the fund's shortfall."""
        paid = self.insurance_fund.pay(deficit)
        if paid:
            self._book("insurance_cover", paid, symbol=p.symbol, isolated=isolated)
        rest = deficit - paid
        if rest <= 1e-12:
            return
        share = qty * rest / deficit                       # the part the fund cannot take over
        bankruptcy = price + p.sign * deficit / qty
        closed = 0.0
        if self.market is not None:
            closed = self.market.deleverage(self, p.symbol, p.side, share, bankruptcy)
        covered = rest * closed / share
        if covered:
            self._book("adl_cover", covered, symbol=p.symbol, isolated=isolated)
        if rest - covered > 1e-9:
            self.insurance_fund.shortfall += rest - covered
            self._book("insurance_cover", rest - covered, symbol=p.symbol, isolated=isolated)

    # -- auto-deleveraging, seen from the other side ---------------------------------------
    def position_side(self, symbol):
        """``"long"``, ``"short"``, or None without a position in ``symbol``."""
        self._contract(symbol)
        p = self._positions.get(symbol)
        return None if p is None else p.side

    def adl_score(self, symbol, marks=None):
        """Where this position stands in the ADL queue (:func:`market.adl_score`), at this
        account's marks, or at ``marks`` (``{symbol: mark price}``; a market ranks at the
        bankrupt account's marks: the step's prices, which this account may not have seen
        yet)."""
        p = self._position(symbol)
        if marks is not None:
            prices = self._check_prices({s: v for s, v in marks.items() if s in self.contracts})
            saved, self._marks = self._marks, {**self._marks, **prices}
            try:
                return self.adl_score(symbol)
            finally:
                self._marks = saved
        balance = (p.isolated_margin + self._upnl(p) if p.margin_mode == "isolated"
                   else self._cross_wallet() + self._cross_totals()[0])
        notional = (self._notional(p) if p.margin_mode == "isolated"
                    else sum(self._notional(q) for q in self._positions.values()
                             if q.margin_mode == "cross"))
        return adl_score(self._upnl(p), self._notional(p) / p.leverage, notional, balance)

    def deleverage(self, symbol, size, price):
        """Auto-deleveraging: close up to ``size`` of this position at ``price`` (another
        trader's bankruptcy price), with no fee; returns the ``"adl"`` event."""
        p = self._position(symbol)
        qty = min(positive(size, "size"), p.size)
        return self._close(p, qty, positive(price, "price"), "adl", fee=0.0)


@functools.lru_cache(maxsize=64)         # liquidation_price asks for it at every replay step
def _with_fee(brackets, fee):
    """``brackets`` with ``fee`` added to every MMR (same deductions): the tiers of OKX's
    requirement, MM + the fee to close, ``notional * (MMR + fee) - cum``."""
    return dataclasses.replace(brackets,
                               maintenance_margin_rates=brackets.maintenance_margin_rates + fee)


def margin_ratio_value(maintenance, balance):
    """Scalar form of :func:`formulas.margin_ratio` (0 with nothing to maintain)."""
    if maintenance == 0:
        return 0.0
    return maintenance / balance if balance > 0 else math.inf
