"""Property tests: the engine's invariants over random inputs and operation sequences."""
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crossmargin import Account, Brackets, CrossMarginError, formulas

SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
START = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0, "SOLUSDT": 150.0}
TABLES = {s: Brackets.load(s) for s in SYMBOLS}

sides = st.sampled_from(["long", "short"])


@given(side=sides, symbol=st.sampled_from(SYMBOLS),
       notional=st.floats(100, 5e8), leverage=st.floats(1, 125))
@settings(max_examples=300, deadline=None)
def test_margin_ratio_is_one_at_the_liquidation_price(side, symbol, notional, leverage):
    table = TABLES[symbol]
    entry = START[symbol]
    size = notional / entry
    wallet = notional / leverage
    lp = formulas.liquidation_price(side, size, entry, wallet, brackets=table)
    assume(lp is not None)
    mm = formulas.maintenance_margin(size, lp, table)
    balance = wallet + formulas.unrealized_pnl(side, size, entry, lp)
    assert mm / balance == pytest.approx(1.0, rel=1e-7)


@given(btc_side=sides, eth_side=sides, btc_margin=st.floats(500, 4_000),
       eth_margin=st.floats(500, 4_000), lev=st.integers(2, 50),
       eth_move=st.floats(0.7, 1.3))
@settings(max_examples=150, deadline=None)
def test_cross_margin_ratio_is_one_at_each_cross_liquidation_price(
        btc_side, eth_side, btc_margin, eth_margin, lev, eth_move):
    acc = Account()
    acc.deposit(10_000)
    acc.mark(START)
    for s in ("BTCUSDT", "ETHUSDT"):
        acc.set_leverage(s, lev)
    acc.open("BTCUSDT", btc_side, START["BTCUSDT"], margin=btc_margin)
    acc.open("ETHUSDT", eth_side, START["ETHUSDT"], margin=eth_margin)
    acc.mark({"ETHUSDT": START["ETHUSDT"] * eth_move})
    assume(acc.open_symbols == ["BTCUSDT", "ETHUSDT"])
    lp = acc.liquidation_price("BTCUSDT")
    assume(lp is not None)
    acc._marks["BTCUSDT"] = lp          # look at the account exactly there, without acting
    assert acc.margin_ratio() == pytest.approx(1.0, rel=1e-7)


# -- random operation sequences ------------------------------------------------------------
amounts = st.one_of(st.floats(-100, 20_000), st.sampled_from([0.0, math.nan, math.inf]))
ops = st.one_of(
    st.tuples(st.just("deposit"), amounts, st.sampled_from(["USDT", "USDT", "BTC", "DOGE"])),
    st.tuples(st.just("withdraw"), amounts, st.sampled_from(["USDT", "BTC"])),
    st.tuples(st.just("mode"), st.sampled_from(SYMBOLS + ["XRPUSDT"]),
              st.sampled_from(["cross", "isolated", "portfolio"])),
    st.tuples(st.just("leverage"), st.sampled_from(SYMBOLS), st.floats(-5, 150)),
    st.tuples(st.just("open"), st.sampled_from(SYMBOLS), sides, amounts,
              st.sampled_from(["size", "margin", "notional"])),
    st.tuples(st.just("close"), st.sampled_from(SYMBOLS), st.one_of(st.none(), st.floats(0, 5))),
    st.tuples(st.just("add_margin"), st.sampled_from(SYMBOLS), amounts),
    st.tuples(st.just("remove_margin"), st.sampled_from(SYMBOLS), amounts),
    st.tuples(st.just("stop"), st.sampled_from(SYMBOLS), st.floats(0.5, 1.5)),
    st.tuples(st.just("mark"), st.lists(st.floats(0.5, 1.6), min_size=3, max_size=3)),
)


def apply(acc, op):
    kind, *args = op
    if kind == "deposit":
        acc.deposit(args[0], args[1])
    elif kind == "withdraw":
        acc.withdraw(args[0], args[1])
    elif kind == "mode":
        acc.set_margin_mode(*args)
    elif kind == "leverage":
        acc.set_leverage(*args)
    elif kind == "open":
        symbol, side, amount, field = args
        scale = {"size": 1 / START[symbol], "margin": 0.1, "notional": 1.0}[field]
        value = amount * scale if math.isfinite(amount) else amount
        acc.open(symbol, side, acc.mark_price(symbol), **{field: value})
    elif kind == "close":
        acc.close(args[0], size=args[1])
    elif kind == "add_margin":
        acc.add_margin(*args)
    elif kind == "remove_margin":
        acc.remove_margin(*args)
    elif kind == "stop":
        symbol, factor = args
        acc.set_stop_loss(symbol, acc.mark_price(symbol) * factor)
    elif kind == "mark":
        return acc.mark({s: acc.mark_price(s) * f for s, f in zip(SYMBOLS, args[0])})


def fingerprint(acc):
    return (acc.summary().to_json(), acc.positions().to_json(), acc.balances().to_json(),
            acc.ledger().to_json(), dict(acc._modes), dict(acc._leverage), dict(acc._marks))


def check_invariants(acc):
    ledger = acc.ledger()
    bal = acc.balances()
    for _, row in bal.iterrows():
        if row.wallet == "cross":
            rows = ledger[(ledger.wallet == "cross") & (ledger.asset == row.asset)]
        else:
            rows = ledger[(ledger.wallet == "isolated") & (ledger.symbol == row.symbol)]
        assert rows.amount.sum() == pytest.approx(row.balance, abs=1e-6)
    for p in acc._positions.values():
        if p.margin_mode == "isolated":
            assert p.isolated_margin >= -1e-9


@given(st.lists(ops, max_size=25))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_operations_conserve_money_and_reject_cleanly(sequence):
    acc = Account()
    acc.deposit(10_000)
    acc.mark(START)
    for op in sequence:
        before = fingerprint(acc)
        try:
            apply(acc, op)
        except CrossMarginError:
            assert fingerprint(acc) == before, f"rejected {op} changed the account"
            continue
        check_invariants(acc)
        if op[0] == "mark":
            # No liquidation left pending, and nothing below zero.
            for s in acc.open_symbols:
                if acc.margin_mode(s) == "isolated":
                    assert acc.margin_ratio(s) < 1.0
            if any(acc.margin_mode(s) == "cross" for s in acc.open_symbols):
                assert acc.margin_ratio() < 1.0
            assert acc._cross_equity() >= -1e-6


@given(side=sides, leverage=st.integers(1, 125), margin=st.floats(10, 9_000),
       path=st.lists(st.floats(0.3, 2.0), min_size=1, max_size=20))
@settings(max_examples=200, deadline=None)
def test_isolated_loss_never_exceeds_its_margin(side, leverage, margin, path):
    acc = Account()
    acc.deposit(10_000)
    acc.mark({"BTCUSDT": 60_000})
    acc.set_margin_mode("BTCUSDT", "isolated")
    acc.set_leverage("BTCUSDT", leverage)
    try:
        acc.open("BTCUSDT", side, 60_000, margin=margin)
    except CrossMarginError:
        return
    after_open = acc.summary().equity
    for factor in path:
        acc.mark({"BTCUSDT": 60_000 * factor})
    loss = after_open - acc.summary().equity
    assert loss <= margin + 1e-6
    opening_fee = margin * leverage * 0.0005
    assert acc.summary().wallet_balance >= 10_000 - margin - opening_fee - 1e-6
