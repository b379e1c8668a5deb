"""Instant shocks (crossmargin.simulation.shocks) agree with the Account marked once at the shocked prices."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossmargin import Account, contract
from crossmargin.errors import CrossMarginError, InsufficientBalance, InvalidInput, LeverageTooHigh, UnknownSymbol
from crossmargin.simulation.shocks import Leg, liquidation_move, shock_outcomes

PAIR = [Leg("BTCUSDT", "long", 2_000, 10, 60_000), Leg("ETHUSDT", "short", 2_000, 10, 3_000)]


def marked_account(legs, deposit, moves, mode):
    """The same positions opened in an Account (taker fee on open), marked once at the shock:
    (the account, the mark's events)."""
    acc = Account()
    acc.deposit(deposit)
    for leg in legs:
        acc.set_margin_mode(leg.symbol, mode)
        acc.set_leverage(leg.symbol, leg.leverage)
        acc.open(leg.symbol, leg.side, leg.entry_price, margin=leg.margin)
    events = acc.mark({leg.symbol: leg.entry_price * (1.0 + moves.get(leg.symbol, 0.0))
                       for leg in legs})
    return acc, events


def account_after(legs, deposit, moves, mode):
    return marked_account(legs, deposit, moves, mode)[0]


def cut_and_open(acc, events):
    """Symbols the account's liquidation cut and left open."""
    cut = {e["symbol"] for e in events if e["type"] == "partial_liquidation"}
    return sorted(cut & set(acc.open_symbols))


def assert_agrees(legs, deposit, moves, out):
    """``out`` (one shock) says what the Account says, in both modes."""
    iso, events = marked_account(legs, deposit, moves, "isolated")
    assert out.isolated_equity == pytest.approx(iso.summary().equity, rel=1e-9, abs=1e-6)
    assert sorted(out.liquidated("isolated")) == sorted(set(s.symbol for s in legs)
                                                        - set(iso.open_symbols))
    assert out.cut("isolated") == cut_and_open(iso, events)
    cross, events = marked_account(legs, deposit, moves, "cross")
    assert out.cross_equity == pytest.approx(cross.summary().equity, rel=1e-9, abs=1e-6)
    assert out.cross_liquidated == (not cross.open_symbols)
    assert out.cut("cross") == cut_and_open(cross, events)
    if out.cut("cross"):      # the ratio before the procedure started, and after the cut
        assert out.cross_margin_ratio >= 1.0 > cross.margin_ratio()
    elif cross.open_symbols:
        assert out.cross_margin_ratio == pytest.approx(cross.margin_ratio(), rel=1e-9)


def test_guide_pair_btc_drop_liquidates_only_the_isolated_long():
    out = shock_outcomes(PAIR, 10_000, {"BTCUSDT": -0.15})
    assert out.liquidated("isolated") == ["BTCUSDT"]
    assert out.liquidated("cross") == []
    assert isinstance(out.cross_equity, float) and isinstance(out.cross_liquidated, bool)
    assert_agrees(PAIR, 10_000, {"BTCUSDT": -0.15}, out)


def test_hedge_breaking_wipes_out_cross_but_isolated_keeps_the_rest():
    moves = {"BTCUSDT": -0.5, "ETHUSDT": 0.5}
    out = shock_outcomes(PAIR, 10_000, moves)
    assert out.cross_liquidated and out.cross_equity == 0.0
    assert out.liquidated("isolated") == ["BTCUSDT", "ETHUSDT"]
    fees = sum(leg.notional * 0.0005 for leg in PAIR)
    assert out.isolated_equity == pytest.approx(10_000 - 4_000 - fees)
    assert_agrees(PAIR, 10_000, moves, out)


@pytest.mark.parametrize("mode_moves", [
    {"BTCUSDT": m, "ETHUSDT": e} for m in np.linspace(-0.6, 0.6, 13) for e in (-0.4, 0.0, 0.35)])
def test_grid_points_agree_with_the_account(mode_moves):
    legs = [Leg("BTCUSDT", "long", 4_900, 10, 60_000), Leg("ETHUSDT", "short", 4_900, 10, 3_000)]
    out = shock_outcomes(legs, 10_000, mode_moves)
    assert_agrees(legs, 10_000, mode_moves, out)


def test_a_grid_in_one_call_matches_point_by_point():
    btc = np.linspace(-0.6, 0.6, 25)
    eth = np.linspace(-0.6, 0.6, 9)
    grid = shock_outcomes(PAIR, 10_000, {"BTCUSDT": btc[:, None], "ETHUSDT": eth[None, :]})
    assert grid.cross_equity.shape == (25, 9)
    for i in (0, 7, 12, 20, 24):
        for j in (0, 3, 8):
            one = shock_outcomes(PAIR, 10_000, {"BTCUSDT": btc[i], "ETHUSDT": eth[j]})
            assert grid.cross_equity[i, j] == one.cross_equity
            assert grid.isolated_equity[i, j] == one.isolated_equity
            assert grid.isolated_liquidated["BTCUSDT"][i, j] == one.isolated_liquidated["BTCUSDT"]
    frame = grid.to_frame()
    assert len(frame) == 25 * 9 and "isolated_ETHUSDT_liquidated" in frame
    assert {"isolated_BTCUSDT_cut", "cross_ETHUSDT_cut"} <= set(frame)


def test_a_grid_of_big_positions_matches_point_by_point_cuts_included():
    legs = [BIG_BTC, Leg("SOLUSDT", "short", 40_000, 10, 150)]
    btc = np.linspace(-0.12, -0.02, 41)
    sol = np.array([0.0, 0.05, 0.1])
    grid = shock_outcomes(legs, 2_500_000, {"BTCUSDT": btc[:, None], "SOLUSDT": sol[None, :]})
    assert grid.isolated_cut["BTCUSDT"].any() and grid.cross_cut["BTCUSDT"].any()
    for i in range(0, 41, 4):
        for j in range(3):
            one = shock_outcomes(legs, 2_500_000, {"BTCUSDT": btc[i], "SOLUSDT": sol[j]})
            assert grid.cross_equity[i, j] == one.cross_equity
            assert grid.isolated_equity[i, j] == one.isolated_equity
            for s in ("BTCUSDT", "SOLUSDT"):
                assert grid.isolated_cut[s][i, j] == one.isolated_cut[s]
                assert grid.cross_cut[s][i, j] == one.cross_cut[s]


legs_strategy = st.lists(
    st.tuples(st.sampled_from(["BTCUSDT", "ETHUSDT", "SOLUSDT"]), st.sampled_from(["long", "short"]),
              st.floats(50, 5_000), st.integers(1, 75)),
    min_size=1, max_size=3, unique_by=lambda t: t[0])
ENTRY = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0, "SOLUSDT": 150.0}


@settings(max_examples=150, deadline=None)
@given(legs_strategy, st.floats(1.0, 3.0),
       st.lists(st.floats(-0.9, 1.5), min_size=3, max_size=3))
def test_any_shock_agrees_with_the_account(specs, room, moves):
    legs = [Leg(s, side, margin, lev, ENTRY[s]) for s, side, margin, lev in specs]
    need = sum(leg.margin + leg.notional * 0.0005 for leg in legs)
    deposit = need * room
    shock = {leg.symbol: m for leg, m in zip(legs, moves)}
    try:
        out = shock_outcomes(legs, deposit, shock)
    except CrossMarginError as refusal:        # refused exactly when the account refuses
        with pytest.raises(type(refusal)):
            account_after(legs, deposit, shock, "cross")
        return
    assert_agrees(legs, deposit, shock, out)
    assert out.isolated_equity >= deposit - need - 1e-6    # isolated loses at most its margins
    assert out.cross_equity >= 0


BIG_BTC = Leg("BTCUSDT", "long", 1_000_000, 20, 60_000)      # 20M notional: tier 5, MMR 2 %


def test_one_cut_saves_a_position_in_a_tier_above_the_clearance_fee():
    # -3.8 %: notional 19.24M, MM 253,350 > margin 1M + UPNL -760k: the procedure starts
    out = shock_outcomes([BIG_BTC], 2_000_000, {"BTCUSDT": -0.038})
    assert out.isolated_margin_ratio["BTCUSDT"] > 1
    assert out.cut("isolated") == ["BTCUSDT"] and out.liquidated("isolated") == []
    # cut to tier 5's floor (12M) at the mark, 1.25 % on the 7.24M closed; the rest stays open
    value = BIG_BTC.size * 60_000 * 0.962
    open_fee = BIG_BTC.notional * 0.0005
    expected = 2_000_000 - open_fee - 760_000 - (value - 12_000_000) * 0.0125
    assert out.isolated_equity == pytest.approx(expected)
    assert_agrees([BIG_BTC], 2_000_000, {"BTCUSDT": -0.038}, out)
    # cross, -9 %: ratio 1.22, the cut brings it back under 100 %
    out = shock_outcomes([BIG_BTC], 2_000_000, {"BTCUSDT": -0.09})
    assert out.cross_margin_ratio > 1 and out.cut("cross") == ["BTCUSDT"]
    assert not out.cross_liquidated
    assert_agrees([BIG_BTC], 2_000_000, {"BTCUSDT": -0.09}, out)


def test_a_cut_that_does_not_restore_the_margin_ends_as_the_full_close():
    # BTC tier 2 (MMR 0.5 % < the 1.25 % fee): the cut cannot save it, and the money is
    # what closing everything at once for the fee (capped by what is left) leaves
    leg = Leg("BTCUSDT", "long", 1_000, 80, 60_000)       # 80k notional
    out = shock_outcomes([leg], 10_000, {"BTCUSDT": -0.009})
    assert out.liquidated("isolated") == ["BTCUSDT"] and out.cut("isolated") == []
    left = leg.initial_margin + leg.size * 60_000 * -0.009
    value = leg.size * 60_000 * 0.991
    kept = 10_000 - leg.notional * 0.0005 - leg.initial_margin
    assert left > 0 and out.isolated_equity == pytest.approx(kept + max(0.0, left - value * 0.0125))
    _, events = marked_account([leg], 10_000, {"BTCUSDT": -0.009}, "isolated")
    assert [e["type"] for e in events] == ["partial_liquidation", "liquidation"]
    assert_agrees([leg], 10_000, {"BTCUSDT": -0.009}, out)


@pytest.mark.parametrize("legs, deposit", [
    ([BIG_BTC], 2_000_000),
    ([Leg("SOLUSDT", "short", 15_000, 20, 150)], 30_000),                      # 300k: tier 4
    ([BIG_BTC, Leg("SOLUSDT", "short", 40_000, 10, 150)], 2_500_000),
    ([Leg("ETHUSDT", "short", 600_000, 25, 3_000), Leg("SOLUSDT", "long", 20_000, 20, 150)],
     1_500_000)])
def test_near_the_liquidation_move_cuts_and_closes_agree_with_the_account(legs, deposit):
    """Moves just past the liquidation move of the first leg, where a cut can save it."""
    seen = set()
    for mode in ("isolated", "cross"):
        start = liquidation_move(legs, deposit, legs[0].symbol, mode)
        for step in np.linspace(0, 0.02, 21):
            moves = {legs[0].symbol: start - legs[0].sign * step}
            out = shock_outcomes(legs, deposit, moves)
            assert_agrees(legs, deposit, moves, out)
            if mode == "isolated":
                seen.add(("cut" if out.isolated_cut[legs[0].symbol] else
                          "closed" if out.isolated_liquidated[legs[0].symbol] else "open"))
            else:
                seen.add("cut" if out.cut("cross") else
                         "closed" if out.cross_liquidated else "open")
    assert {"cut", "closed"} <= seen


def test_the_cross_cut_takes_the_largest_maintenance_margin_first():
    legs = [Leg("SOLUSDT", "short", 40_000, 10, 150), BIG_BTC]        # BTC's MM is larger
    moves = {"BTCUSDT": liquidation_move(legs, 2_500_000, "BTCUSDT", "cross") - 0.002}
    out = shock_outcomes(legs, 2_500_000, moves)
    assert out.cut("cross") == ["BTCUSDT"]
    assert out.cross_cut["SOLUSDT"] is False
    assert_agrees(legs, 2_500_000, moves, out)


def test_liquidation_moves_put_the_margin_ratio_at_100_percent():
    iso = liquidation_move(PAIR, 10_000, "BTCUSDT", "isolated")
    acc = account_after(PAIR, 10_000, {}, "isolated")
    assert iso == pytest.approx(acc.liquidation_price("BTCUSDT") / 60_000 - 1)
    cross = liquidation_move(PAIR, 10_000, "BTCUSDT", "cross", {"ETHUSDT": 0.1})
    out = shock_outcomes(PAIR, 10_000, {"BTCUSDT": cross, "ETHUSDT": 0.1})
    assert out.cross_margin_ratio == pytest.approx(1.0, rel=1e-9)
    assert cross < iso < 0    # the shared pool carries the long much further
    arr = liquidation_move(PAIR, 10_000, "BTCUSDT", "cross", {"ETHUSDT": np.array([0.0, 0.1])})
    assert arr[1] == pytest.approx(cross) and arr[0] < arr[1]
    short = liquidation_move(PAIR, 10_000, "ETHUSDT", "isolated")
    assert 0 < short < 0.1


def test_a_fully_backed_long_has_no_liquidation_move():
    legs = [Leg("BTCUSDT", "long", 1_000, 1, 60_000)]
    assert liquidation_move(legs, 10_000, "BTCUSDT", "cross") is None


def test_refuses_what_the_account_refuses():
    legs = [Leg("BTCUSDT", "long", 5_000, 10, 60_000), Leg("ETHUSDT", "short", 5_000, 10, 3_000)]
    with pytest.raises(InsufficientBalance, match=r"legs item 1 \(ETHUSDT\).*4,975.00 USDT"):
        shock_outcomes(legs, 10_000, {})
    with pytest.raises(LeverageTooHigh, match="150x exceeds the 125x"):
        shock_outcomes([Leg("BTCUSDT", "long", 100, 150, 60_000)], 10_000, {})
    with pytest.raises(LeverageTooHigh, match="100x exceeds the 50x"):   # 5M notional: tier 4
        shock_outcomes([Leg("BTCUSDT", "long", 50_000, 100, 60_000)], 100_000, {})
    with pytest.raises(UnknownSymbol, match="DOGEUSDT"):
        shock_outcomes([Leg("DOGEUSDT", "long", 100, 5, 0.1)], 10_000, {})
    with pytest.raises(InvalidInput, match="second BTCUSDT"):
        shock_outcomes([PAIR[0], PAIR[0]], 10_000, {})


@pytest.mark.parametrize("kwargs, field", [
    (dict(side="up"), "side"), (dict(margin=0), "margin"), (dict(margin=math.nan), "margin"),
    (dict(leverage=0.5), "leverage"), (dict(leverage="ten"), "leverage"),
    (dict(entry_price=-1), "entry_price"), (dict(symbol=""), "symbol")])
def test_bad_legs(kwargs, field):
    spec = dict(symbol="BTCUSDT", side="long", margin=1_000, leverage=10, entry_price=60_000)
    with pytest.raises(InvalidInput, match=field):
        Leg(**{**spec, **kwargs})


@pytest.mark.parametrize("moves, words", [
    ({"BTCUSDT": -1.0}, "move of BTCUSDT must be finite and > -1"),
    ({"BTCUSDT": np.array([0.1, -1.5])}, "got -1.5"),
    ({"BTCUSDT": math.nan}, "move of BTCUSDT"),
    ({"BTCUSDT": "down"}, "move of BTCUSDT"),
    ({"SOLUSDT": 0.1}, "no leg holds"),
    ([-0.1, 0.1], "moves must be a mapping"),
    ({"BTCUSDT": np.zeros(3), "ETHUSDT": np.zeros(4)}, "broadcast"),
])
def test_bad_moves(moves, words):
    with pytest.raises(InvalidInput, match=words):
        shock_outcomes(PAIR, 10_000, moves)


def test_bad_calls():
    with pytest.raises(InvalidInput, match="deposit"):
        shock_outcomes(PAIR, -5, {})
    with pytest.raises(InvalidInput, match="legs must hold"):
        shock_outcomes([], 10_000, {})
    with pytest.raises(InvalidInput, match="legs item 0 must be a Leg"):
        shock_outcomes([("BTCUSDT", "long")], 10_000, {})
    with pytest.raises(InvalidInput, match="mode"):
        liquidation_move(PAIR, 10_000, "BTCUSDT", "portfolio")
    with pytest.raises(InvalidInput, match="not one of the legs"):
        liquidation_move(PAIR, 10_000, "SOLUSDT", "cross")
    with pytest.raises(InvalidInput, match="must not name 'BTCUSDT'"):
        liquidation_move(PAIR, 10_000, "BTCUSDT", "cross", {"BTCUSDT": 0.1})
    grid = shock_outcomes(PAIR, 10_000, {"BTCUSDT": np.zeros(3)})
    with pytest.raises(InvalidInput, match="one shock"):
        grid.liquidated("cross")
    with pytest.raises(InvalidInput, match=r"cut\(\) describes one shock"):
        grid.cut("isolated")
    with pytest.raises(InvalidInput, match="mode"):
        shock_outcomes(PAIR, 10_000, {}).cut("both")


def test_custom_contracts_change_the_fees():
    free = [contract("BTCUSDT").with_(taker_fee=0.0), contract("ETHUSDT").with_(taker_fee=0.0)]
    out = shock_outcomes(PAIR, 10_000, {}, contracts=free)
    assert out.cross_equity == 10_000 and out.isolated_equity == pytest.approx(10_000)
