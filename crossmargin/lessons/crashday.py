"""Lesson 13 · A reconstructed crash day: the course's accounts replayed on 2025-10-10.

The day is :func:`crossmargin.scenarios.crash_2025_10_10`: a **reconstruction** built from the
published facts (:data:`~crossmargin.scenarios.CRASH_2025_10_10_FACTS`), not exchange data.
Every figure and table of the lesson says so (:data:`DAY_LABEL`). On it, this module replays:

* the guide's example (lesson 08, :mod:`crossmargin.lessons.examples`) isolated and cross at a
  few leverages: :func:`guide_example`;
* FAQ 2's beginner accounts (lesson 11: one BTC long with 2,000 or 9,000 USDT of margin in a
  10,000 USDT account) at 2x to 10x: :func:`faq2_accounts`, :func:`lowest_liquidating_leverage`;
* any capstone portfolio (lesson 14: its model solution and ``RECKLESS_PAIR``), judged by the
  capstone's own deposit and loss limit: :func:`on_the_day` (:func:`on_the_day_text` for a
  learner's portfolio, which may still be the placeholder);
* a **collateral-valuation** case: the same Multi-Assets account (SOL as collateral, a BTC long)
  with its SOL valued at the index or from one venue's own order book, where it wicks:
  :func:`own_book_price`, :func:`collateral_case`, :func:`collateral_accounts`;
* **auto-deleveraging of a hedge leg**: a bankrupt dip buyer, an empty insurance fund and a
  hedger whose profitable leg is closed: :func:`hedge_leg_on_the_day`.

Every rule is the engine's (:class:`~crossmargin.Account`, :class:`~crossmargin.Market`,
:func:`~crossmargin.replay`); this module sets the accounts up, marks them minute by minute and
reads what happened.
"""
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import scenarios
from .._validate import finite, non_empty_list, positive
from ..engine.account import CLOSING_LIQUIDATIONS, LIQUIDATION_EVENTS, Account
from ..engine.contracts import COLLATERAL_VALUE_RATIOS
from ..engine.market import Market
from ..errors import InvalidInput
from ..simulation.replay import Order, compare_modes, replay
from . import capstone, examples

__all__ = ["DAY_LABEL", "day", "facts", "at", "guide_example", "FAQ2_MARGINS",
           "FAQ2_LEVERAGES", "faq2_plan", "faq2_accounts", "lowest_liquidating_leverage",
           "DayResult", "on_the_day", "on_the_day_text", "WICK", "own_book_price", "CollateralAccount",
           "COLLATERAL_ACCOUNT", "CollateralRun", "collateral_case", "collateral_accounts",
           "HEDGER", "DIP_BUYER", "CALM_SHORT", "DeleveragedHedge", "hedge_leg_on_the_day"]

#: What every figure title and table of the lesson says about the day.
DAY_LABEL = "2025-10-10, a reconstruction, not exchange data"


def day(seed=10):
    """The reconstructed day (:func:`~crossmargin.scenarios.crash_2025_10_10`, BTC, ETH and SOL
    mark prices a minute apart from 12:00 UTC); ``seed`` moves only the small noise between
    the published keyframes."""
    return scenarios.crash_2025_10_10(seed=seed)


def facts():
    """The published facts the day is built from: topic, fact, source and how the path uses
    it (empty: context the lesson replays apart, not in the prices). Amounts in the facts are
    written ``USD 9.9B`` (a notebook reads text between two ``$`` signs as mathematics)."""
    table = pd.DataFrame(scenarios.CRASH_2025_10_10_FACTS).set_index("topic")
    table["fact"] = table["fact"].str.replace(r"\$(?=\d)", "USD ", regex=True)
    return table.rename(columns={"in_path": "in the reconstruction"})


def at(prices, clock):
    """The row of ``prices`` at ``clock`` (``"21:20"``, UTC, on the day's date; the next
    day's ``"03:00"`` is found after midnight), as a timestamp of its index."""
    _check_day(prices)
    start = prices.index[0]
    try:
        when = pd.Timestamp(f"{start:%Y-%m-%d} {clock}", tz="UTC")
    except (TypeError, ValueError):
        raise InvalidInput(f"clock must be a time of day like '21:20' (got {clock!r})") from None
    if when < start:
        when += pd.Timedelta(days=1)
    if when not in prices.index:
        raise InvalidInput(f"clock must be a minute of the path, {start:%H:%M} UTC to "
                           f"{prices.index[-1]:%H:%M} UTC the next day (got {clock!r})")
    return when


def _check_day(prices, symbols=()):
    if not isinstance(prices, pd.DataFrame) or not isinstance(prices.index, pd.DatetimeIndex):
        raise InvalidInput(f"prices must be the reconstructed day, a DataFrame with a time index "
                           f"(crashday.day()) (got {type(prices).__name__})")
    missing = [s for s in symbols if s not in prices.columns]
    if missing:
        raise InvalidInput(f"prices must have a column for {', '.join(missing)} (got "
                           f"{', '.join(map(str, prices.columns))})")
    return prices


def _leverages(leverages):
    levels = non_empty_list(leverages, "leverages", "(2, 3, 5, 10)")
    for lev in levels:
        if positive(lev, "leverage") < 1:
            raise InvalidInput(f"leverage must be >= 1 (got {lev!r})")
    return levels


def _clock(time):
    return "--" if time is None or pd.isna(time) else f"{time:%H:%M}"


def _mode_rows(runs, label):
    """One row per margin mode of ``runs``: liquidated symbols, the first liquidation's time
    (UTC), the lowest and the final equity."""
    rows = {}
    for mode in ("isolated", "cross"):
        run = runs[mode]
        gone = run.liquidations()
        equity = run.timeline[("account", "equity")]
        rows[(label, mode)] = {
            "liquidated": ", ".join(dict.fromkeys(gone["symbol"])) or "nothing",
            "at (UTC)": _clock(gone["time"].iloc[0] if len(gone) else None),
            "lowest_equity": float(equity.min()), "final_equity": float(equity.iloc[-1])}
    return rows


# --------------------------------------------------------------------------- the guide's example


def guide_example(prices=None, leverages=(2, 3, 5, 6, 10)):
    """The guide's 10,000 USDT account (a BTC long and an ETH short, 4,900 USDT of margin each,
    lesson 08) replayed on the day, isolated and cross, at each of ``leverages``.

    Returns ``(table, runs)``: ``table`` indexed by (leverage ``"6x"``, mode) with
    ``liquidated`` (symbols, or ``"nothing"``), ``at (UTC)``, ``lowest_equity`` and
    ``final_equity``; ``runs[leverage][mode]`` the :class:`~crossmargin.simulation.replay.Replay` s
    (for :class:`~crossmargin.widgets.ModeTimelines`)."""
    prices = _check_day(day() if prices is None else prices, ("BTCUSDT", "ETHUSDT"))
    _, runs = examples.compare_leverages(prices[["BTCUSDT", "ETHUSDT"]], _leverages(leverages))
    rows = {}
    for lev, modes in runs.items():
        rows.update(_mode_rows(modes, f"{lev:g}x"))
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["leverage", "mode"]
    return table, runs


# --------------------------------------------------------------------------- FAQ 2

#: FAQ 2's accounts (lesson 11): one BTC long with this much margin in 10,000 USDT.
FAQ2_MARGINS = (2_000, 9_000)
#: The leverages the lesson replays: FAQ 2's 2x and 3x, then 5x and 10x.
FAQ2_LEVERAGES = (2, 3, 5, 10)
FAQ2_DEPOSIT = 10_000.0


def faq2_plan(leverage, margin):
    """FAQ 2's account as a plan: one BTC long with ``margin`` USDT at ``leverage`` (the margin
    mode is left to the replay)."""
    return [Order("BTCUSDT", "long", margin=positive(margin, "margin"),
                  leverage=_leverages([leverage])[0])]


def faq2_accounts(prices=None, leverages=FAQ2_LEVERAGES, margins=FAQ2_MARGINS):
    """FAQ 2's beginner accounts on the day: for each margin and leverage, the BTC long in a
    10,000 USDT account, isolated and cross. Returns a table indexed by (account, mode) with
    ``liquidated``, ``at (UTC)``, ``lowest_equity`` and ``final_equity``."""
    prices = _check_day(day() if prices is None else prices, ("BTCUSDT",))
    rows = {}
    for margin in non_empty_list(margins, "margins", "(2_000, 9_000)"):
        for lev in _leverages(leverages):
            _, runs = compare_modes(prices[["BTCUSDT"]], faq2_plan(lev, margin),
                                    deposit=FAQ2_DEPOSIT, liquidation_prices=False)
            rows.update(_mode_rows(runs, f"{lev:g}x, {margin:,.0f} USDT"))
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["account", "mode"]
    return table


def lowest_liquidating_leverage(prices=None, *, margin=9_000, mode="cross",
                                leverages=range(1, 21)):
    """The lowest of ``leverages`` (whole numbers, in order) at which FAQ 2's BTC long with
    ``margin`` USDT, in ``mode``, is liquidated on the day; None if none is."""
    prices = _check_day(day() if prices is None else prices, ("BTCUSDT",))
    for lev in _leverages(list(leverages)):
        run = replay(prices[["BTCUSDT"]], faq2_plan(lev, margin), deposit=FAQ2_DEPOSIT,
                     margin_mode=mode, liquidation_prices=False)
        if len(run.liquidations()):
            return lev
    return None


# --------------------------------------------------------------------------- capstone portfolios


@dataclass(frozen=True)
class DayResult:
    """A capstone portfolio on the day (:func:`on_the_day`): whether a position was
    ``liquidated``, the ``lowest_equity`` and when (``lowest_at``), ``worst_loss`` (``1 -
    lowest_equity / deposit``), whether it stays ``within_loss_limit`` (the capstone's 20 %),
    the ``final_equity``, and ``events`` (liquidations and stops: time, type, symbol, side,
    price, realized PnL)."""

    liquidated: bool
    lowest_equity: float
    lowest_at: pd.Timestamp
    worst_loss: float
    within_loss_limit: bool
    final_equity: float
    events: pd.DataFrame = field(repr=False)
    replay: object = field(repr=False)

    def sentence(self):
        """The result in one sentence."""
        what = "liquidated" if self.liquidated else "not liquidated"
        exits = "; ".join(f"{e.type.replace('_', ' ')} of the {e.symbol[:-4]} {e.side} at "
                          f"{e.time:%H:%M} UTC ({e.price:,.2f})"
                          for e in self.events.itertuples())
        limit = "within" if self.within_loss_limit else "beyond"
        return (f"On the reconstructed day: {what}{'; ' + exits if exits else ''}. Worst loss "
                f"{self.worst_loss * 100:.1f} % of the deposit at {self.lowest_at:%H:%M} UTC "
                f"({limit} the capstone's {capstone.MAX_STRESS_LOSS * 100:.0f} % limit); final "
                f"equity {self.final_equity:,.2f} USDT.")


def on_the_day(portfolio, prices=None):
    """A capstone portfolio (a list of :class:`~crossmargin.Order`, lesson 14's rules) replayed
    on the day from the capstone's 10,000 USDT deposit: a :class:`DayResult`. A portfolio that
    breaks the capstone's rules raises InvalidInput listing them."""
    prices = _check_day(day() if prices is None else prices, scenarios.SYMBOLS)
    problems = capstone.validate(portfolio, prices)
    if problems:
        raise InvalidInput("portfolio breaks the capstone's rules: "
                           + "; ".join(str(v) for v in problems))
    orders = [portfolio] if isinstance(portfolio, Order) else list(portfolio)
    run = replay(prices, orders, deposit=capstone.DEPOSIT, liquidation_prices=False)
    equity = run.timeline[("account", "equity")]
    kinds = run.events["type"].isin([*CLOSING_LIQUIDATIONS, "stop_loss"])
    events = run.events.loc[kinds, ["time", "type", "symbol", "side", "price", "realized_pnl"]]
    worst = 1 - float(equity.min()) / capstone.DEPOSIT
    return DayResult(bool(len(run.liquidations())), float(equity.min()), equity.idxmin(), worst,
                     worst <= capstone.MAX_STRESS_LOSS + 1e-12, float(equity.iloc[-1]),
                     events.reset_index(drop=True), run)


def on_the_day_text(portfolio, prices=None):
    """:func:`on_the_day`'s sentence for a learner's portfolio; never raises on the portfolio:
    the placeholder ``...`` or a portfolio that breaks the capstone's rules gets a sentence
    that says what to do instead."""
    if portfolio is Ellipsis:
        return "Not replayed yet: build your portfolio in exercise 14.1 (replace ... with it)."
    try:
        return on_the_day(portfolio, prices).sentence()
    except InvalidInput as err:
        if "portfolio breaks" not in str(err):
            raise
        return f"Not replayed: the {err}. Fix it in exercise 14.1 first."


# --------------------------------------------------------------------------- collateral valuation

#: The collateral's wick on one venue's own order book (illustrative): its price there falls
#: ``depth`` below the index from ``start`` to ``low`` (UTC) and is back at the index at
#: ``end``. 35 %: USDe printed about 0.65 on Binance's book that night; the minutes: the
#: cascade's low, 21:20 UTC, in the middle of a wick that lasts minutes.
WICK = dict(depth=0.35, start="21:17", low="21:20", end="21:25")


def own_book_price(prices=None, symbol="SOLUSDT", *, depth=WICK["depth"], start=WICK["start"],
                   low=WICK["low"], end=WICK["end"]):
    """The collateral's price on one venue's own order book (illustrative, not exchange data):
    the index (``prices[symbol]``, the price across venues) times ``1 - discount``, where the
    discount rises in a straight line from 0 at ``start`` to ``depth`` at ``low`` and falls
    back to 0 at ``end`` (UTC clock times). A Series on the day's index."""
    prices = _check_day(day() if prices is None else prices, (symbol,))
    depth = finite(depth, "depth")
    if not 0 <= depth < 1:
        raise InvalidInput(f"depth must be a fraction from 0 to below 1, e.g. 0.35 for a price "
                           f"35 % below the index (got {depth!r})")
    times = [at(prices, clock) for clock in (start, low, end)]
    if not times[0] < times[1] < times[2]:
        raise InvalidInput(f"start, low and end must come in that order (got {start!r}, "
                           f"{low!r}, {end!r})")
    minutes = (prices.index - prices.index[0]) / pd.Timedelta("1min")
    keys = [(t - prices.index[0]) / pd.Timedelta("1min") for t in times]
    discount = np.interp(np.asarray(minutes, dtype=float), keys, [0.0, depth, 0.0],
                         left=0.0, right=0.0)
    book = prices[symbol] * (1 - discount)
    book.name = f"{symbol} on the venue's own book"
    return book


@dataclass(frozen=True)
class CollateralAccount:
    """A Multi-Assets cross account (Binance rules): ``collateral`` units of ``asset`` (and
    ``usdt``) deposited at 12:00, and a BTC long of ``notional`` USDT at ``leverage``."""

    collateral: float = 100.0
    usdt: float = 0.0
    notional: float = 60_000.0
    leverage: float = 5.0
    asset: str = "SOL"

    def __post_init__(self):
        if self.asset not in COLLATERAL_VALUE_RATIOS or self.asset == "USDT":
            assets = [a for a in COLLATERAL_VALUE_RATIOS if a != "USDT"]
            raise InvalidInput(f"asset must be one of {', '.join(assets)} (got {self.asset!r})")
        if finite(self.collateral, "collateral") < 0 or finite(self.usdt, "usdt") < 0:
            raise InvalidInput(f"collateral and usdt must be >= 0 (got {self.collateral!r}, "
                               f"{self.usdt!r})")
        if self.collateral == 0 and self.usdt == 0:
            raise InvalidInput("the account needs collateral or usdt > 0 (got neither)")
        positive(self.notional, "notional")
        if positive(self.leverage, "leverage") < 1:
            raise InvalidInput(f"leverage must be >= 1 (got {self.leverage!r})")

    @property
    def value_ratio(self):
        """The share of the collateral's price that counts as margin (Multi-Assets mode)."""
        return COLLATERAL_VALUE_RATIOS[self.asset]


#: The lesson's account: 100 SOL (22,200 USDT at 12:00, counted at 90 %) behind a 60,000 USDT
#: BTC long at 5x.
COLLATERAL_ACCOUNT = CollateralAccount()


@dataclass(frozen=True)
class CollateralRun:
    """One :func:`collateral_case` run: ``timeline`` (per minute: BTC's mark, the collateral's
    price used, the collateral's value, equity, maintenance margin, margin ratio, NaN once no
    position is open), the
    ``events``, the ``account`` at the end and when it was ``liquidated_at`` (None: never)."""

    valuation: str
    timeline: pd.DataFrame
    events: pd.DataFrame
    account: Account = field(repr=False)
    liquidated_at: pd.Timestamp | None

    @property
    def liquidated(self):
        return self.liquidated_at is not None

    @property
    def final_equity(self):
        return float(self.timeline["equity"].iloc[-1])


VALUATIONS = ("index", "own book")


def collateral_case(account=COLLATERAL_ACCOUNT, valuation="own book", prices=None,
                    book=None):
    """Replay a :class:`CollateralAccount` on the day, its collateral valued at the index
    (``valuation="index"``: the price across venues, the day's SOL path) or from one venue's
    own order book (``"own book"``: ``book``, default :func:`own_book_price`). The positions
    are marked at the day's prices either way; only the collateral's price differs
    (``Account.mark(..., index={asset: price})``). Returns a :class:`CollateralRun`."""
    if not isinstance(account, CollateralAccount):
        raise InvalidInput(f"account must be a CollateralAccount (got {account!r})")
    if valuation not in VALUATIONS:
        raise InvalidInput(f"valuation must be 'index' or 'own book' (got {valuation!r})")
    symbol = f"{account.asset}USDT"
    prices = _check_day(day() if prices is None else prices, ("BTCUSDT", symbol))
    if valuation == "index":
        valued = prices[symbol]
    else:
        valued = own_book_price(prices, symbol) if book is None else book
        if not isinstance(valued, pd.Series) or not valued.index.equals(prices.index):
            raise InvalidInput("book must be a Series of prices on the day's index "
                               "(crashday.own_book_price(prices))")
    btc, asset = prices["BTCUSDT"].to_numpy(float), valued.to_numpy(float)
    times = prices.index
    acc = Account()
    if account.usdt:
        acc.deposit(account.usdt)
    if account.collateral:
        acc.deposit(account.collateral, account.asset, price=asset[0])
    acc.mark({"BTCUSDT": btc[0]}, times[0], index={account.asset: asset[0]})
    acc.set_leverage("BTCUSDT", account.leverage)
    acc.open("BTCUSDT", "long", btc[0], notional=account.notional)
    rows, events, liquidated = [], [], None
    for i in range(len(prices)):
        if i:
            new = acc.mark({"BTCUSDT": btc[i]}, times[i], index={account.asset: asset[i]})
            events += new
            if liquidated is None and any(e["type"] in LIQUIDATION_EVENTS for e in new):
                liquidated = times[i]
        s = acc.summary()
        rows.append((btc[i], asset[i], s["collateral_value"], s["equity"],
                     s["cross_maintenance_margin"],
                     s["margin_ratio"] if acc.open_symbols else math.nan))
    timeline = pd.DataFrame(rows, index=times, columns=[
        "btc_mark", f"{account.asset.lower()}_price", "collateral_value", "equity",
        "maintenance_margin", "margin_ratio"])
    frame = pd.DataFrame(events, columns=["step", "time", "type", "symbol", "margin_mode",
                                          "side", "size", "price", "realized_pnl", "fee",
                                          "amount"])
    return CollateralRun(valuation, timeline, frame, acc, liquidated)


def collateral_accounts(account=COLLATERAL_ACCOUNT, prices=None):
    """:func:`collateral_case` both ways: ``{"index": run, "own book": run}``."""
    return {v: collateral_case(account, v, prices) for v in VALUATIONS}


# --------------------------------------------------------------------------- ADL of a hedge leg

#: The hedger: 10,000 USDT, a BTC long hedged by a SOL short of the same notional (the coins
#: fall together), both at 10x, opened at 12:00.
HEDGER = (10_000.0, (Order("BTCUSDT", "long", notional=30_000, leverage=10),
                     Order("SOLUSDT", "short", notional=30_000, leverage=10)))
#: A second short: 50,000 USDT, a SOL short of 30,000 USDT at 2x, opened at 12:00.
CALM_SHORT = (50_000.0, (Order("SOLUSDT", "short", notional=30_000, leverage=2),))
#: The bankrupt trader: buys SOL's dip at 21:10 UTC with 2,000 USDT at 20x (2,200 deposited).
DIP_BUYER = (2_200.0, (Order("SOLUSDT", "long", margin=2_000, leverage=20),), "21:10")


@dataclass(frozen=True)
class DeleveragedHedge:
    """:func:`hedge_leg_on_the_day`: ``time`` of the auto-deleveraging; ``events`` (account,
    time, type, symbol, side, size, price, mark, realized PnL) of the liquidations and the ADL
    closes; the hedger's positions at that minute's marks ``before`` (as they would stand if
    the fund had paid) and ``after``; ``shock``: what a further fall of every price by
    ``shock_size`` would cost the hedger, before and after; ``equity``: the hedger's equity per
    minute with ADL (``"ADL"``) and with a fund that pays (``"fund pays"``)."""

    time: pd.Timestamp
    events: pd.DataFrame
    before: pd.DataFrame
    after: pd.DataFrame
    shock_size: float
    shock: dict
    equity: pd.DataFrame

    def _closes(self, account="hedger"):
        return self.events[(self.events["account"] == account)
                           & (self.events["type"] == "adl")]

    @property
    def closed(self):
        """The hedger's legs that ADL closed, ``[(symbol, side)]`` (empty: none)."""
        mine = self._closes()
        return list(dict.fromkeys(zip(mine["symbol"], mine["side"])))

    @property
    def given_up(self):
        """What the hedger's ADL closes paid less than a close at the mark would have (USDT):
        ``size × (mark − price)`` for a long, ``size × (price − mark)`` for a short."""
        mine = self._closes()
        sign = np.where(mine["side"] == "long", 1.0, -1.0)
        return float((sign * mine["size"] * (mine["mark"] - mine["price"])).sum())


def _market(fund, venue):
    market = Market(insurance_fund=fund)
    return market, {n: market.add(Account(venue=venue), n)
                    for n in ("hedger", "calm short", "dip buyer")}


def _hedger(hedger):
    """``(deposit, orders)`` checked: a deposit > 0 and a non-empty list of Order."""
    try:
        deposit, orders = hedger
    except (TypeError, ValueError):
        raise InvalidInput(f"hedger must be (deposit, orders), like crashday.HEDGER "
                           f"(got {hedger!r})") from None
    orders = non_empty_list(orders, "hedger orders", of="Order", one="Order")
    for n, order in enumerate(orders):
        if not isinstance(order, Order):
            raise InvalidInput(f"hedger orders item {n} must be an Order (got {order!r})")
        order.check(f"hedger orders item {n}")
    return positive(deposit, "hedger deposit"), tuple(orders)


def _positions(account):
    table = account.positions()[["side", "contracts", "entry_price", "mark_price",
                                 "unrealized_pnl"]]
    return table.astype({"contracts": float, "entry_price": float, "mark_price": float,
                         "unrealized_pnl": float})


def _shocked(account, prices, size):
    """What a fall of every price by ``size`` costs ``account`` (a copy is marked there)."""
    probe = account.copy()
    before = probe.snapshot().equity
    probe.mark({s: p * (1 - size) for s, p in prices.items() if s in probe.contracts})
    return float(before - probe.snapshot().equity)


def hedge_leg_on_the_day(prices=None, *, hedger=HEDGER, venue="binance", shock_size=0.10):
    """Auto-deleveraging on the day. Three accounts share one :class:`~crossmargin.Market`
    whose insurance fund is **empty** (assumed): ``hedger`` (``(deposit, orders)``, default
    :data:`HEDGER`) and :data:`CALM_SHORT` open at 12:00, :data:`DIP_BUYER` at 21:10 UTC. SOL
    falls about 2 % a minute in the cascade, so the dip buyer's mark jumps past its bankruptcy
    price; the fund cannot pay the deficit, and the engine closes opposite (short) SOL
    positions at that bankruptcy price, best ADL score first. The same day is replayed with
    a fund that pays, for the hedger's ``before`` and its equity without ADL. Returns a
    :class:`DeleveragedHedge` read at the minute of the first ADL close."""
    prices = _check_day(day() if prices is None else prices, scenarios.SYMBOLS)
    hedger = _hedger(hedger)
    shock_size = finite(shock_size, "shock_size")
    if not 0 < shock_size < 1:
        raise InvalidInput(f"shock_size must be a fraction between 0 and 1, e.g. 0.1 "
                           f"(got {shock_size!r})")
    worlds = {"ADL": _market(0.0, venue), "fund pays": _market(math.inf, venue)}
    opens = {"hedger": (0, hedger), "calm short": (0, CALM_SHORT),
             "dip buyer": (prices.index.get_loc(at(prices, DIP_BUYER[2])), DIP_BUYER[:2])}
    rows, equity, found = [], {w: [] for w in worlds}, None
    for i, (time, row) in enumerate(prices.iterrows()):
        marks = row.to_dict()
        for world, (market, accounts) in worlds.items():
            for name, event in market.mark(marks, time):
                if world == "ADL" and event["type"] in (*LIQUIDATION_EVENTS, "adl"):
                    rows.append({"account": name, "time": time, "type": event["type"],
                                 "symbol": event["symbol"], "side": event["side"],
                                 "size": event["size"], "price": event["price"],
                                 "mark": marks[event["symbol"]],
                                 "realized_pnl": event["realized_pnl"]})
            for name, (step, (deposit, orders)) in opens.items():
                if i == step:
                    accounts[name].deposit(deposit)
                    for order in orders:
                        order.place(accounts[name], marks[order.symbol])
            equity[world].append(accounts["hedger"].snapshot().equity)
        if found is None and any(r["type"] == "adl" for r in rows):
            found = (time, marks, {w: worlds[w][1]["hedger"].copy() for w in worlds})
    if found is None:
        raise InvalidInput("these prices auto-deleverage nobody: the dip buyer's liquidation "
                           "left no deficit")
    when, marks, copies = found
    return DeleveragedHedge(
        when, pd.DataFrame(rows), _positions(copies["fund pays"]), _positions(copies["ADL"]),
        shock_size, {"before": _shocked(copies["fund pays"], marks, shock_size),
                     "after": _shocked(copies["ADL"], marks, shock_size)},
        pd.DataFrame(equity, index=prices.index))
