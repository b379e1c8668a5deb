"""Lesson 11 · Capstone: exercises and quizzes (answers computed by the engine).

11.1 grades the learner's own portfolio with :func:`crossmargin.lessons.capstone.grade`;
11.2 asks for a liquidation price (where a stop must not be); 11.3 asks what a cross
liquidation does to the position that was not the problem. The quizzes 11.q1-11.q4
check the course's core skills: reading OKX's margin ratio, when cross lowers the risk,
where a stop goes, and why surviving the stress day is not enough.
"""
from ...lessons import capstone
from ...lessons.capstone import RECKLESS_PAIR
from ..exercise import Exercise, Mistake
from ...engine.contracts import contract
from ...engine.formulas import liquidation_price

#: 11.2: an isolated BTC long opened at 60,000 with 2,000 USDT of margin at 5x.
ENTRY, MARGIN, LEVERAGE = 60_000.0, 2_000.0, 5

#: 11.3 asks about capstone.RECKLESS_PAIR (BTC long / ETH short, 3,000 USDT each, 10x, cross).
FATES = ("it stays open", "it is closed with the ETH short", "it switches to isolated margin")

#: 11.q3: the same long at 10x: its liquidation price, rounded to 10 USDT.
QUIZ_LEVERAGE = 10


def _btc_liquidation(side, leverage):
    return liquidation_price(side, MARGIN * leverage / ENTRY, ENTRY, MARGIN,
                             brackets=contract("BTCUSDT").brackets)


def _maintenance_rate():
    rate, _ = contract("BTCUSDT").brackets.lookup(MARGIN * LEVERAGE)
    return float(rate)


def check_portfolio(answer):
    """11.1: ``(passed, what the grade says)`` for the learner's portfolio: the verdict,
    the broken constraints, the warnings (a stop beyond its liquidation price) and the
    explanation, in that order."""
    report = capstone.grade(answer)
    return report.passed, " ".join([report.verdict, *map(str, report.violations),
                                    *(f"Warning: {w}" for w in report.warnings),
                                    *report.explanation])


def stop_limit_price():
    """11.2: the isolated long's liquidation price (a stop must sit above it)."""
    return _btc_liquidation("long", LEVERAGE)


def btc_long_fate():
    """11.3: what the stress day's cross liquidation did to the reckless pair's BTC long."""
    report = capstone.grade(list(RECKLESS_PAIR), n_paths=1)
    first = report.liquidations[report.liquidations["row"] == report.liquidations["row"].min()]
    closed = set(first["symbol"])
    if {"BTCUSDT", "ETHUSDT"} <= closed:
        return FATES[1]
    return FATES[0]


_LP = round(_btc_liquidation("long", QUIZ_LEVERAGE), -1)
#: 11.q3's options: beyond the liquidation price, at it, and between it and the entry.
STOPS = (f"{_LP - 1_000:,.0f}: a wide stop gives the trade room and still closes it before "
         "any liquidation",
         f"{_LP:,.0f}: exactly at the liquidation price, to use all the room there is",
         f"{_LP + 1_800:,.0f}: between the liquidation price and the entry")

OKX = ("It is far from liquidation: 120 % means more margin than the position needs",
       "It is close to liquidation: OKX liquidates when this ratio falls to 100 %",
       "It has been liquidated already: a margin ratio above 100 % means liquidation")

CROSS = ("Always: one shared pool is always safer than separate ones",
         "Only while the positions offset each other: one gains while another loses",
         "Never: isolated is always safer, because each position can lose only its own margin")

SURVIVED = ("It lost more of the deposit on the stress day than the rules allow: keeping the "
            "positions open is not the same as keeping the money",
            "Its margin ratio passed the 80 % warning level during the day",
            "Too many random weeks liquidate it")

EXERCISES = [
    Exercise(
        id="11.1",
        prompt=(f"Build your portfolio: answer = [Order(...), ...] with 2 or 3 positions that "
                f"follow the rules (capstone.rules()): no liquidation on the stress day, a loss "
                f"of at most {capstone.MAX_STRESS_LOSS * 100:.0f} % of the deposit there at any "
                f"minute, and a liquidation in at most "
                f"{capstone.MAX_LIQUIDATION_ODDS * 100:.0f} % of the random weeks."),
        kind="custom",
        validate=check_portfolio,
        hint=(f"Budget the loss first (lessons 06 and 10): a stop 5 % away costs about 5 % of "
              f"its position's notional, so the stops together must cost less than "
              f"{capstone.MAX_STRESS_LOSS * capstone.DEPOSIT:,.0f} USDT. Then keep each stop "
              "between the entry and the liquidation price, and most of the 10,000 USDT in "
              "reserve. CapstoneReport(grade(answer)) draws where the day hurt."),
    ),
    Exercise(
        id="11.2",
        prompt="An isolated BTC long opened at 60,000 with 2,000 USDT of margin at 5x: what "
               "is its liquidation price in USDT, to the nearest whole number? (Its stop must "
               "sit above it to fire first.)",
        expected=stop_limit_price,
        unit="USDT",
        precision=1,
        sign_note="A price is never negative.",
        hint="Lesson 01 found a liquidation price with formulas.liquidation_price. Work out "
             "the size first (the notional is margin × leverage, in BTC that is notional ÷ "
             "entry); liquidation comes where what is left of the margin equals the "
             "maintenance margin of BTCUSDT's brackets.",
        mistakes=(
            Mistake(lambda: ENTRY * (1 - 1 / LEVERAGE),
                    "That is the bankruptcy price, where the margin is all gone. Liquidation "
                    "comes earlier: when what is left equals the maintenance margin."),
            Mistake(lambda: ENTRY * (1 + 1 / LEVERAGE),
                    "Mind the side: a long is liquidated when the price falls."),
            Mistake(lambda: _btc_liquidation("short", LEVERAGE),
                    "That is a short's liquidation price: pass side='long'."),
            Mistake(lambda: ENTRY * (1 - 1 / LEVERAGE + _maintenance_rate()),
                    "That is the shortcut entry × (1 − 1/leverage + maintenance rate): it "
                    "counts the maintenance margin at the entry price, but it shrinks as the "
                    "price falls. formulas.liquidation_price solves it exactly."),
        ),
    ),
    Exercise(
        id="11.3",
        prompt="The reckless pair (BTC long and ETH short, 3,000 USDT each at 10x, both "
               "cross) is liquidated on the stress day when ETH rallies. What happens to the "
               "BTC long at that moment? Answer with one of: " + "; ".join(FATES) + ".",
        kind="choice",
        options=FATES,
        expected=btc_long_fate,
        hint="Lesson 02: in cross one margin balance backs every cross position. Look at "
             "report.liquidations for the reckless pair: which symbols close at the same hour?",
        feedback={
            FATES[0]: "That is what isolated margin promises. In cross one margin balance "
                      "backs every position: when it falls to the maintenance margin, every "
                      "cross position is closed at once.",
            FATES[1]: "A cross liquidation takes every cross position, winners and losers "
                      "alike: the BTC long closes at the same minute as the ETH short.",
            FATES[2]: "An exchange never switches your margin mode, and the mode cannot "
                      "change while a position is open (lesson 03).",
        },
    ),
    Exercise(
        id="11.q1",
        kind="choice",
        prompt="An OKX account shows a margin ratio of 120 %. What does it mean?",
        options=OKX,
        expected=lambda: OKX[1],
        feedback={
            OKX[0]: "That reads OKX's ratio as a cushion that grows with risk. OKX divides the "
                    "equity by the maintenance margin (plus fees): at 120 % the equity is only "
                    "a fifth above what liquidation leaves, and it falls toward 100 %.",
            OKX[1]: "Right: OKX divides equity by the maintenance margin, so its ratio falls "
                    "toward 100 %; Binance and Bybit divide the other way round, and theirs "
                    "rises toward 100 % (lesson 05).",
            OKX[2]: "That is Binance's and Bybit's reading, where the ratio rises to 100 %. "
                    "OKX's ratio points the other way: it liquidates when the ratio falls to "
                    "100 %, so 120 % is still open, and close.",
        },
        hint="Lesson 05: which way does each venue's margin ratio move as the losses grow?",
    ),
    Exercise(
        id="11.q2",
        kind="choice",
        prompt="When does cross margin lower the risk of a liquidation compared with isolated?",
        options=CROSS,
        expected=lambda: CROSS[1],
        feedback={
            CROSS[0]: "The pool helps only while some position earns what another loses. On "
                      "the stress day both legs of the pair lost together, and the one cross "
                      "liquidation took the whole account.",
            CROSS[1]: "Right: during the crash the ETH short's gain carried the BTC long; when "
                      "ETH decoupled both lost, and cross only meant losing more before the "
                      "liquidation (lessons 02, 07, 08).",
            CROSS[2]: "Isolated caps what one position can lose, but each position has only "
                      "its own margin: in the crash an isolated long is liquidated while a "
                      "cross long is carried by the short's gain.",
        },
        hint="Lesson 07: compare the crash (the pair offsets) with ETH's rally (both lose).",
    ),
    Exercise(
        id="11.q3",
        kind="choice",
        prompt=f"A BTC long opened at 60,000 has its liquidation price at {_LP:,.0f}. Where "
               "should its stop go?",
        options=STOPS,
        expected=lambda: STOPS[2],
        feedback={
            STOPS[0]: "Below the liquidation price the stop never fires: the exchange "
                      "liquidates the position first and cancels its orders (lesson 06). The "
                      "capstone's grader warns about such a stop.",
            STOPS[1]: "Liquidation is checked before the stop at the same price, and a stop "
                      "fills beyond its trigger in a fast fall: it must sit clearly before the "
                      "liquidation price, not on it.",
            STOPS[2]: "Right: between the liquidation price and the entry the stop fires "
                      "first; in a gap, expect its fill below the trigger.",
        },
        hint="Lesson 06: what happens to a position's orders when it is liquidated?",
    ),
    Exercise(
        id="11.q4",
        kind="choice",
        prompt="The BTC long / ETH short pair at 5x without stops, 3,000 USDT of margin each, "
               "cross, is never liquidated on the stress day, and random weeks rarely "
               "liquidate it. Why does it fail the capstone?",
        options=SURVIVED,
        expected=lambda: SURVIVED[0],
        feedback={
            SURVIVED[0]: "Right: at its worst minute the account had lost over half of the "
                         "deposit, far past the 20 % the rules allow. Without stops, nothing "
                         "limited the loss but the liquidation itself.",
            SURVIVED[1]: "Its margin ratio stayed low all day: the 7,000 USDT of cross pool "
                         "kept the maintenance margin small next to the margin balance while "
                         "the equity drained. A low ratio says how far the liquidation is, "
                         "not how much money is gone.",
            SURVIVED[2]: "At a 0.8 correlation a BTC / ETH pair rarely breaks in a random "
                         "week: its odds are well under the 10 % limit. It fails on the "
                         "stress day's loss.",
        },
        hint="Read its grade: grade(pair).verdict names every rule it breaks.",
    ),
]
