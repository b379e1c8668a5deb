"""Lesson 07 · Stop losses: exercises (answers computed by the engine)."""
from ... import scenarios
from ...engine.contracts import contract
from ..exercise import Exercise, Mistake
from ...lessons.examples import btc_long
from ...lessons.stops import liquidation_distances, position_size
from ...simulation.replay import Order, replay

#: 07.1: an isolated BTC long at 60,000 with 1,000 USDT of margin at 25x.
ENTRY, MARGIN, LEVERAGE = 60_000.0, 1_000.0, 25

#: 07.2: a cross 0.5 BTC long at 60,000 (10x) with a stop at 58,500; the mark then gaps.
GAP_SIZE, GAP_TRIGGER, GAP_MARKS = 0.5, 58_500.0, (58_700.0, 56_000.0)

#: 07.3: an isolated 10x BTC long with 1,000 USDT through the whipsaw, with a 3 % stop or none.
WHIPSAW_LEVERAGE, WHIPSAW_STOP = 10, 0.03
CHOICES = ("with the stop", "without a stop")

#: 07.4: size a BTC long from a 200 USDT risk budget: entry 60,000, stop 58,800, a fill planned
#: 0.5 % past the stop, the contract's taker fee on both trades, isolated at 10x.
RISK_BUDGET, SIZING_STOP, SIZING_GAP, SIZING_LEVERAGE = 200.0, 58_800.0, 0.005, 10


def liquidation_distance_pct():
    """How far below the entry the isolated long is liquidated, in % of the entry: the row
    of the lesson's table (:func:`~crossmargin.lessons.stops.liquidation_distances`)."""
    table = liquidation_distances([LEVERAGE], margin=MARGIN, entry_price=ENTRY)
    return float(table.loc[LEVERAGE, "isolated: liquidation distance %"])


def gap_account():
    """The account of 07.2 before the mark moves: ``examples.btc_long(10, size=0.5)``, the
    position its hint names, with the stop."""
    account = btc_long(10, size=GAP_SIZE, entry_price=ENTRY)
    account.set_stop_loss("BTCUSDT", GAP_TRIGGER)
    return account


def gap_stop_event():
    """The stop-loss event after the two marks of 07.2."""
    account = gap_account()
    events = []
    for price in GAP_MARKS:
        events += account.mark({"BTCUSDT": price})
    (event,) = [e for e in events if e["type"] == "stop_loss"]
    return event


def _fee_at(price):
    """The taker fee on 07.2's 0.5 BTC traded at ``price``."""
    return GAP_SIZE * price * contract("BTCUSDT").taker_fee


def whipsaw_final_equity(stop_distance):
    """Final equity of 07.3's plan on the whipsaw, with ``stop_distance`` (None: no stop)."""
    order = Order("BTCUSDT", "long", margin=MARGIN, leverage=WHIPSAW_LEVERAGE,
                  margin_mode="isolated", stop_distance=stop_distance)
    run = replay(scenarios.whipsaw()[["BTCUSDT"]], [order], liquidation_prices=False)
    return run.summary()["final_equity"]


def better_on_whipsaw():
    with_stop = whipsaw_final_equity(WHIPSAW_STOP)
    return CHOICES[0] if with_stop > whipsaw_final_equity(None) else CHOICES[1]


def _other(choice):
    return CHOICES[1] if choice == CHOICES[0] else CHOICES[0]


def sized(**changes):
    """07.4's plan through :func:`~crossmargin.lessons.stops.position_size` (``changes``
    replace its arguments: the slips are the same plan with a part left out)."""
    plan = dict(risk_budget=RISK_BUDGET, entry_price=ENTRY, stop_price=SIZING_STOP,
                leverage=SIZING_LEVERAGE, gap_allowance=SIZING_GAP)
    return position_size(**{**plan, **changes})


def _size_to_liquidation():
    """The slip of sizing on the liquidation price instead of the stop (fees and gap kept)."""
    return sized(stop_price=sized().liquidation_price).size


EXERCISES = [
    Exercise(
        id="07.1",
        prompt="An isolated BTC long opened at 60,000 with 1,000 USDT of margin at 25x. How far "
               "below the entry (in % of the entry, to 2 decimals) is its liquidation price — "
               "the farthest a stop can sit and still trigger first?",
        expected=liquidation_distance_pct,
        unit="%",
        precision=0.01,
        sign_note="Give the distance below the entry as a positive percent (3.5, not -3.5).",
        hint="The table of liquidation distances in 'A stop must sit before the liquidation "
             "price' was built for exactly this position (1,000 USDT of margin at 60,000), one "
             "row per leverage: read the isolated column. To compute it yourself, "
             "formulas.liquidation_price('long', size, 60_000, 1_000, brackets=...) with size "
             "= 1,000 × 25 / 60,000 BTC, then (60,000 − liquidation price) / 60,000 × 100.",
        mistakes=(
            Mistake(lambda: 100 / LEVERAGE,
                    "1 / leverage is where the margin would be all gone (the bankruptcy "
                    "price). Liquidation comes earlier, while the maintenance margin is "
                    "still there."),
        ),
        explanation="A stop placed farther away than this never triggers: the position is "
                    "liquidated first.",
    ),
    Exercise(
        id="07.2",
        prompt="Cross account, 10,000 USDT, 10x: a 0.5 BTC long from 60,000 with a stop at "
               "58,500. The mark moves to 58,700, then gaps to 56,000 in one step. What does "
               "the stop realize, fee included (negative for a loss), in USDT, to 2 decimals?",
        expected=lambda: gap_stop_event()["amount"],
        unit="USDT",
        precision=0.01,
        sign_note="The stop closes the long at a loss: give a negative number.",
        hint="Start from a fresh account like the lesson's first one: gap = "
             "examples.btc_long(10, size=0.5) is this very position (10,000 USDT, cross, "
             "mark 60,000). Then gap.set_stop_loss('BTCUSDT', 58_500), mark 58,700, and mark "
             "56,000: that last mark returns the stop event, whose 'amount' is the realized "
             "PnL minus the fee. Before you run it: the mark landed far past the trigger — "
             "where does the stop fill (section 'Gaps and slippage')?",
        mistakes=(
            Mistake(lambda: GAP_SIZE * (GAP_TRIGGER - ENTRY) - _fee_at(GAP_TRIGGER),
                    "That is the loss at the trigger price. The mark gapped more than 0.5 % "
                    "past the trigger, so the stop filled at the gapped mark (the course's model of "
                    "a fill on the order book after a gap)."),
            Mistake(lambda: GAP_SIZE * (GAP_MARKS[1] - ENTRY),
                    "Right fill price, but the taker fee on the closing trade is missing."),
            Mistake(lambda: GAP_SIZE * (GAP_MARKS[1] - ENTRY) - _fee_at(GAP_TRIGGER),
                    "Right fill price, but the fee is charged on what the closing trade is "
                    "worth at the fill, 56,000, not at the trigger."),
            Mistake(lambda: gap_stop_event()["amount"] - _fee_at(ENTRY),
                    "You added the opening fee too. It left the wallet when the position was "
                    "opened; what the stop realizes counts only the closing trade's fee."),
            Mistake(lambda: GAP_SIZE * (GAP_MARKS[0] - ENTRY) - _fee_at(GAP_MARKS[0]),
                    "That is the mark before the gap, 58,700: the stop was not triggered "
                    "there (58,700 is above 58,500)."),
        ),
        explanation="The gap cost far more than the distance to the stop: a stop-market "
                    "order limits the size of the position, not the price you get.",
    ),
    Exercise(
        id="07.3",
        prompt="An isolated 10x BTC long with 1,000 USDT of margin rides scenarios.whipsaw() "
               "(a 10 % drop and a full recovery, twice). Which ends with more equity: "
               "'with the stop' (3 % below the entry) or 'without a stop'?",
        expected=better_on_whipsaw,
        kind="choice",
        options=CHOICES,
        hint="Replay both plans as the lesson did in 'The honest cost: whipsaws' (an Order with "
             "margin_mode='isolated' and stop_distance=0.03 or None, then replay(...)) and "
             "compare summary()['final_equity']. Where is the liquidation price of a 10x "
             "long, compared with a 10 % drop? The table of liquidation distances says.",
        mistakes=(
            Mistake(lambda: _other(better_on_whipsaw()),
                    "Look at the liquidation price: at 10x it is less than 10 % below the "
                    "entry, so without a stop the first dip liquidates the position before "
                    "the recovery. At 5x the same stop would have cost money instead."),
        ),
        explanation="A stop costs money in a dip that recovers, unless the dip would have "
                    "liquidated you anyway.",
    ),
    Exercise(
        id="07.4",
        prompt="You accept losing 200 USDT if the stop fires. A BTC long at 60,000, isolated at "
               "10x, with its stop at 58,800; plan for a fill 0.5 % past the stop (a gap) and "
               "for the taker fee, 0.05 %, on the opening and on the closing trade. What size, "
               "in BTC, to 4 decimals, loses exactly 200 USDT at that fill?",
        expected=lambda: sized().size,
        unit="BTC",
        precision=0.0001,
        sign_note="Give the size as a positive number of BTC (the side is already long).",
        hint="The section 'Size the position from the stop' adds up what one BTC loses: the "
             "way from the entry down to the fill (the stop, then the gap past it) and two "
             "taker fees, each on its own trade's price. The budget divided by that is the "
             "size; stops.position_size does the sum for you.",
        mistakes=(
            Mistake(lambda: RISK_BUDGET / (ENTRY - SIZING_STOP),
                    "That is budget / stop distance, the textbook size: it leaves out both the "
                    "gap past the stop and the two fees, so the real loss at the fill is more "
                    "than 200 USDT."),
            Mistake(lambda: sized(taker_fee=0.0).size,
                    "The gap is in, but the fees are missing: the taker fee is paid on the "
                    "opening trade and again on the closing one, and both count against the "
                    "budget."),
            Mistake(lambda: sized(gap_allowance=0.0).size,
                    "The fees are in, but the gap is missing: a stop-market order fills on the "
                    "order book, and you planned for a fill 0.5 % below the trigger."),
            Mistake(_size_to_liquidation,
                    "That sizes the loss down to the liquidation price, not to the stop. The "
                    "stop is where you leave (it sits inside the liquidation price at 10x): "
                    "its distance, plus the gap and the fees, is what the budget pays for."),
            Mistake(lambda: RISK_BUDGET / (ENTRY - sized().liquidation_price),
                    "That divides the budget by the distance to the liquidation price. The "
                    "stop is where you leave: use the distance to its fill, plus the fees."),
        ),
        explanation="The leverage did not enter the size: it only sets the margin and the "
                    "liquidation price, which must lie beyond the planned fill.",
    ),
]
