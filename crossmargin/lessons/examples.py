"""The course's named example accounts and plans, built the same way in lessons and tests.

The fixed example portfolios are JSON files in ``crossmargin/data/portfolios/``; your own go in
the ``portfolios/`` folder of a ``CROSSMARGIN_DATA_PATH`` entry (see
:mod:`crossmargin.datafiles`; format in notebooks/adapting-lessons.md).
:func:`load_portfolio` reads one into a :class:`Portfolio`, which opens an
:class:`~crossmargin.Account` (:meth:`Portfolio.open_account`) or gives orders for
:func:`~crossmargin.replay` (:meth:`Portfolio.orders`); :func:`list_portfolios` lists them.

- The **guide's example** (lesson 08, ``guide-example.json``): a 10,000 USDT account with a BTC
  long and an ETH short. The guide gives each 5,000 USDT of margin, which does not fit once the
  taker fee is paid, so the course uses 4,900 USDT each: :func:`example_legs` (for
  :mod:`crossmargin.simulation.shocks`), :func:`open_example` (an :class:`~crossmargin.Account`),
  :func:`example_plan` (orders for :func:`~crossmargin.replay`), :func:`run_example` and
  :func:`compare_leverages` (both margin modes over a price path).
- **Binance's worked cross-margin example** (lesson 05, ``binance-worked-example.json``): two
  longs on a 1,535,443.01 USDT wallet with the 2021 bracket tables and no fee, so the
  margin ratio (41.49 %) and the liquidation prices are the published ones:
  :func:`binance_example`.
- A **single BTC long** (lessons 05 and 07): :func:`btc_long`.
- Lesson 07's **cross pair** (``big-btc-long-small-eth-short.json``), a large BTC long and a
  small ETH short, with or without a stop on the long: :func:`big_btc_long_small_eth_short`.
"""
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import datafiles
from .._validate import (check_margin_mode, finite, non_empty_list, non_negative, positive,
                         side_sign)
from ..engine.contracts import contract
from ..errors import CrossMarginError, InvalidInput
from ..simulation.shocks import Leg
from ..simulation.replay import Order, compare_modes, open_orders

__all__ = [
    "Portfolio", "load_portfolio", "list_portfolios",
    "GUIDE_DEPOSIT", "GUIDE_MARGIN", "GUIDE_ENTRY_PRICES", "GUIDE_SIDES", "example_legs",
    "open_example", "example_plan", "run_example", "compare_leverages",
    "BINANCE_WALLET", "BINANCE_ENTRY_PRICES", "BINANCE_SIZES", "BINANCE_MARKS",
    "BINANCE_LEVERAGE", "binance_example", "btc_long", "big_btc_long_small_eth_short",
]

# -- example portfolios (JSON files) ------------------------------------------------------------
PORTFOLIO_FIELDS = ("description", "source", "deposit", "positions", "mark_prices", "contracts")
POSITION_FIELDS = ("symbol", "side", "entry_price", "size", "margin", "notional", "leverage",
                   "margin_mode")
CONTRACT_FIELDS = ("brackets", "taker_fee")
AMOUNTS = ("size", "margin", "notional")


@dataclass(frozen=True)
class Portfolio:
    """An example account as its JSON file describes it.

    ``positions`` is a tuple of dicts, one per position, with ``symbol``, ``side``,
    ``entry_price``, ``size`` (base units), ``margin`` and ``notional`` (USDT; exactly one of the
    three is set, the others are None), ``leverage`` and ``margin_mode`` (None: left to the
    account or the replay, cross by default). ``mark_prices`` (``{symbol: price}``, may be
    empty) are marked after the positions open; ``contracts`` (``{symbol: {"brackets": table,
    "taker_fee": fraction}}``) change the default contract specs.
    """

    name: str
    description: str
    deposit: float
    positions: tuple
    mark_prices: dict = field(default_factory=dict)
    contracts: dict = field(default_factory=dict)
    source: str = ""
    file: str = ""

    @property
    def symbols(self):
        """The symbols the portfolio trades, in the order of its positions."""
        return list(dict.fromkeys(p["symbol"] for p in self.positions))

    def _amount(self, position, margin):
        if margin is not None:
            return {"margin": margin}
        return {k: position[k] for k in AMOUNTS if position[k] is not None}

    def open_account(self, *, leverage=None, margin=None, margin_mode=None, marked=True):
        """A new :class:`~crossmargin.Account` trading the portfolio's symbols: deposit, then
        each position opened at its entry price, then (``marked``) marked at ``mark_prices``.

        ``leverage``, ``margin`` (USDT per position) and ``margin_mode`` replace those of every
        position. Raises as the account does when a position does not fit.
        """
        specs = []
        for symbol in self.symbols:
            changes = self.contracts.get(symbol, {})
            spec = contract(symbol, brackets=changes.get("brackets"))
            specs.append(spec.with_(taker_fee=changes["taker_fee"]) if "taker_fee" in changes
                         else spec)
        account = open_orders(self.orders(leverage=leverage, margin=margin),
                              [p["entry_price"] for p in self.positions], deposit=self.deposit,
                              contracts=specs, margin_mode=margin_mode)
        if marked and self.mark_prices:
            account.mark(self.mark_prices)
        return account

    def orders(self, *, leverage=None, margin=None):
        """The positions as :class:`~crossmargin.Order` s for :func:`~crossmargin.replay`,
        placed at the path's first prices (the entry prices are not used)."""
        return [Order(p["symbol"], p["side"], **self._amount(p, margin),
                      leverage=p["leverage"] if leverage is None else leverage,
                      margin_mode=p["margin_mode"])
                for p in self.positions]


def _prices(value, field):
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} must be an object {{symbol: price}} (got {value!r})")
    return {s: datafiles.number(v, f"{field}.{s}", positive) for s, v in value.items()}


def _at_least_one(value, field):
    if positive(value, field) < 1:
        raise InvalidInput(f"{field} must be >= 1 (got {value!r})")


def _position(data, n):
    where = f"positions[{n}]"
    datafiles.check_fields(data, POSITION_FIELDS, ("symbol", "side", "entry_price", "leverage"),
                           where)
    given = [k for k in AMOUNTS if k in data]
    if len(given) != 1:
        raise InvalidInput(f"{where} must give exactly one of size, margin or notional "
                           f"(got {', '.join(given) or 'none'})")
    mode = data.get("margin_mode")
    if mode is not None:
        check_margin_mode(mode, f"{where}.margin_mode")
    side_sign(data["side"], f"{where}.side")
    position = dict(symbol=datafiles.text(data["symbol"], f"{where}.symbol"), side=data["side"],
                    entry_price=datafiles.number(data["entry_price"], f"{where}.entry_price",
                                                 positive),
                    size=None, margin=None, notional=None,
                    leverage=datafiles.number(data["leverage"], f"{where}.leverage",
                                              _at_least_one),
                    margin_mode=mode)
    position[given[0]] = datafiles.number(data[given[0]], f"{where}.{given[0]}", positive)
    return position


def _contract_changes(value):
    if not isinstance(value, dict):
        raise InvalidInput(f"contracts must be an object {{symbol: {{...}}}} (got {value!r})")
    out = {}
    for symbol, changes in value.items():
        where = f"contracts.{symbol}"
        datafiles.check_fields(changes, CONTRACT_FIELDS, where=where)
        out[symbol] = {}
        if "brackets" in changes:
            out[symbol]["brackets"] = datafiles.text(changes["brackets"], f"{where}.brackets")
        if "taker_fee" in changes:
            fee = datafiles.number(changes["taker_fee"], f"{where}.taker_fee", non_negative)
            if fee > 0.01:
                raise InvalidInput(f"{where}.taker_fee must be a fraction <= 0.01, e.g. 0.0005 "
                                   f"for 0.05 % (got {changes['taker_fee']!r})")
            out[symbol]["taker_fee"] = fee
    return out


def _parse_portfolio(path):
    """The :class:`Portfolio` in the JSON file ``path``, its fields checked."""
    data = datafiles.read_json(path)
    try:
        datafiles.check_fields(data, PORTFOLIO_FIELDS, ("description", "deposit", "positions"))
        positions = data["positions"]
        if not isinstance(positions, list) or not positions:
            raise InvalidInput(f"positions must be a non-empty list (got {positions!r})")
        return Portfolio(
            name=path.stem, description=datafiles.text(data["description"], "description"),
            deposit=datafiles.number(data["deposit"], "deposit", positive),
            positions=tuple(_position(p, n) for n, p in enumerate(positions)),
            mark_prices=_prices(data.get("mark_prices", {}), "mark_prices"),
            contracts=_contract_changes(data.get("contracts", {})),
            source=datafiles.text(data["source"], "source") if "source" in data else "",
            file=str(path))
    except CrossMarginError as err:
        raise InvalidInput(f"{path.name}: {err}") from None


def _read_portfolio(path):
    """:func:`_parse_portfolio`, then the account opened once as a test: every symbol and
    bracket table exists and every position fits."""
    portfolio = _parse_portfolio(path)
    try:
        portfolio.open_account()
    except CrossMarginError as err:
        raise InvalidInput(f"{path.name}: {err}") from None
    return portfolio


def load_portfolio(name_or_path, *, folder=None):
    """An example portfolio by name (its file stem: shipped in ``crossmargin/data/portfolios``,
    in the ``portfolios/`` folder of a ``CROSSMARGIN_DATA_PATH`` entry, or in ``folder``) or
    by the path of a ``.json`` file. Returns a :class:`Portfolio`; a bad field raises
    InvalidInput naming the file, the field, the value and the limit."""
    if isinstance(name_or_path, os.PathLike) or (
            isinstance(name_or_path, str) and (name_or_path.endswith(".json")
                                               or Path(name_or_path).name != name_or_path)):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise InvalidInput(f"portfolio file {str(path)!r} does not exist")
        return _read_portfolio(path)
    path = datafiles.find("portfolios", name_or_path, (".json",), folder)
    if path is None:
        known = datafiles.files("portfolios", (".json",), folder)
        raise InvalidInput(f"unknown portfolio {name_or_path!r}; known portfolios: "
                           f"{', '.join(known)}")
    return _read_portfolio(path)


def list_portfolios(folder=None):
    """Every example portfolio (each one is loaded, so a bad file raises here). Columns: name,
    description, deposit, positions (e.g. ``"BTCUSDT long, ETHUSDT short"``), file."""
    rows = []
    for name, path in datafiles.files("portfolios", (".json",), folder).items():
        p = _read_portfolio(path)
        rows.append(dict(name=name, description=p.description, deposit=p.deposit,
                         positions=", ".join(f"{q['symbol']} {q['side']}" for q in p.positions),
                         file=str(path)))
    return pd.DataFrame(rows, columns=["name", "description", "deposit", "positions", "file"])


#: The shipped portfolios are read on import without opening an account (no data folder is
#: searched); the tests open each one.
_SHIPPED = datafiles.PACKAGE_DATA / "portfolios"

# -- the guide's example ------------------------------------------------------------------------
GUIDE = _parse_portfolio(_SHIPPED / "guide-example.json")
GUIDE_DEPOSIT = GUIDE.deposit
#: Margin per leg: the guide's 5,000 + 5,000 leave no room for the taker fees.
GUIDE_MARGIN = GUIDE.positions[0]["margin"]
GUIDE_ENTRY_PRICES = {p["symbol"]: p["entry_price"] for p in GUIDE.positions}
GUIDE_SIDES = {p["symbol"]: p["side"] for p in GUIDE.positions}


def _mode(mode, field="mode"):
    return check_margin_mode(mode, field)


def example_legs(leverage, margin=GUIDE_MARGIN):
    """The guide's pair at ``leverage``: a BTC long from 60,000 and an ETH short from 3,000,
    ``margin`` USDT each, as :class:`~crossmargin.simulation.shocks.Leg` s."""
    return tuple(Leg(symbol, GUIDE_SIDES[symbol], margin, leverage, price)
                 for symbol, price in GUIDE_ENTRY_PRICES.items())


def open_example(leverage, margin=GUIDE_MARGIN, mode="cross"):
    """The guide's account: 10,000 USDT, then the BTC long and the ETH short opened with
    ``margin`` USDT each at ``leverage``, both in margin ``mode``. Returns the
    :class:`~crossmargin.Account` (raises as the account does when the legs do not fit)."""
    example_legs(leverage, margin)  # checks leverage and margin
    return GUIDE.open_account(leverage=leverage, margin=margin, margin_mode=_mode(mode))


def example_plan(leverage, margin=GUIDE_MARGIN):
    """The guide's two legs as orders for :func:`~crossmargin.replay`, placed at the path's
    first prices (the margin mode is left to the replay)."""
    return [Order(leg.symbol, leg.side, margin=leg.margin, leverage=leg.leverage)
            for leg in example_legs(leverage, margin)]


def run_example(path, leverage, margin=GUIDE_MARGIN):
    """Replay the guide's example over ``path`` isolated and cross.

    Returns ``(row, runs)``: ``row`` a dict with the symbols liquidated in each mode
    (``"isolated liquidated"``, ``"cross liquidated"``) and each mode's final equity rounded
    to the cent (``"isolated final equity"``, ``"cross final equity"``); ``runs`` the two
    :class:`~crossmargin.simulation.replay.Replay` s keyed by mode.
    """
    _, runs = compare_modes(path, example_plan(leverage, margin), deposit=GUIDE_DEPOSIT,
                            liquidation_prices=False)
    row = {f"{mode} liquidated": runs[mode].liquidations()["symbol"].tolist()
           for mode in ("isolated", "cross")}
    row.update({f"{mode} final equity": round(runs[mode].timeline[("account", "equity")]
                                              .iloc[-1], 2)
                for mode in ("isolated", "cross")})
    return row, runs


def compare_leverages(path, leverages, margin=GUIDE_MARGIN):
    """:func:`run_example` at each leverage. Returns ``(table, runs)``: one row per leverage
    (index ``"2x"``, ``"5x"``...) and the runs of each leverage keyed by the leverage."""
    levels = non_empty_list(leverages, "leverages", "(2, 5, 10)")
    rows, runs = {}, {}
    for leverage in levels:
        positive(leverage, "leverage")
        rows[f"{leverage:g}x"], runs[leverage] = run_example(path, leverage, margin)
    return pd.DataFrame(rows).T, runs


# -- Binance's worked example -------------------------------------------------------------------
BINANCE = _parse_portfolio(_SHIPPED / "binance-worked-example.json")
BINANCE_WALLET = BINANCE.deposit
BINANCE_ENTRY_PRICES = {p["symbol"]: p["entry_price"] for p in BINANCE.positions}
BINANCE_SIZES = {p["symbol"]: p["size"] for p in BINANCE.positions}
BINANCE_MARKS = BINANCE.mark_prices
#: The example gives no leverage; these are the highest its brackets allow. In cross the
#: leverage changes neither the margin ratio nor the liquidation prices.
BINANCE_LEVERAGE = {p["symbol"]: p["leverage"] for p in BINANCE.positions}


def binance_example(marked=True):
    """Binance's worked cross-margin example as an :class:`~crossmargin.Account`.

    Two cross longs (109.488 BTC from 32,481.98 and 3,683.979 ETH from 1,456.84) on a wallet
    of 1,535,443.01 USDT, with the 2021 bracket tables the example used and no trading fee,
    so the wallet stays exactly as published. With ``marked`` the account is then marked at
    the example's prices (BTC 31,967.27, ETH 1,335.18), where Binance publishes a margin
    ratio of 41.49 % and liquidation prices of 26,316.89 (BTC) and 1,153.26 (ETH).
    """
    if not isinstance(marked, bool):
        raise InvalidInput(f"marked must be True or False (got {marked!r})")
    return BINANCE.open_account(marked=marked)


# -- small accounts of lessons 05 and 07 ---------------------------------------------------------
def btc_long(leverage, *, size=None, margin=None, margin_mode="cross", deposit=10_000.0,
             entry_price=60_000.0, mark=None):
    """An account funded with ``deposit`` USDT holding one BTC long opened at ``entry_price``
    at ``leverage`` in ``margin_mode``: give the ``size`` (BTC) or the ``margin`` (USDT).
    With ``mark``, the account is then marked at that BTC price (it may liquidate)."""
    if (size is None) == (margin is None):
        raise InvalidInput(f"give exactly one of size or margin (got size={size!r}, "
                           f"margin={margin!r})")
    _mode(margin_mode, "margin_mode")
    leverage = positive(leverage, "leverage")           # required here (no 20x default)
    account = open_orders([Order("BTCUSDT", "long", size=size, margin=margin, leverage=leverage,
                                 margin_mode=margin_mode)], [entry_price], deposit=deposit)
    if mark is not None:
        account.mark({"BTCUSDT": positive(mark, "mark")})
    return account


def big_btc_long_small_eth_short(stop_distance=None):
    """Lesson 07's cross pair for a 10,000 USDT account: a large BTC long (4,000 USDT of
    margin at 15x) and a small ETH short (1,000 USDT at 5x), with a stop ``stop_distance``
    (a fraction, 0.05 = 5 %) below the long's entry, or no stop."""
    if stop_distance is not None:
        if not 0 < finite(stop_distance, "stop_distance") < 1:
            raise InvalidInput(f"stop_distance must be between 0 and 1, e.g. 0.05 for 5 % "
                               f"(got {stop_distance!r})")
    return [replace(order, stop_distance=stop_distance) if order.side == "long" else order
            for order in _PAIR.orders()]


_PAIR = _parse_portfolio(_SHIPPED / "big-btc-long-small-eth-short.json")
