"""The course's named example accounts and plans, built the same way in lessons and tests.

- The **guide's example** (lesson 07): a 10,000 USDT account with a BTC long and an ETH
  short. The guide gives each 5,000 USDT of margin, which does not fit once the taker fee
  is paid, so the course uses 4,900 USDT each: :func:`example_legs` (for
  :mod:`crossmargin.shocks`), :func:`open_example` (an :class:`~crossmargin.Account`),
  :func:`example_plan` (orders for :func:`~crossmargin.replay`), :func:`run_example` and
  :func:`compare_leverages` (both margin modes over a price path).
- **Binance's worked cross-margin example** (lesson 05, ``tests/test_account.py``): two
  longs on a 1,535,443.01 USDT wallet with the 2021 bracket tables and no fee, so the
  margin ratio (41.49 %) and the liquidation prices are the published ones:
  :func:`binance_example`.
- A **single BTC long** (lessons 05 and 06): :func:`btc_long`.
- Lesson 06's **cross pair**, a large BTC long and a small ETH short, with or without a
  stop on the long: :func:`big_btc_long_small_eth_short`.
"""
import pandas as pd

from ._validate import finite, non_empty_list, positive
from .account import MARGIN_MODES, Account
from .contracts import contract
from .errors import InvalidInput
from .shocks import Leg
from .simulate import Order, compare_modes

__all__ = [
    "GUIDE_DEPOSIT", "GUIDE_MARGIN", "GUIDE_ENTRY_PRICES", "GUIDE_SIDES", "example_legs",
    "open_example", "example_plan", "run_example", "compare_leverages",
    "BINANCE_WALLET", "BINANCE_ENTRY_PRICES", "BINANCE_SIZES", "BINANCE_MARKS",
    "BINANCE_LEVERAGE", "binance_example", "btc_long", "big_btc_long_small_eth_short",
]

# -- the guide's example ------------------------------------------------------------------------
GUIDE_DEPOSIT = 10_000.0
#: Margin per leg: the guide's 5,000 + 5,000 leave no room for the taker fees.
GUIDE_MARGIN = 4_900.0
GUIDE_ENTRY_PRICES = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0}
GUIDE_SIDES = {"BTCUSDT": "long", "ETHUSDT": "short"}


def _mode(mode, field="mode"):
    if mode not in MARGIN_MODES:
        raise InvalidInput(f"{field} must be 'cross' or 'isolated' (got {mode!r})")
    return mode


def example_legs(leverage, margin=GUIDE_MARGIN):
    """The guide's pair at ``leverage``: a BTC long from 60,000 and an ETH short from 3,000,
    ``margin`` USDT each, as :class:`~crossmargin.shocks.Leg` s."""
    return tuple(Leg(symbol, GUIDE_SIDES[symbol], margin, leverage, price)
                 for symbol, price in GUIDE_ENTRY_PRICES.items())


def open_example(leverage, margin=GUIDE_MARGIN, mode="cross"):
    """The guide's account: 10,000 USDT, then the BTC long and the ETH short opened with
    ``margin`` USDT each at ``leverage``, both in margin ``mode``. Returns the
    :class:`~crossmargin.Account` (raises as the account does when the legs do not fit)."""
    _mode(mode)
    account = Account()
    account.deposit(GUIDE_DEPOSIT)
    for leg in example_legs(leverage, margin):
        account.set_margin_mode(leg.symbol, mode)
        account.set_leverage(leg.symbol, leg.leverage)
        account.open(leg.symbol, leg.side, leg.entry_price, margin=leg.margin)
    return account


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
    :class:`~crossmargin.simulate.Replay` s keyed by mode.
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
BINANCE_WALLET = 1_535_443.01
BINANCE_ENTRY_PRICES = {"BTCUSDT": 32_481.98, "ETHUSDT": 1_456.84}
BINANCE_SIZES = {"BTCUSDT": 109.488, "ETHUSDT": 3_683.979}
BINANCE_MARKS = {"BTCUSDT": 31_967.27, "ETHUSDT": 1_335.18}
#: The example gives no leverage; these are the highest its brackets allow. In cross the
#: leverage changes neither the margin ratio nor the liquidation prices.
BINANCE_LEVERAGE = {"BTCUSDT": 20, "ETHUSDT": 4}


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
    specs = [contract(symbol, brackets=f"{symbol}-2021").with_(taker_fee=0.0)
             for symbol in BINANCE_SIZES]
    account = Account(specs)
    account.deposit(BINANCE_WALLET)
    for symbol, size in BINANCE_SIZES.items():
        account.set_leverage(symbol, BINANCE_LEVERAGE[symbol])
        account.open(symbol, "long", BINANCE_ENTRY_PRICES[symbol], size=size)
    if marked:
        account.mark(BINANCE_MARKS)
    return account


# -- small accounts of lessons 05 and 06 ---------------------------------------------------------
def btc_long(leverage, *, size=None, margin=None, margin_mode="cross", deposit=10_000.0,
             entry_price=60_000.0, mark=None):
    """An account funded with ``deposit`` USDT holding one BTC long opened at ``entry_price``
    at ``leverage`` in ``margin_mode``: give the ``size`` (BTC) or the ``margin`` (USDT).
    With ``mark``, the account is then marked at that BTC price (it may liquidate)."""
    if (size is None) == (margin is None):
        raise InvalidInput(f"give exactly one of size or margin (got size={size!r}, "
                           f"margin={margin!r})")
    _mode(margin_mode, "margin_mode")
    account = Account()
    account.deposit(positive(deposit, "deposit"))
    account.set_margin_mode("BTCUSDT", margin_mode)
    account.set_leverage("BTCUSDT", leverage)
    account.open("BTCUSDT", "long", entry_price, size=size, margin=margin)
    if mark is not None:
        account.mark({"BTCUSDT": positive(mark, "mark")})
    return account


def big_btc_long_small_eth_short(stop_distance=None):
    """Lesson 06's cross pair for a 10,000 USDT account: a large BTC long (4,000 USDT of
    margin at 15x) and a small ETH short (1,000 USDT at 5x), with a stop ``stop_distance``
    (a fraction, 0.05 = 5 %) below the long's entry, or no stop."""
    if stop_distance is not None:
        if not 0 < finite(stop_distance, "stop_distance") < 1:
            raise InvalidInput(f"stop_distance must be between 0 and 1, e.g. 0.05 for 5 % "
                               f"(got {stop_distance!r})")
    return [Order("BTCUSDT", "long", margin=4_000, leverage=15, stop_distance=stop_distance),
            Order("ETHUSDT", "short", margin=1_000, leverage=5)]
