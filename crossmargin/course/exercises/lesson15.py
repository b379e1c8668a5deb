"""Lesson 15 · Final quiz: a summative quiz over lessons 01-14, no exercises.

The questions live in ``quizzes/lesson15.json``; every number they state is computed here by
the engine (:data:`QUIZ_VALUES`), so the quiz follows the engine's rules and tables.
"""
from ...engine.account import Account
from ...engine.contracts import contract
from ...engine.formulas import initial_margin, maintenance_margin, notional, position_summary
from ...engine.platforms import okx_margin_ratio
from ...formats import fmt_pct
from ...lessons.stops import position_size
from ...simulation.stats import wilson_interval

EXERCISES = []

#: 15.q1 and 15.q11: a 0.5 BTC long at 60,000 at 10x (isolated: 3,000 USDT of margin).
SIZE, ENTRY, LEVERAGE = 0.5, 60_000.0, 10
#: 15.q2: two BTCUSDT notionals in different brackets.
SMALL, LARGE = 40_000.0, 400_000.0
#: 15.q3: the funding rate of one 8-hour interval.
FUNDING_TIME, FUNDING_RATE = "2024-01-01 08:00", 0.0001
#: 15.q6: one notional opened at two leverages.
FEE_NOTIONAL, FEE_LEVERAGES = 30_000.0, (5, 20)
#: 15.q14: a Binance margin ratio, read on OKX (fee to close: 0.05 % of a 50,000 notional).
BINANCE_RATIO, OKX_NOTIONAL = 0.5, 50_000.0
#: 15.q15: a 100 USDT budget, a stop 5 % below 60,000, a 1 % gap allowance.
BUDGET, STOP = 100.0, 57_000.0
#: 15.q18: paths without a liquidation, out of this many.
PATHS = 1_000


def _usdt(x):
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.2f}"


def funding_paid():
    """What the 0.5 BTC long pays at one funding instant (an Account, the contract's rate)."""
    spec = contract("BTCUSDT").with_(funding_rate=FUNDING_RATE)
    account = Account(contracts=[spec])
    account.deposit(10_000)
    account.mark({"BTCUSDT": ENTRY}, time="2024-01-01 07:00")
    account.open("BTCUSDT", "long", ENTRY, size=SIZE)
    (event,) = account.mark({"BTCUSDT": ENTRY}, time=FUNDING_TIME)
    return -event["amount"]


def _values():
    btc = contract("BTCUSDT")
    brackets = btc.brackets
    isolated = position_summary("long", LEVERAGE, ENTRY, notional(SIZE, ENTRY) / LEVERAGE,
                                brackets=brackets)
    (low_rate, _), (high_rate, _) = brackets.lookup(SMALL), brackets.lookup(LARGE)
    first_rate, _ = brackets.lookup(0.0)
    fee = FEE_NOTIONAL * btc.taker_fee
    margins = [FEE_NOTIONAL / lev for lev in FEE_LEVERAGES]
    # Binance's ratio 50 %: margin balance = 2 × MM; OKX divides the same equity by MM + fee
    mm = maintenance_margin(OKX_NOTIONAL / ENTRY, ENTRY, brackets)
    okx = okx_margin_ratio(mm / BINANCE_RATIO, mm, OKX_NOTIONAL * btc.taker_fee)
    sized = {lev: position_size(BUDGET, ENTRY, STOP, leverage=lev, gap_allowance=0.01)
             for lev in (5, 20)}
    _, high = wilson_interval(0, PATHS)
    return {
        "notional": _usdt(notional(SIZE, ENTRY)),
        "initial_margin": _usdt(initial_margin(SIZE, ENTRY, LEVERAGE)),
        "maintenance_margin": _usdt(maintenance_margin(SIZE, ENTRY, brackets)),
        "leveraged_twice": _usdt(notional(SIZE, ENTRY) * LEVERAGE),
        "low_rate": fmt_pct(low_rate, 1), "high_rate": fmt_pct(high_rate, 1),
        "low_max_leverage": f"{brackets.max_leverage(SMALL):g}x",
        "high_max_leverage": f"{brackets.max_leverage(LARGE):g}x",
        "funding": _usdt(funding_paid()),
        "fee": _usdt(fee), "margin_low": _usdt(margins[0]), "margin_high": _usdt(margins[1]),
        "fee_on_margin_low": _usdt(margins[0] * btc.taker_fee),
        "fee_share_low": fmt_pct(fee / margins[0], 2), "fee_share_high": fmt_pct(fee / margins[1], 2),
        "clearance_fee": fmt_pct(btc.liquidation_fee_rate, 2), "first_rate": fmt_pct(first_rate, 1),
        "liquidation_price": _usdt(isolated["liquidation_price"]),
        "bankruptcy_price": _usdt(isolated["bankruptcy_price"]),
        "okx_ratio": fmt_pct(okx, 0),
        "sized_margin_low": _usdt(sized[5].margin), "sized_margin_high": _usdt(sized[20].margin),
        "wilson_high": fmt_pct(high, 2),
    }


#: The numbers the quiz's text names as ``{name}``.
QUIZ_VALUES = _values()
