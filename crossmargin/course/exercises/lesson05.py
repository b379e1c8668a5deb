"""Lesson 05 · Monitor the margin ratio: exercises (answers computed by the engine)."""
from ...engine.account import Account
from ..exercise import Exercise, Mistake
from ...engine.formulas import liquidation_price, maintenance_margin, unrealized_pnl
from ...engine.platforms import binance_margin_ratio, okx_margin_ratio, okx_to_binance_orientation

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


def _ratio_at_entry_prices():
    """05.1 with the maintenance margin taken at the entry prices instead of the marks."""
    account = exercise_account()
    mm = sum(maintenance_margin(size, entry, account.contracts[symbol].brackets)
             for symbol, size, entry in (("BTCUSDT", BTC_SIZE, BTC_ENTRY),
                                         ("ETHUSDT", ETH_SIZE, ETH_ENTRY)))
    return mm / account.summary().cross_margin_balance * 100


def _ratio_without_fees():
    """05.1 with the wallet still at the deposit (opening fees forgotten)."""
    s = exercise_account().summary()
    return s.cross_maintenance_margin / (DEPOSIT + s.cross_unrealized_pnl) * 100


def _okx_upside_down():
    """05.3's OKX ratio turned upside down, (MM + fee) / equity: read as if it were Binance's."""
    return float(okx_to_binance_orientation(okx_margin_ratio(OKX_EQUITY, OKX_MAINTENANCE,
                                                              OKX_FEES))) * 100


EXERCISES = [
    Exercise(
        id="05.1",
        prompt="Deposit 2,000 USDT, set 20x on BTCUSDT and ETHUSDT, open a 0.5 BTC long at "
               "60,000 and a 2 ETH short at 3,000 (both cross), then mark BTC at 57,000 and "
               "ETH at 3,060. What is the account's margin ratio, in %, to 1 decimal?",
        expected=margin_ratio_pct,
        unit="%",
        precision=0.1,
        sign_note="A margin ratio is positive: maintenance margin over a positive margin "
                  "balance.",
        hint="Build the account as the question says (as the lesson did with examples.btc_long) "
             "and read account.margin_ratio() — a fraction, so × 100. By hand: margin ratio = "
             "total maintenance margin / margin balance. Each position's maintenance margin is "
             "its notional at the MARK price × the rate of its bracket (the BTCUSDT and ETHUSDT "
             "tables above); the margin balance is the wallet (2,000 minus the opening fees) "
             "plus the unrealized PnL of both positions.",
        mistakes=(
            Mistake(lambda: round(margin_ratio_pct() / 100, 2),
                    "That looks like the fraction that account.margin_ratio() returns; the "
                    "question asks for percent, so multiply by 100."),
            Mistake(lambda: _totals()[0] / _totals()[1] * 100,
                    "You divided by the wallet balance. The margin balance also counts the "
                    "unrealized PnL — here, a loss that shrinks it."),
            Mistake(lambda: _totals()[2] / _totals()[0] * 100,
                    "That is margin balance / maintenance margin — OKX's orientation. "
                    "Binance's margin ratio is maintenance margin / margin balance."),
            Mistake(_ratio_without_fees,
                    "Close, but the wallet is not 2,000 USDT any more: opening the two "
                    "positions paid the taker fee (0.05 % of each notional)."),
            Mistake(_ratio_at_entry_prices,
                    "Close: you took the maintenance margin at the entry prices. The exchange "
                    "recomputes it at the mark price, like the unrealized PnL."),
        ),
        explanation="Both positions lose here (BTC fell, ETH rose against the short), so the "
                    "shared margin balance shrinks and the ratio climbs.",
    ),
    Exercise(
        id="05.2",
        prompt="Keep ETH at 3,060. At what BTC mark price does the margin ratio of the same "
               "account reach the 80 % warning (in USDT, to the nearest whole number)?",
        expected=btc_price_at_warning,
        unit="USDT",
        precision=1,
        sign_note="A price is a positive number of USDT.",
        hint="Start from the account of 05.1 (yours, or `account` from its worked solution). "
             "Use the rule of 'The 80 % warning': at a ratio of 80 % the margin balance equals "
             "maintenance margin / 0.8. Write both sides as functions of the BTC price P — "
             "margin balance = wallet + 0.5 × (P − 60,000) + ETH's unrealized PnL; maintenance "
             "margin = 0.5 × P × BTC's rate + ETH's maintenance margin — and solve for P: it is "
             "BTC's cross liquidation price with the maintenance margin divided by 0.8, so a "
             "little above account.liquidation_price('BTCUSDT'). Check your price the way the "
             "lesson moved BTC: monitoring.mark_sweep(account, 'BTCUSDT', [your price], watch='ETHUSDT') shows "
             "the margin ratio there.",
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
               "estimated fee to close of 50 USDT. What is OKX's margin ratio, in %, to the "
               "nearest whole number?",
        expected=lambda: okx_margin_ratio(OKX_EQUITY, OKX_MAINTENANCE, OKX_FEES) * 100,
        unit="%",
        precision=1,
        sign_note="A margin ratio is positive while the account has equity.",
        hint="The lesson's section 'Same word, opposite direction: OKX': OKX divides equity by "
             "(maintenance margin + the fee to close). It starts high and falls toward 100 %, "
             "where liquidation starts.",
        mistakes=(
            Mistake(_okx_upside_down,
                    "That is (maintenance margin + fee) / equity: OKX's numbers in Binance's "
                    "orientation, what the exchange requires over what you have, a number that "
                    "RISES toward 100 %. OKX's own margin ratio is the same fraction upside "
                    "down — equity / (maintenance margin + fee) — so a safe OKX account shows "
                    "well above 100 %, and the number FALLS toward 100 % as losses grow. Read "
                    "one venue's number with the other's rule and you get the direction of "
                    "danger backwards."),
            Mistake(lambda: binance_margin_ratio(OKX_MAINTENANCE, OKX_EQUITY) * 100,
                    "That is maintenance margin / equity — Binance's orientation, and without "
                    "the fee. OKX divides the other way round: equity on top."),
            Mistake(lambda: okx_margin_ratio(OKX_EQUITY, OKX_MAINTENANCE) * 100,
                    "You left out the fee to close: OKX adds it to the maintenance margin."),
        ),
        explanation="Above 100 % on OKX is safe, and the lower it gets the closer the "
                    "liquidation: the opposite of Binance's number.",
    ),
]
