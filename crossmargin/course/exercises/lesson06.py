"""Lesson 06 · What happens at 100 %: exercises (answers computed by the engine's liquidation
procedure, :mod:`crossmargin.lessons.liquidation`)."""
from ...engine.formulas import bankruptcy_price
from ...engine.venues import venue
from ...lessons.liquidation import CASES, left_after_fee, walk_through
from ..exercise import Exercise, Mistake

#: 06.1: a 200,000 USDT SOLUSDT long at 20x on Binance, liquidated at its liquidation price
#: (``left_after_fee`` opens SOL at 150).
SOL_NOTIONAL, SOL_SYMBOL, SOL_VENUE, SOL_ENTRY = 200_000.0, "SOLUSDT", "binance", 150.0

#: 06.2: the built-in case whose bankruptcy is covered by auto-deleveraging (empty fund).
ADL_CASE, ADL_VENUE = "gap past bankruptcy", "binance"
ADL_CHOICES = ("bold short", "calm short", "nobody: the insurance fund pays")

#: 06.3: the hedged pair on Bybit: the BTC long's bankruptcy price (ETH still at its entry).
PAIR_CASE, PAIR_VENUE = "hedged pair", "bybit"


def sol_left():
    """06.1: what :func:`left_after_fee` measures for the SOL long."""
    return left_after_fee(SOL_NOTIONAL, venue=SOL_VENUE, symbol=SOL_SYMBOL)


def _fee_on_everything():
    """The slip of charging the clearance fee on the whole position at the mark."""
    out = sol_left()
    size = SOL_NOTIONAL / SOL_ENTRY
    return out.equity_at_liquidation - size * out.price * venue(SOL_VENUE).liquidation_fee_rate


def _pct(rate):
    """A rate in words: 0.0125 -> "1.25 %"."""
    return f"{rate * 100:g} %"


def _rate(symbol, notional):
    """The maintenance rate of ``symbol``'s Binance tier that holds ``notional``, in words."""
    rate, _ = venue(SOL_VENUE).brackets(symbol[:-4]).lookup(notional)
    return _pct(rate)


_FEE = _pct(venue(SOL_VENUE).liquidation_fee_rate)
#: The rate of the tier of the lesson's small BTC long (100,000 USDT).
_SMALL_BTC_RATE = _rate("BTCUSDT", 100_000.0)
#: The rate of the SOL tier the liquidation starts in (the mark is below the entry).
_SOL_RATE = _rate(SOL_SYMBOL, SOL_NOTIONAL * 0.9)
#: The numbers the quiz's text names as ``{name}`` (quizzes/lesson06.json).
QUIZ_VALUES = {"clearance_fee": _FEE, "small_rate": _SMALL_BTC_RATE}


def first_deleveraged():
    """06.2: the account whose position auto-deleveraging closes first."""
    walk = walk_through(ADL_VENUE, ADL_CASE)
    return walk.deleveraged.account.iloc[0] if len(walk.deleveraged) else ADL_CHOICES[2]


def pair_bankruptcy_price():
    """06.3: where the cross wallet is exactly used up by the BTC long (the ETH short at its
    entry adds no PnL): the engine's bankruptcy price of the walk-through."""
    return walk_through(PAIR_VENUE, PAIR_CASE).bankruptcy_price["BTCUSDT"]


def _pair_price(wallet):
    """The BTC long's bankruptcy price with ``wallet`` behind it (the slips change the wallet)."""
    long = CASES[PAIR_CASE].orders[0]
    entry = CASES[PAIR_CASE].start["BTCUSDT"]
    return bankruptcy_price("long", long.margin * long.leverage / entry, entry, wallet)


def _pair_wallet_with_fee(venue_name):
    """The deposit less the opening fees of both legs at ``venue_name``'s taker fee."""
    case = CASES[PAIR_CASE]
    return case.deposit - venue(venue_name).taker_fee * sum(o.margin * o.leverage
                                                             for o in case.orders)


EXERCISES = [
    Exercise(
        id="06.1",
        prompt="On Binance, a cross account holds just what a 200,000 USDT SOLUSDT long at 20x "
               "needs: its margin and the opening fee. SOL falls until the mark reaches the "
               "liquidation price. How much equity does the trader have after Binance's "
               "procedure, in USDT, to the nearest whole number? Predict first: zero, or not?",
        expected=lambda: sol_left().left,
        unit="USDT",
        precision=1,
        sign_note="Equity left is never negative here: give a positive number (or 0).",
        hint="left_after_fee(200_000, venue='binance', symbol='SOLUSDT') runs the whole "
             "procedure (section 'The fee against the maintenance margin'); its .left is the "
             "equity after it. Before you run it, compare SOL's tier rate between 50,000 and "
             f"250,000 with the {_FEE} clearance fee: can a cut free more than it costs?",
        mistakes=(
            Mistake(lambda: 0.0,
                    f"Zero is what a small BTC position keeps on Binance, where the tier's "
                    f"maintenance rate ({_SMALL_BTC_RATE}) is below the {_FEE} fee. SOL's tier "
                    f"above 50,000 has a rate of {_SOL_RATE}: the cut frees more requirement "
                    f"than its fee costs, the account is back under 100 % and keeps a smaller "
                    f"position."),
            Mistake(lambda: sol_left().equity_at_liquidation,
                    "That is the equity when the liquidation starts (the maintenance "
                    "margin): the fee on the cut still comes out of it."),
            Mistake(_fee_on_everything,
                    f"That charges {_FEE} on the whole position. The fee is paid only on what "
                    "the cut closes; the part left open pays none."),
            Mistake(lambda: sol_left().fees,
                    "That is the fee the cut paid (into the insurance fund), not what the "
                    "trader keeps."),
            Mistake(lambda: walk_through(SOL_VENUE, "large SOL long").kept,
                    "That is the table's large SOL long, whose account holds 40,000 USDT: it "
                    "is liquidated further down, on a smaller notional. This account holds "
                    "just the margin: left_after_fee builds it."),
        ),
        explanation="A cut saves an account when the tier it leaves has a maintenance rate "
                    "above the clearance fee: not every cross liquidation is a wipe-out.",
    ),
    Exercise(
        id="06.2",
        prompt="The 'gap past bankruptcy' case on Binance: BTC gaps 8 % past the small BTC "
               "long's liquidation price, the insurance fund is empty, and two traders hold "
               "BTC shorts opened at 60,000: the 'bold short' (0.5 BTC at 20x, 2,000 USDT in "
               "its account) and the 'calm short' (1.5 BTC at 2x, 60,000 USDT). Whose position "
               "does auto-deleveraging close first? Answer one of: "
               + "; ".join(repr(c) for c in ADL_CHOICES) + ".",
        kind="choice",
        options=ADL_CHOICES,
        expected=first_deleveraged,
        hint="Section 'The insurance fund, then auto-deleveraging': ADL closes profitable "
             "opposite positions ranked by profit on margin times the account's leverage "
             "(adl_queue lists the scores). The stepper runs this case too: pick 'gap past "
             "bankruptcy' and step to the last event.",
        feedback={
            ADL_CHOICES[0]: "The bold short earns several times its margin at 20x, in a small "
                            "account: the highest score. It is closed in full at the "
                            "bankruptcy price, then the calm short covers the rest.",
            ADL_CHOICES[1]: "The calm short has the larger profit in USDT, but ADL ranks by "
                            "profit on margin times leverage: at 2x in a 60,000 USDT account "
                            "it ranks low, and is closed second, for what the bold short "
                            "could not cover.",
            ADL_CHOICES[2]: "Here the insurance fund is empty (insurance_fund=0): that is "
                            "exactly when ADL starts. With money in the fund, nobody would be "
                            "deleveraged.",
        },
        explanation="Auto-deleveraging closes the most profitable, most leveraged opposite "
                    "position first, at the bankrupt position's bankruptcy price.",
    ),
    Exercise(
        id="06.3",
        prompt="On Bybit, the hedged pair (10,000 USDT; a BTC long from 60,000 and an ETH short "
               "from 3,000, each 4,900 USDT of margin at 10x, Bybit's "
               f"{_pct(venue(PAIR_VENUE).taker_fee)} taker fee paid on opening both) is liquidated with ETH still at 3,000. At what BTC price is "
               "the cross account exactly at zero, the BTC long's bankruptcy price, in USDT, "
               "to the nearest whole number?",
        expected=pair_bankruptcy_price,
        unit="USDT",
        precision=1,
        sign_note="A price is never negative.",
        hint="Section 'The bankruptcy price': in cross the whole wallet stands behind the "
             "position, so BP = entry − wallet / size, with the wallet after both opening "
             "fees (the ETH short at 3,000 adds no profit or loss). "
             "formulas.bankruptcy_price('long', size, 60_000, wallet) does it.",
        mistakes=(
            Mistake(lambda: _pair_price(CASES[PAIR_CASE].orders[0].margin),
                    "That uses the position's own 4,900 USDT, as if it were isolated. In "
                    "cross the whole wallet stands behind it: the account is at zero only "
                    "when all of it is gone."),
            Mistake(lambda: _pair_price(CASES[PAIR_CASE].deposit),
                    "Close: the opening fees already left the wallet. Take them off the "
                    "10,000 USDT first."),
            Mistake(lambda: _pair_price(_pair_wallet_with_fee("binance")),
                    f"That takes Binance's {_pct(venue('binance').taker_fee)} taker fee; Bybit "
                    f"charges {_pct(venue(PAIR_VENUE).taker_fee)}."),
            Mistake(lambda: walk_through(PAIR_VENUE, PAIR_CASE).liquidation_price,
                    "That is the liquidation price, where the ratio reaches 100 %. The "
                    "bankruptcy price lies further down, where the equity is zero; the "
                    "maintenance margin sits between the two."),
        ),
        explanation="Bybit closes a liquidated position at its bankruptcy price: what was "
                    "left above it goes to its insurance fund.",
    ),
]
