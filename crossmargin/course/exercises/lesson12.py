"""Lesson 12 · Same account, four screens: exercises (answers computed by the engine)."""
from ...engine.platforms import OKX_DEFAULT_FEE_RATE, binance_margin_ratio, okx_margin_ratio
from ...engine.venues import VENUE_NAMES
from ...lessons.comparison import (SCREEN_PORTFOLIOS, START_PRICES, Exposure, cross_requirement,
                                   illustrative_portfolio_margin, withdrawal_limits)
from ..exercise import Exercise, Mistake

#: 12.1: what Binance shows for the account, and what OKX adds to its requirement.
BINANCE_RATIO, MAINTENANCE, NOTIONAL = 0.40, 800.0, 160_000.0
OKX_FEE_RATE = OKX_DEFAULT_FEE_RATE

#: 12.2: the lesson's hedge after BTC rose 30 % (ETH held).
WITHDRAW_PORTFOLIO, WITHDRAW_MOVE = "BTC long + ETH short (hedge)", 0.30
WITHDRAW_CHOICES = {frozenset({"binance"}): "Binance only",
                    frozenset({"bybit", "okx"}): "Bybit and OKX",
                    frozenset({"hyperliquid"}): "Hyperliquid only",
                    frozenset(VENUE_NAMES): "all four",
                    frozenset(): "none of them"}

#: 12.3: a BTC perpetual long, a BTC quarterly future short and an ETH short.
MIXED = (Exposure("BTC", "long", 30_000), Exposure("BTC", "short", 15_000, "quarterly future"),
         Exposure("ETH", "short", 10_000))


# -- 12.1 ------------------------------------------------------------------------------------
def _equity():
    """Binance's ratio is MM / margin balance, so the margin balance is MM / ratio."""
    return MAINTENANCE / BINANCE_RATIO


def okx_ratio_pct(fee_rate=OKX_FEE_RATE):
    """OKX's margin ratio of the same account, equity / (MM + fee to close), in %."""
    return okx_margin_ratio(_equity(), MAINTENANCE, NOTIONAL * fee_rate) * 100


# -- 12.2 ------------------------------------------------------------------------------------
def withdraw_limits(move=WITHDRAW_MOVE):
    """:func:`~crossmargin.lessons.comparison.withdrawal_limits` of 12.2's account after BTC
    moved by ``move``: each venue's published limit and wallet balance."""
    return withdrawal_limits(SCREEN_PORTFOLIOS[WITHDRAW_PORTFOLIO], START_PRICES,
                             marks={"BTCUSDT": START_PRICES["BTCUSDT"] * (1 + move)})


def profit_withdrawable():
    """The option naming the venues whose limit is above the wallet balance."""
    limits = withdraw_limits()
    above = frozenset(limits.index[limits["profit_can_leave"]])
    return WITHDRAW_CHOICES[above]


# -- 12.3 ------------------------------------------------------------------------------------
def by_coin():
    return illustrative_portfolio_margin(MIXED, grouping="coin")


def _btc_unit_only():
    return illustrative_portfolio_margin(MIXED[:2], grouping="coin")


EXERCISES = [
    Exercise(
        id="12.1",
        prompt="Binance shows your cross account at a Margin Ratio of 40 %: its maintenance "
               "margin is 800 USDT, on positions worth 160,000 USDT. Suppose OKX's tiers asked "
               "the same 800 USDT. What would OKX's margin ratio read for this account, with "
               "OKX's fee to close at 0.05 % of the positions' value, in %, to 1 decimal?",
        expected=okx_ratio_pct,
        unit="%",
        precision=0.1,
        sign_note="A margin ratio is positive while the account has equity.",
        hint="Two steps, both in 'Four names for one number'. Binance's ratio is maintenance "
             "margin / margin balance, so the margin balance (OKX's equity) is 800 / 0.40. "
             "OKX divides that equity by (maintenance margin + the fee to close), the fee "
             "being 0.05 % of 160,000.",
        mistakes=(
            Mistake(lambda: 100 / BINANCE_RATIO,
                    "That is 1 / 40 %: Binance's ratio turned upside down, without OKX's fee "
                    "term. OKX adds the fee to close to the maintenance margin before it "
                    "divides, so its number is lower."),
            Mistake(lambda: (1 - BINANCE_RATIO) * 100,
                    "That is the room left on Binance's scale (100 % - 40 %). OKX's ratio is not "
                    "a distance: it is equity / (maintenance margin + fee), far above 100 % "
                    "when the account is safe."),
            Mistake(lambda: BINANCE_RATIO * 100,
                    "That is Binance's number. The two venues' ratios point opposite ways: OKX "
                    "puts the equity on top, so the same account reads above 100 %."),
            Mistake(lambda: okx_margin_ratio(_equity(), MAINTENANCE - NOTIONAL * OKX_FEE_RATE)
                    * 100,
                    "You took the fee away from the maintenance margin: OKX adds it (the fee "
                    "to close is part of what the equity must cover)."),
            Mistake(lambda: binance_margin_ratio(MAINTENANCE + NOTIONAL * OKX_FEE_RATE,
                                                 _equity()) * 100,
                    "That is (maintenance margin + fee) / equity: OKX's terms in Binance's "
                    "orientation, a number that rises to 100 %. OKX's own ratio is that "
                    "fraction upside down."),
            Mistake(lambda: binance_margin_ratio(MAINTENANCE + NOTIONAL * OKX_FEE_RATE,
                                                 _equity()),
                    "That is (maintenance margin + fee) / equity as a fraction: OKX's terms "
                    "in Binance's orientation. OKX's own ratio is that fraction upside down, "
                    "in %."),
        ),
        explanation="The same account reads 40 % on Binance and over 200 % on OKX: one rises "
                    "to 100 %, the other falls to it, and OKX's counts the fee to close.",
    ),
    Exercise(
        id="12.2",
        prompt="The lesson's hedge after BTC rose 30 % (ETH held): the account shows about "
               "6,000 of unrealized profit. By each venue's published withdrawal rule, on which "
               "venue(s) can some of that profit itself be withdrawn while the positions stay "
               "open — a limit above the wallet balance? Answer 'Binance only', 'Bybit and "
               "OKX', 'Hyperliquid only', 'all four' or 'none of them'.",
        expected=profit_withdrawable,
        kind="choice",
        options=tuple(WITHDRAW_CHOICES.values()),
        hint="The table of 'What can be withdrawn' puts each venue's limit next to its wallet "
             "balance at +30 %. Read each rule: does the profit only back the positions' "
             "initial margin, or does the rule count it as money you have?",
        mistakes=(
            Mistake(lambda: "Binance only",
                    "Binance's rule is min(wallet - maintenance margin, wallet + unrealized PnL "
                    "- initial margin): the profit lifts the second term (it backs the initial "
                    "margin), but the first keeps the limit below the wallet. The profit stays "
                    "in until you close."),
            Mistake(lambda: "Bybit and OKX",
                    "Bybit's rule (and OKX's, as the course assumes it) is min(wallet + "
                    "unrealized PnL - initial margin, wallet + min(unrealized PnL, 0)): a profit "
                    "backs the margin, a loss always counts, and the limit never passes the "
                    "wallet."),
            Mistake(lambda: "all four",
                    "On Binance, Bybit and OKX a profit only backs the initial margin: every "
                    "one of their rules keeps the limit at or below the wallet balance."),
            Mistake(lambda: "none of them",
                    "Hyperliquid's rule starts from the account value, which includes the "
                    "unrealized profit, and keeps back only max(initial margin, 10 % of the "
                    "position value): part of the profit can leave."),
        ),
        explanation="On the three USDT venues an unrealized profit is margin, not cash: it lets "
                    "more of your deposit leave, but the profit itself leaves only once you "
                    "close (realize) it. Hyperliquid counts it in the account value.",
    ),
    Exercise(
        id="12.3",
        prompt="A cross account holds a BTC perpetual long of 30,000 USDT, a BTC quarterly "
               "future short of 15,000 USDT and an ETH perpetual short of 10,000 USDT. In the "
               "lesson's illustrative portfolio margin with each coin its own risk unit (the "
               "grouping OKX and Bybit publish), what is the requirement, in USDT, to the "
               "nearest whole number?",
        expected=by_coin,
        unit="USDT",
        precision=1,
        sign_note="A margin requirement is a positive amount.",
        hint="Section 'What a hedge really saves': with grouping='coin' the BTC unit nets its "
             "long against its short, the ETH unit stands alone, and each unit's worst loss "
             "is its net notional × the coin's stress move (its bracket MMR, 0.4 % at these "
             "sizes). comparison.illustrative_portfolio_margin takes a list of Exposure.",
        mistakes=(
            Mistake(lambda: cross_requirement(MIXED),
                    "That is ordinary cross margin: every position's maintenance margin added "
                    "up, the short included. Portfolio margin nets the two BTC positions, which "
                    "sit in one risk unit."),
            Mistake(lambda: illustrative_portfolio_margin(MIXED, grouping="together"),
                    "You netted the ETH short against the BTC long too: that puts every coin in "
                    "one risk unit, as if BTC and ETH always moved together. By coin, the ETH "
                    "short is a unit of its own and needs its own margin."),
            Mistake(_btc_unit_only,
                    "That is the BTC unit alone: the ETH short is a risk unit of its own, and "
                    "its worst loss adds to the BTC unit's."),
        ),
        explanation="Netting happens inside a risk unit, and the published units are coins: a "
                    "BTC future nets a BTC perpetual, an ETH position does not.",
    ),
]
