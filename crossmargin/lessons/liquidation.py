"""What happens at 100 %: one liquidation, event by event, on the venue you pick.

:func:`walk_through` opens a small account (one of :data:`CASES`, or your own :class:`Case`)
on a venue (``Account(venue=...)``), marks it just past its liquidation price (or at the
prices you give) and turns what the engine did into a list of :class:`Event` s in order:
stops cancelled, cuts (``partial_liquidation``), the close of the rest, the venue's share of
what is left, the insurance fund's cover and auto-deleveraging (ADL). Each event carries the
money after it, in five pots (settlement asset, at the liquidation marks):

- ``wallet``: the trader's realized money (cross wallet plus isolated margins);
- ``positions``: the unrealized PnL of what is still open (wallet + positions = equity);
- ``fund``: what the insurance fund took in minus what it paid (a shortfall counts as paid);
- ``venue``: fees the venue kept outside the fund (Bybit's and Hyperliquid's cut fees);
- ``counterparties``: what ADL took from the opposite traders (closed at the bankruptcy
  price instead of the mark).

Within one mark the pots always add up to the trader's equity at that mark: a liquidation
only moves money between them. Every number comes from the engine (events, ledger rows, the
fund's receipts and payments, :func:`~crossmargin.engine.formulas.bankruptcy_price`); this
module only sorts them (the procedure itself is documented in
:mod:`crossmargin.engine.venues`).

Also: :func:`left_after_fee` (what the trader keeps of a position liquidated at its
liquidation price), :func:`hedge_leg_deleveraged` (ADL closes a hedger's profitable leg and
leaves the losing one open) and :func:`fee_against_maintenance` (why every small cross
liquidation on Binance ends at zero while a cut or a small fee leaves something).
"""
import math
from dataclasses import dataclass, field

import pandas as pd

from .._validate import finite, non_empty_list, positive, side_sign
from ..engine import formulas
from ..engine.account import Account, LIQUIDATION_EVENTS
from ..engine.market import InsuranceFund, Market
from ..engine.venues import venue as get_venue
from ..errors import InvalidInput
from ..formats import fmt_price
from ..scenarios import START_PRICES
from ..simulation.orders import Order

__all__ = ["Case", "CASES", "CASE_NAMES", "Event", "Walkthrough", "POTS", "walk_through",
           "short_name",
           "FeeLeft", "left_after_fee", "HedgeDeleveraged", "hedge_leg_deleveraged",
           "fee_against_maintenance", "MAX_MARKS", "JUST_PAST", "DUST"]

#: The money pots of every :class:`Event`, in the order the lesson shows them.
POTS = ("wallet", "positions", "fund", "venue", "counterparties")
#: How far past the liquidation price the default mark lands (a fraction of that price).
JUST_PAST = 1e-6
#: Amounts below this (settlement asset) are the engine's rounding, not an event.
DUST = 1e-6
#: Most marks a walk-through makes at the same prices (Hyperliquid's slices wait a mark each).
MAX_MARKS = 12


@dataclass(frozen=True)
class Case:
    """An account to liquidate: ``deposit`` of the venue's settlement asset, ``orders``
    (:class:`~crossmargin.simulation.orders.Order` s) filled at ``start`` prices, stop-losses
    ``stops`` (``{symbol: trigger}``), then ``trigger`` (a symbol) marked ``past`` (a fraction)
    beyond its liquidation price. ``insurance_fund`` (None: unlimited) and ``crowd``
    (``{name: (deposit, orders)}``: other traders in the same market, who can be
    auto-deleveraged) are the case's defaults."""

    name: str
    description: str
    deposit: float
    orders: tuple
    start: dict
    trigger: str
    past: float = JUST_PAST
    stops: dict = field(default_factory=dict)
    insurance_fund: float | None = None
    crowd: dict | None = None

    def __post_init__(self):
        positive(self.deposit, "deposit")
        orders = non_empty_list(self.orders, "orders", "(Order('BTCUSDT', 'long', margin=1_000),)",
                                of="Order", one="Order")
        if not hasattr(self.start, "items"):
            raise InvalidInput(f"start must be a mapping symbol -> price (got {self.start!r})")
        for n, order in enumerate(orders):
            if not isinstance(order, Order):
                raise InvalidInput(f"orders item {n} must be an Order (got {order!r})")
            if order.symbol not in self.start:
                raise InvalidInput(f"start must give {order.symbol}'s price (got "
                                   f"{', '.join(self.start) or 'none'})")
        if self.trigger not in self.start:
            raise InvalidInput(f"trigger must be one of {', '.join(self.start)} (got "
                               f"{self.trigger!r})")
        if not 0 < finite(self.past, "past") < 1:
            raise InvalidInput(f"past must be a fraction between 0 and 1, e.g. 0.001 (got "
                               f"{self.past!r})")


def _crowd_shorts():
    """Two traders short the BTC the bankrupt long holds: "bold" at 20x, "calm" at 2x."""
    return {"bold short": (2_000.0, (Order("BTCUSDT", "short", size=0.5, leverage=20),)),
            "calm short": (60_000.0, (Order("BTCUSDT", "short", size=1.5, leverage=2),))}


_BTC_LONG = (Order("BTCUSDT", "long", margin=5_000, leverage=20),)
#: The built-in accounts of the lesson and the stepper, by name.
CASES = {c.name: c for c in (
    Case("small BTC long", "10,000 USDT, a 100,000 BTC long at 20x, a stop at 52,000 (beyond "
         "the liquidation price)", 10_000.0, _BTC_LONG, {"BTCUSDT": 60_000.0}, "BTCUSDT",
         stops={"BTCUSDT": 52_000.0}),
    Case("large SOL long", "40,000 USDT, a 200,000 SOL long at 20x, a stop at 110",
         40_000.0, (Order("SOLUSDT", "long", notional=200_000, leverage=20),),
         {"SOLUSDT": 150.0}, "SOLUSDT", stops={"SOLUSDT": 110.0}),
    Case("hedged pair", "the guide's pair: 10,000 USDT, a BTC long and an ETH short, 4,900 "
         "USDT of margin each at 10x; BTC falls, ETH stays", 10_000.0,
         (Order("BTCUSDT", "long", margin=4_900, leverage=10),
          Order("ETHUSDT", "short", margin=4_900, leverage=10)),
         {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0}, "BTCUSDT",
         stops={"BTCUSDT": 45_000.0, "ETHUSDT": 3_600.0}),
    Case("gap past bankruptcy", "the small BTC long, but BTC gaps 8 % past the liquidation "
         "price; the insurance fund is empty and two traders hold the opposite short",
         10_000.0, _BTC_LONG, {"BTCUSDT": 60_000.0}, "BTCUSDT", past=0.08,
         stops={"BTCUSDT": 52_000.0}, insurance_fund=0.0, crowd=_crowd_shorts()),
)}
CASE_NAMES = tuple(CASES)


@dataclass(frozen=True)
class Event:
    """One thing the venue did, and the money after it (:data:`POTS`).

    ``kind``: ``"mark"`` (the prices that start or continue the liquidation),
    ``"stops_cancelled"``, ``"partial_liquidation"``, ``"liquidation"``, ``"backstop"``,
    ``"venue_share"`` (what the venue takes of what is left), ``"insurance_cover"``,
    ``"adl_cover"`` (and any other engine event, e.g. ``"stop_loss"``); ``open_positions``:
    ``{symbol: (side, size)}`` after it."""

    kind: str
    text: str
    symbol: str | None
    size: float
    price: float
    amount: float
    wallet: float
    positions: float
    fund: float
    venue: float
    counterparties: float
    open_positions: dict

    @property
    def equity(self):
        """The trader's equity after the event: wallet + unrealized PnL."""
        return self.wallet + self.positions

    def pots(self):
        """``{pot: amount}`` in the order of :data:`POTS`."""
        return {p: getattr(self, p) for p in POTS}


@dataclass(frozen=True)
class Walkthrough:
    """One liquidation on one venue (what :func:`walk_through` returns).

    ``events`` in order; ``ledger``: the trader's ledger rows of the liquidation's marks;
    ``bankruptcy_price``: ``{symbol: price}`` of each position closed at the bankruptcy
    price (:func:`formulas.bankruptcy_price` with the wallet just before the close);
    ``liquidation_price``: the trigger symbol's, before the move; ``kept``: the trader's
    equity at the end; ``fund``: what the fund got (negative: paid); ``venue_fees``: kept by
    the venue outside the fund; ``deleveraged``: one row per ADL close (account, symbol,
    side, size, price); ``adl_queue``: the other traders' ADL scores before the move, best
    first; ``accounts``: ``{name: Account}`` after the walk (the trader is ``"trader"``)."""

    venue: str
    title: str
    case: str
    prices: tuple
    events: tuple
    ledger: pd.DataFrame
    liquidation_price: float | None
    bankruptcy_price: dict
    kept: float
    fund: float
    venue_fees: float
    deleveraged: pd.DataFrame
    adl_queue: pd.DataFrame
    accounts: dict

    @property
    def survived(self):
        """Whether a position is still open after the liquidation (a cut restored it)."""
        return bool(self.events[-1].open_positions)

    @property
    def equity_at_liquidation(self):
        """The trader's equity at the first liquidation mark, before the procedure."""
        return self.events[0].equity

    def table(self):
        """The events as a DataFrame: kind, symbol, size, price, amount, the pots, equity
        and the text."""
        return pd.DataFrame([{"kind": e.kind, "symbol": e.symbol, "size": e.size,
                              "price": e.price, "amount": e.amount, **e.pots(),
                              "equity": e.equity, "text": e.text} for e in self.events])


class _RecordingFund(InsuranceFund):
    """An insurance fund that notes each receipt, payment and shortfall with the number of
    trader ledger rows booked at that moment (to place it among the ledger rows)."""

    def __init__(self, balance):
        self.log = []
        self.rows = lambda: 0
        super().__init__(balance)

    def receive(self, amount):
        super().receive(amount)
        self.log.append((self.rows() - 1, amount, "receive"))    # after its fee row

    def pay(self, amount):
        paid = super().pay(amount)
        self.log.append((self.rows(), -paid, "pay"))              # before its cover row
        return paid

    @property
    def shortfall(self):
        return self._shortfall

    @shortfall.setter
    def shortfall(self, value):
        added = value - getattr(self, "_shortfall", 0.0)
        self._shortfall = value
        if added:
            self.log.append((self.rows(), -added, "shortfall"))       # before its cover row


def _case(portfolio):
    if isinstance(portfolio, Case):
        return portfolio
    if not isinstance(portfolio, str) or portfolio not in CASES:
        raise InvalidInput(f"portfolio must be one of {', '.join(CASE_NAMES)} or a Case "
                           f"(got {portfolio!r})")
    return CASES[portfolio]


def _crowd(crowd):
    if not isinstance(crowd, dict) or not crowd:
        raise InvalidInput(f"crowd must be a dict name -> (deposit, orders), e.g. "
                           f"{{'bold short': (2_000, [Order(...)])}} (got {crowd!r})")
    checked = {}
    for name, value in crowd.items():
        if name == "trader" or not isinstance(name, str) or not name:
            raise InvalidInput(f"crowd names must be text other than 'trader' (got {name!r})")
        try:
            deposit, orders = value
        except (TypeError, ValueError):
            raise InvalidInput(f"crowd[{name!r}] must be (deposit, orders) "
                               f"(got {value!r})") from None
        orders = non_empty_list(orders, f"crowd[{name!r}] orders", of="Order", one="Order")
        for n, order in enumerate(orders):
            if not isinstance(order, Order):
                raise InvalidInput(f"crowd[{name!r}] orders item {n} must be an Order "
                                   f"(got {order!r})")
        checked[name] = (positive(deposit, f"crowd[{name!r}] deposit"), orders)
    return checked


def _prices(value, account, field="prices"):
    if not hasattr(value, "items"):
        raise InvalidInput(f"{field} must be a mapping symbol -> mark price, e.g. "
                           f"{{'BTCUSDT': 54_000}} (got {value!r})")
    for symbol in value:
        account.contract(symbol)                    # UnknownSymbol names the known ones
    return {s: positive(v, f"{field}[{s!r}]") for s, v in value.items()}


def _open(account, deposit, orders, start, stops=None):
    account.deposit(deposit)
    account.mark(start)
    for order in orders:
        order.check()
        order.place(account, start[order.symbol])
    for symbol, trigger in (stops or {}).items():
        account.set_stop_loss(symbol, trigger)


def _open_sizes(account):
    table = account.positions()
    return {s: (row.side, float(row.contracts), float(row.entry_price))
            for s, row in table.iterrows()}


def _upnl(held, marks):
    return sum(formulas.unrealized_pnl(side, size, entry, marks[s])
               for s, (side, size, entry) in held.items() if size > 0)


def _still_liquidating(account):
    groups = [account.margin_ratio(s) for s in account.open_symbols
              if account.margin_mode(s) == "isolated"]
    if any(account.margin_mode(s) == "cross" for s in account.open_symbols):
        groups.append(account.margin_ratio())
    return any(r >= 1 for r in groups)


def walk_through(venue="binance", portfolio="small BTC long", *, prices=None,
                 insurance_fund=None, crowd=None):
    """Run one liquidation of ``portfolio`` (a name in :data:`CASES` or a :class:`Case`) on
    ``venue`` and return the :class:`Walkthrough`, its events in order.

    ``prices``: None (the case's trigger symbol just past its liquidation price, the others
    where they opened; marked again while the liquidation goes on, as Hyperliquid's slices
    wait a mark each, at most :data:`MAX_MARKS`), a mapping ``{symbol: mark}``, or a list of
    them (a path, marked in turn until the liquidation is over). ``insurance_fund``: its
    balance (None: the case's; ``math.inf``: unlimited); ``crowd``: other traders in the
    market, ``{name: (deposit, orders)}`` (None: the case's), who can be auto-deleveraged.

    >>> walk = walk_through("binance", "small BTC long")
    >>> [e.kind for e in walk.events]
    ['mark', 'stops_cancelled', 'partial_liquidation', 'liquidation', 'venue_share']
    >>> walk.kept
    0.0
    """
    rules = get_venue(venue)
    case = _case(portfolio)
    balance = case.insurance_fund if insurance_fund is None else insurance_fund
    fund = _RecordingFund(math.inf if balance is None else balance)
    crowd = case.crowd if crowd is None else crowd
    crowd = None if crowd is None else _crowd(crowd)
    trader = Account(venue=rules.name, insurance_fund=fund)
    fund.rows = lambda: len(trader.ledger())
    market = None
    accounts = {"trader": trader}
    if crowd is not None:
        market = Market(insurance_fund=fund)
        market.add(trader, "trader")
        for name in crowd:
            accounts[name] = market.add(Account(venue=rules.name), name)
    _open(trader, case.deposit, case.orders, case.start, case.stops)
    for name, (deposit, orders) in (crowd or {}).items():
        _open(accounts[name], deposit, orders, case.start)

    lp = trader.liquidation_price(case.trigger) if case.trigger in trader.open_symbols \
        else None
    if prices is None:
        if lp is None:
            raise InvalidInput(f"portfolio {case.name!r} cannot be liquidated by moving "
                               f"{case.trigger} (no liquidation price)")
        side = trader.position_side(case.trigger)
        move = {**case.start, case.trigger: lp * (1 - side_sign(side) * case.past)}
        path, repeat = [move], True
    elif hasattr(prices, "items"):
        path, repeat = [_prices(prices, trader)], True
    else:
        path = [_prices(p, trader, f"prices item {n}")
                for n, p in enumerate(non_empty_list(prices, "prices", "[{'BTCUSDT': 54_000}]",
                                                     of="mappings symbol -> mark price",
                                                     one="mapping"))]
        repeat = False
    queue = _adl_queue(accounts, path[0], trader)
    builder = _Builder(trader, rules, fund, case, lp)
    marks, started, seen = [], False, []
    for n in range(MAX_MARKS if repeat else len(path)):
        if repeat and n and not started:
            break                                     # the same prices again: no change
        step = path[0] if repeat else path[n]
        rows_before = len(trader.ledger())
        held = _open_sizes(trader)
        if market is not None:
            pairs = market.mark(step)
            events = [e for name, e in pairs if name == "trader"]
            adl = [(name, e) for name, e in pairs if name != "trader" and e["type"] == "adl"]
        else:
            events, adl = trader.mark(step), []
        liquidating = any(e["type"] in LIQUIDATION_EVENTS for e in events)
        seen += [f"{e['type']} {e['symbol']}" for e in events]
        if not (started or liquidating):
            continue                                  # the path has not reached 100 % yet
        started = True
        marks.append(dict(step))
        builder.add_mark(step, held, events, adl, rows_before, first=len(marks) == 1)
        if not (trader.open_symbols and _still_liquidating(trader)):
            break
    if not started:
        where = f" ({case.trigger}'s liquidation price is {fmt_price(lp)})" if lp else ""
        seen = f"; the engine did: {', '.join(seen)}" if seen else ""
        raise InvalidInput(f"prices liquidate nothing{where}: nothing was liquidated{seen}")
    ledger = trader.ledger()
    ledger = ledger[ledger.index >= builder.first_row].reset_index(drop=True)
    last = builder.events[-1]
    deleveraged = pd.DataFrame(builder.deleveraged,
                               columns=["account", "symbol", "side", "size", "price"])
    return Walkthrough(rules.name, rules.title, case.name, tuple(marks), tuple(builder.events),
                       ledger, lp, dict(builder.bankruptcy), _clean(last.equity),
                       _clean(last.fund), _clean(last.venue), deleveraged, queue, accounts)


def _clean(x):
    """``x`` with the engine's rounding dust (below :data:`DUST`) shown as 0."""
    return 0.0 if abs(x) < DUST else float(x)


def _adl_queue(accounts, marks, trader):
    rows = []
    for name, account in accounts.items():
        if account is trader:
            continue
        for symbol in account.open_symbols:
            rows.append({"account": name, "symbol": symbol,
                         "side": account.position_side(symbol),
                         "adl_score": account.adl_score(symbol, marks)})
    table = pd.DataFrame(rows, columns=["account", "symbol", "side", "adl_score"])
    return table.sort_values("adl_score", ascending=False, kind="stable").reset_index(drop=True)


class _Builder:
    """Turns each mark's engine events, ledger rows and fund log into :class:`Event` s."""

    def __init__(self, trader, rules, fund, case, liquidation_price):
        self.trader, self.rules, self.fund, self.case = trader, rules, fund, case
        self.liquidation_price = liquidation_price
        self.events, self.deleveraged, self.bankruptcy = [], [], {}
        self.first_row = None
        self.pots = None

    # -- pots --------------------------------------------------------------------------------
    def _emit(self, kind, text, rows, *, symbol=None, size=0.0, price=math.nan, crowd=0.0,
              shown=True):
        """Apply ``rows`` (and the fund's entries among them) to the pots; with ``shown``,
        append the :class:`Event`."""
        for r in rows:
            self.cross += r.amount if r.wallet == "cross" else 0.0
            if r.wallet == "isolated":
                self.isolated[r.symbol] = self.isolated.get(r.symbol, 0.0) + r.amount
            if r.type in ("liquidation_fee", "fee"):
                self.pots["venue"] -= r.amount
        entries = [(a, kind) for i, a, kind in self.fund.log
                   if rows and rows[0].Index <= i <= rows[-1].Index]
        self.pots["fund"] += sum(a for a, _ in entries)
        self.pots["venue"] -= sum(a for a, kind in entries if kind == "receive")
        self.pots["counterparties"] += crowd
        self.pots["wallet"] = self.cross + sum(self.isolated.values())
        self.pots["positions"] = _upnl(self.held, self.marks)
        amount = sum(r.amount for r in rows)
        if not shown:
            return
        self.events.append(Event(kind, text, symbol, size, price, amount, **self.pots,
                                 open_positions={s: (side, size_) for s, (side, size_, _)
                                                 in self.held.items() if size_ > 0}))

    def _money(self, x):
        return f"{x + 0.0 if abs(x) >= 0.005 else 0.0:,.2f} {self.trader.settle}"

    # -- one mark -------------------------------------------------------------------------------
    def add_mark(self, marks, held, events, adl, rows_before, *, first):
        trader, rules = self.trader, self.rules
        ledger = trader.ledger()
        if self.first_row is None:
            self.first_row = rows_before
        rows = list(ledger.iloc[rows_before:].itertuples())
        self.marks, self.held = {**{s: trader.mark_price(s) for s in trader.contracts
                                    if trader.mark_price(s) is not None}, **marks}, held
        if first:
            balances = trader.balances()
            self.cross = float(balances.loc[balances.wallet == "cross", "balance"].sum())
            self.isolated = {r.symbol: r.balance for r in balances.itertuples()
                             if r.wallet == "isolated"}
            # the isolated margins before this mark's rows (balances() is after them)
            for r in rows:
                if r.wallet == "cross":
                    self.cross -= r.amount
                else:
                    self.isolated[r.symbol] = self.isolated.get(r.symbol, 0.0) - r.amount
            self.pots = dict.fromkeys(POTS, 0.0)
        moved = ", ".join(f"{s} at {fmt_price(p)}" for s, p in marks.items())
        if first:
            lp = self.liquidation_price
            past = ("" if lp is None else f", past {self.case.trigger}'s liquidation price "
                    f"{fmt_price(lp)}")
            text = (f"{short_name(rules)} marks {moved}{past}: the margin ratio is at or above "
                    f"100 % and the liquidation starts.")
        else:
            text = (f"Next mark, {moved}: the account is still at or above 100 %, so the "
                    f"liquidation goes on.")
        self._emit("mark", text, [])
        i = 0
        crowd_by_symbol = {}
        for name, e in adl:
            crowd_by_symbol.setdefault(e["symbol"], []).append((name, e))
        closes = [e for e in events if e["type"] in ("liquidation", "backstop")
                  and e["margin_mode"] == "cross"]
        for e in events:
            kind, symbol = e["type"], e["symbol"]
            side, size, entry = held.get(symbol, (e["side"], 0.0, math.nan))
            if kind == "stops_cancelled":
                self._emit(kind, f"{short_name(rules)} cancels the stop-loss on {symbol}: a "
                           f"liquidation removes the account's open orders first.", [],
                           symbol=symbol, price=e["price"])
                continue
            take = [rows[i]] if i < len(rows) else []
            i += len(take)
            if kind == "partial_liquidation" or e["margin_mode"] == "isolated" or \
                    kind not in ("liquidation", "backstop"):
                while i < len(rows) and rows[i].symbol == symbol and \
                        rows[i].type not in ("realized_pnl", "funding"):
                    take.append(rows[i])
                    i += 1
            if kind in ("liquidation", "backstop"):
                self._bankruptcy(e, side, entry)
            self.held[symbol] = (side, max(0.0, size - e["size"]), entry)
            self._emit(kind, self._close_text(e, take), take, symbol=symbol, size=e["size"],
                       price=e["price"])
            if e["margin_mode"] == "isolated" and kind in ("liquidation", "backstop"):
                continue
            if closes and e is closes[-1]:            # the last close of the cross group
                i = self._settle(rows, i, crowd_by_symbol)
        if i < len(rows):                     # anything else the engine booked
            self._emit("other", "Other bookings of this mark.", rows[i:])
        for name, e in adl:
            self.deleveraged.append((name, e["symbol"], e["side"], e["size"], e["price"]))

    def _settle(self, rows, i, crowd_by_symbol):  # noqa: C901 (one branch per row type)
        """The rows after a cross group's closes: the venue's share, then the covers."""
        shares = []
        while i < len(rows) and rows[i].type == "liquidation_fee":
            shares.append(rows[i])
            i += 1
        if shares:
            backstop = any(e.kind == "backstop" for e in self.events[-len(shares):])
            self._emit("venue_share", self._share_text(shares, backstop), shares,
                       size=0.0, price=math.nan)
        while i < len(rows) and rows[i].type in ("insurance_cover", "adl_cover",
                                                 "collateral_sale"):
            r = rows[i]
            i += 1
            if abs(r.amount) < DUST:              # rounding left by the engine's arithmetic
                self._emit(r.type, "", [r], shown=False)
            elif r.type == "adl_cover":
                crowd = crowd_by_symbol.get(r.symbol, [])
                lost = -sum(e["size"] * abs(e["price"] - self.marks[e["symbol"]])
                            for _, e in crowd)
                names = ", ".join(f"{name}'s {e['side']} of {e['size']:,.4g} "
                                  f"{self.trader.contract(e['symbol']).base} at "
                                  f"{fmt_price(e['price'])}" for name, e in crowd)
                self._emit("adl_cover", f"The fund cannot pay the rest: auto-deleveraging "
                           f"closes {names or 'the opposite positions'} at the bankruptcy "
                           f"price; {self._money(r.amount)} of their profit covers the "
                           f"deficit.", [r], symbol=r.symbol, crowd=lost)
            elif r.type == "insurance_cover":
                paid = -sum(a for k, a, kind in self.fund.log if k == r.Index and kind == "pay")
                short = r.amount - paid > 1e-9
                text = (f"The account ended below zero: the insurance fund pays "
                        f"{self._money(r.amount)}." if not short else
                        f"Nobody is left to pay {self._money(r.amount - paid)}: the fund is "
                        f"empty and no opposite position can be deleveraged (a shortfall "
                        f"of the venue).")
                self._emit("insurance_cover", text, [r], symbol=r.symbol)
            else:
                self._emit("collateral_sale", "Collateral is sold to cover the balance.", [r])
        return i

    def _bankruptcy(self, e, side, entry):
        """The price at which the account (or the isolated position) is exactly at zero, with
        the other positions at their marks."""
        symbol, size = e["symbol"], e["size"]
        if e["margin_mode"] == "isolated":
            wallet, others = self.isolated.get(symbol, 0.0), 0.0
        else:
            wallet = self.cross
            others = _upnl({s: v for s, v in self.held.items() if s != symbol
                            and self.trader.margin_mode(s) == "cross"}, self.marks)
        bp = formulas.bankruptcy_price(side, size, entry, wallet, other_unrealized_pnl=others)
        self.bankruptcy[symbol] = bp

    def _close_text(self, e, rows):
        rules, symbol, kind = self.rules, e["symbol"], e["type"]
        base = self.trader.contract(symbol).base
        fee = -sum(r.amount for r in rows if r.type == "liquidation_fee")
        to_fund = sum(a for k, a, kind in self.fund.log if kind == "receive" and rows
                      and rows[0].Index <= k <= rows[-1].Index)
        where = ("into the insurance fund" if to_fund > 0 else "kept by the venue")
        covered = -sum(a for k, a, kind in self.fund.log if kind != "receive" and rows
                       and rows[0].Index <= k <= rows[-1].Index)
        cover = (f"; the position's margin went below zero, the insurance fund covers "
                 f"{self._money(covered)}" if covered > DUST else "")
        what = (f"{e['size']:,.4g} {base} ({self._money(e['size'] * e['price'])[:-5]} "
                f"{self.trader.settle}) at the mark {fmt_price(e['price'])}")
        pnl = f"realized PnL {e['realized_pnl']:+,.2f}"
        if kind == "partial_liquidation":
            left = self.held[symbol][1]
            return (f"{short_name(rules)} cuts the {symbol} {e['side']} by {what}, leaving "
                    f"{left:,.4g} {base}; {pnl}, fee {self._money(fee)} {where}.")
        if kind == "backstop":
            return (f"Equity is below 2/3 of the maintenance margin: {short_name(rules)} hands "
                    f"the {symbol} {e['side']}, {what}, to its backstop vault; {pnl}{cover}.")
        if kind == "liquidation":
            bp = self.bankruptcy.get(symbol)
            at = "" if bp is None else f" (bankruptcy price {fmt_price(bp)})"
            extra = (f"; fee {self._money(fee)} {where}" if fee else "")
            return (f"{short_name(rules)} closes the {symbol} {e['side']}: {what}{at}; "
                    f"{pnl}{extra}{cover}.")
        return f"{kind.replace('_', ' ')} on {symbol}: {what}; {pnl}."

    def _share_text(self, rows, backstop):
        taken = -sum(r.amount for r in rows)
        left = self.cross + sum(self.isolated.values())
        if abs(left) <= DUST:
            return (f"Nothing is left: the loss and the fees took the whole margin, so the "
                    f"venue takes nothing more and the trader keeps {self._money(0)}.")
        if left < 0:
            return (f"Nothing is left: the account is {self._money(-left)} below zero, so the "
                    f"venue takes nothing and the deficit must be covered.")
        if backstop:
            rule = "the backstop vault keeps everything that is left"
        elif self.rules.surplus == "all":
            rule = f"{short_name(self.rules)} keeps everything that is left"
        else:
            rule = (f"the venue takes its liquidation fee "
                    f"({self.rules.liquidation_fee_rate * 100:.3g} % of what it closed), up to "
                    f"what is left")
        return (f"What is left, {self._money(left)}: {rule}, {self._money(taken)}; the trader "
                f"keeps {self._money(left - taken)}.")


def short_name(rules):
    """A venue's name in a sentence: the first word of its title (``"Binance"`` for
    Binance USDⓈ-M, whose Ⓢ many fonts lack)."""
    return get_venue(rules).title.split()[0]


# -- the lesson's exercises and comparisons ------------------------------------------------------
@dataclass(frozen=True)
class FeeLeft:
    """:func:`left_after_fee`: the notional opened, the mark that liquidates it (just past the
    liquidation price), the equity there (the maintenance margin; on OKX plus the fee to
    close), the liquidation fees charged, what the trader keeps, what the fund got."""

    venue: str
    notional: float
    price: float
    equity_at_liquidation: float
    maintenance_margin: float
    fees: float
    left: float
    fund: float


def left_after_fee(notional, *, venue="binance", symbol="BTCUSDT", leverage=20,
                   side="long"):
    """What is left of a ``notional`` position (USDT) for the trader after the venue's
    liquidation, when the mark reaches its liquidation price: a cross account holding just
    the margin (notional / leverage) and the opening fee, opened at the course's start price
    (:data:`crossmargin.scenarios.START_PRICES`) and marked just past the liquidation price
    (:data:`JUST_PAST`). The engine runs the venue's procedure; ``fees`` are its
    liquidation fees (cuts and close), ``left`` the trader's equity after it.

    >>> left_after_fee(100_000).left       # 1.25 % fee > what is left at 100 %
    0.0
    """
    rules = get_venue(venue)
    notional = positive(notional, "notional")
    leverage = positive(leverage, "leverage")
    side_sign(side)
    probe = Account(venue=rules.name)
    spec = probe.contract(symbol)
    price = START_PRICES.get(symbol, 100.0)
    deposit = notional / leverage + notional * spec.taker_fee
    case = Case(f"{notional:,.0f} {symbol} {side}", "left_after_fee", deposit,
                (Order(symbol, side, notional=notional, leverage=leverage),),
                {symbol: price}, symbol)
    walk = walk_through(rules.name, case, insurance_fund=math.inf)
    mark = walk.prices[0][symbol]
    size = notional / price
    mm = formulas.maintenance_margin(size, mark, spec.brackets)
    fees = -float(walk.ledger.loc[walk.ledger.type == "liquidation_fee", "amount"].sum())
    return FeeLeft(rules.name, notional, mark, walk.equity_at_liquidation, float(mm), fees,
                   walk.kept, walk.fund)


@dataclass(frozen=True)
class HedgeDeleveraged:
    """:func:`hedge_leg_deleveraged`: the walk-through of the bankrupt long, and the
    hedger's positions before and after (symbol, side, contracts, unrealized PnL)."""

    walk: Walkthrough
    before: pd.DataFrame
    after: pd.DataFrame


def _book(account):
    table = account.positions()[["side", "contracts", "unrealized_pnl"]]
    return table.astype({"contracts": float, "unrealized_pnl": float})


def hedge_leg_deleveraged(venue="binance", *, btc_move=-0.17, eth_move=-0.12):
    """Auto-deleveraging of a hedge: a bankrupt BTC long in a market whose insurance fund is
    empty; a "hedger" holds a BTC short (profitable as BTC falls) against an ETH long (losing:
    ETH falls too), "calm short" a BTC short at 2x. BTC gaps by ``btc_move`` (past the long's
    bankruptcy price), ETH by ``eth_move``. ADL closes the best-ranked opposite short at the
    bankruptcy price: the hedger's profitable leg, while its losing ETH long stays open."""
    btc = 60_000.0 * (1 + finite(btc_move, "btc_move"))
    eth = 3_000.0 * (1 + finite(eth_move, "eth_move"))
    if not (0 < btc < 60_000 and 0 < eth):
        raise InvalidInput(f"btc_move must be between -1 and 0 and eth_move above -1 (got "
                           f"{btc_move!r}, {eth_move!r})")
    crowd = {"hedger": (5_000.0, (Order("BTCUSDT", "short", size=0.6, leverage=20),
                                  Order("ETHUSDT", "long", size=12, leverage=20))),
             "calm short": (80_000.0, (Order("BTCUSDT", "short", size=2, leverage=2),))}
    case = Case("bankrupt BTC long", "the small BTC long, BTC and ETH gap down", 10_000.0,
                _BTC_LONG, {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0}, "BTCUSDT")
    rules = get_venue(venue)
    # the hedger's book before: open the same crowd at the start prices, alone
    hedger = Account(venue=rules.name)
    _open(hedger, *crowd["hedger"], case.start)
    hedger.mark({"BTCUSDT": btc, "ETHUSDT": eth})
    before = _book(hedger)
    walk = walk_through(rules.name, case, prices={"BTCUSDT": btc, "ETHUSDT": eth},
                 insurance_fund=0.0, crowd=crowd)
    return HedgeDeleveraged(walk, before, _book(walk.accounts["hedger"]))


#: The comparison of :func:`fee_against_maintenance`: (venue, case).
FEE_CASES = (("binance", "small BTC long"), ("bybit", "small BTC long"),
             ("okx", "small BTC long"), ("hyperliquid", "small BTC long"),
             ("binance", "large SOL long"))


def fee_against_maintenance(cases=FEE_CASES):
    """Why every small cross liquidation on Binance ended at zero: one row per (venue, case)
    liquidated just past its liquidation price. Columns: the notional and maintenance margin
    at the mark, its rate, the venue's clearance fee rate, the equity when the liquidation
    starts, what the venue's procedure did (``cut`` / ``closed``), the fees charged, what the
    trader kept, whether a position survived, and what the fund got.

    A cut helps only when the maintenance rate of what is cut is above the fee: then the
    cut frees more requirement than it costs. With a fee above the maintenance margin
    (1.25 % against 0.4 %), the close takes all that is left."""
    rows = []
    for name, case_name in non_empty_list(cases, "cases", "[('binance', 'small BTC long')]"):
        rules, case = get_venue(name), _case(case_name)
        walk = walk_through(rules.name, case, insurance_fund=math.inf)
        account = Account(venue=rules.name)
        spec = account.contract(case.trigger)
        _, size = walk.events[0].open_positions[case.trigger]
        mark = walk.prices[0][case.trigger]
        mm = float(formulas.maintenance_margin(size, mark, spec.brackets))
        kinds = [e.kind for e in walk.events]
        fees = -float(walk.ledger.loc[walk.ledger.type == "liquidation_fee", "amount"].sum())
        rows.append({"venue": rules.name, "case": case.name, "notional": size * mark,
                     "maintenance_margin": mm, "maintenance_rate": mm / (size * mark),
                     "clearance_fee_rate": spec.liquidation_fee_rate,
                     "equity_at_liquidation": walk.equity_at_liquidation,
                     "cuts": kinds.count("partial_liquidation"),
                     "closed": any(k in ("liquidation", "backstop") for k in kinds),
                     "fees": fees, "kept": walk.kept, "survived": walk.survived,
                     "fund": walk.fund})
    return pd.DataFrame(rows).set_index(["venue", "case"])

