"""Lesson 05 · Monitor the margin ratio: exercises (answers computed by the engine)."""
from ..account import Account
from ..check import Exercise, Mistake
from ..formulas import liquidation_price, maintenance_margin, unrealized_pnl
from ..platforms import binance_margin_ratio, okx_margin_ratio

#: 05.1 and 05.2: a 2,000 USDT cross account, 20x on both symbols.
DEPOSIT = 2_000.0
LEVERAGE = 20
BTC_SIZE, BTC_ENTRY = 0.5, 60_000.0        # long
ETH_SIZE, ETH_ENTRY = 2.0, 3_000.0         # short
MARKS = {"BTCUSDT": 57_000.0, "ETHUSDT": 3_060.0}
WARNING = 0.8

#: 05.3: what an OKX account page shows.
OKX_EQUITY, OKX_MAINTENANCE, OKX_FEES = 1_250.0, 800.0, 50.0


def exercise_account():
    """The account of 05.1: a BTC long and an ETH short sharing 2,000 USDT, marked at MARKS."""
    account = Account()
    account.deposit(DEPOSIT)
    for symbol in MARKS:
        account.set_leverage(symbol, LEVERAGE)
    account.open("BTCUSDT", "long", BTC_ENTRY, size=BTC_SIZE)
    account.open("ETHUSDT", "short", ETH_ENTRY, size=ETH_SIZE)
    account.mark(MARKS)
    return account


def margin_ratio_pct():
    return exercise_account().margin_ratio() * 100


def _totals():
    s = exercise_account().summary()
    return s.cross_maintenance_margin, s.cross_wallet_balance, s.cross_margin_balance


def btc_price_at_warning(target=WARNING):
    """BTC mark (ETH held at its mark) where the cross margin ratio reaches ``target``.

    ``MM / margin balance = target`` is the liquidation-price equation with every
    maintenance term divided by ``target``, so the engine's formula solves it
    (tier of ``size * price`` checked).
    """
    account = exercise_account()
    wallet = account.summary().cross_wallet_balance
    eth_mm = maintenance_margin(ETH_SIZE, MARKS["ETHUSDT"],
                                account.contracts["ETHUSDT"].brackets)
    eth_upnl = unrealized_pnl("short", ETH_SIZE, ETH_ENTRY, MARKS["ETHUSDT"])
    brackets = account.contracts["BTCUSDT"].brackets
    for floor, cap, mmr, cum in brackets.tiers:
        price = liquidation_price("long", BTC_SIZE, BTC_ENTRY, wallet, mmr=mmr / target,
                                  cum=cum / target, other_maintenance=eth_mm / target,
                                  other_unrealized_pnl=eth_upnl)
        if price is not None and floor <= BTC_SIZE * price < cap:
            return price
    raise ValueError("no BTC price gives that margin ratio")


def _btc_liquidation_price():
    return exercise_account().liquidation_price("BTCUSDT")


def _btc_price_without_fees():
    """The same solve with the opening fees left in the wallet."""
    account = exercise_account()
    brackets = account.contracts["BTCUSDT"].brackets
    eth_mm = maintenance_margin(ETH_SIZE, MARKS["ETHUSDT"],
                                account.contracts["ETHUSDT"].brackets)
    mmr, cum = brackets.lookup(BTC_SIZE * btc_price_at_warning())
    return liquidation_price("long", BTC_SIZE, BTC_ENTRY, DEPOSIT, mmr=mmr / WARNING,
                             cum=cum / WARNING, other_maintenance=eth_mm / WARNING,
                             other_unrealized_pnl=unrealized_pnl("short", ETH_SIZE, ETH_ENTRY,
                                                                 MARKS["ETHUSDT"]))


EXERCISES = [
    Exercise(
        id="05.1",
        prompt="Deposit 2,000 USDT, set 20x on BTCUSDT and ETHUSDT, open a 0.5 BTC long at "
               "60,000 and a 2 ETH short at 3,000 (both cross), then mark BTC at 57,000 and "
               "ETH at 3,060. What is the account's margin ratio, in %?",
        expected=margin_ratio_pct,
        unit="%",
        hint="Margin ratio = total maintenance margin / margin balance, and the margin balance "
             "is the wallet plus the unrealized PnL of every cross position. "
             "account.margin_ratio() gives it as a fraction.",
        mistakes=(
            Mistake(lambda: margin_ratio_pct() / 100,
                    "That is the fraction; give it in percent (multiply by 100)."),
            Mistake(lambda: _totals()[0] / _totals()[1] * 100,
                    "You divided by the wallet balance. The margin balance also counts the "
                    "unrealized PnL — here, a loss that shrinks it."),
            Mistake(lambda: _totals()[2] / _totals()[0] * 100,
                    "That is margin balance / maintenance margin — OKX's orientation. "
                    "Binance's margin ratio is maintenance margin / margin balance."),
        ),
        explanation="Both positions lose here (BTC fell, ETH rose against the short), so the "
                    "shared margin balance shrinks and the ratio climbs.",
    ),
    Exercise(
        id="05.2",
        prompt="Keep ETH at 3,060. At what BTC mark price does the margin ratio of the same "
               "account reach the 80 % warning?",
        expected=btc_price_at_warning,
        unit="USDT",
        rel_tol=1e-5,
        hint="Try prices on a copy: trial = account.copy(); trial.mark({'BTCUSDT': p}); "
             "trial.margin_ratio(). The 80 % price lies a little above BTC's liquidation "
             "price: narrow the interval between the two until it is a cent wide.",
        mistakes=(
            Mistake(_btc_liquidation_price,
                    "That is BTC's liquidation price, where the ratio reaches 100 %. "
                    "The 80 % warning comes a little earlier."),
            Mistake(_btc_price_without_fees,
                    "Close, but the wallet is not 2,000 USDT any more: the opening fees came "
                    "out of it."),
        ),
        explanation="The warning sits only a small move above the liquidation price: at 80 % "
                    "the equity above maintenance is a quarter of the maintenance margin.",
    ),
    Exercise(
        id="05.3",
        prompt="An OKX account shows equity 1,250 USDT, maintenance margin 800 USDT and an "
               "estimated fee to close of 50 USDT. What is OKX's margin ratio, in %?",
        expected=lambda: okx_margin_ratio(OKX_EQUITY, OKX_MAINTENANCE, OKX_FEES) * 100,
        unit="%",
        hint="OKX: margin ratio = equity / (maintenance margin + fees). It falls toward "
             "100 %, where liquidation starts.",
        mistakes=(
            Mistake(lambda: binance_margin_ratio(OKX_MAINTENANCE, OKX_EQUITY) * 100,
                    "That is maintenance margin / equity — Binance's orientation. OKX divides "
                    "the other way round."),
            Mistake(lambda: okx_margin_ratio(OKX_EQUITY, OKX_MAINTENANCE) * 100,
                    "You left out the fee to close: OKX adds it to the maintenance margin."),
            Mistake(lambda: okx_margin_ratio(OKX_EQUITY, OKX_MAINTENANCE, OKX_FEES),
                    "That is the fraction; give it in percent (multiply by 100)."),
        ),
        explanation="Above 100 % on OKX is safe, and the lower it gets the closer the "
                    "liquidation: the opposite of Binance's number.",
    ),
]
