"""Binance / Bybit / OKX: same words, different formulas (crossmargin.engine.platforms)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossmargin import formulas as f
from crossmargin import platforms as p
from crossmargin.engine.brackets import Brackets
from crossmargin.errors import InvalidInput

BTC = Brackets.load("BTCUSDT")  # Binance snapshot 2024-10-24: tier 1 < 50,000 USDT at 0.4 %

sides = st.sampled_from(["long", "short"])
sizes = st.floats(0.001, 50.0)
prices = st.floats(100.0, 200_000.0)
leverages = st.floats(1.5, 125.0)
rates = st.floats(0.001, 0.1)


# -- Binance ------------------------------------------------------------------------------------
@pytest.mark.parametrize("side", ["long", "short"])
def test_binance_isolated_lp_is_formulas_liquidation_price(side):
    mine = p.binance_isolated_liquidation_price(side, 1.0, 60_000, 6_000, mmr=0.005, cum=50)
    ref = f.liquidation_price(side, 1.0, 60_000, 6_000, mmr=0.005, cum=50)
    assert mine == pytest.approx(ref, rel=1e-12)
    mine = p.binance_isolated_liquidation_price(side, 12.0, 60_000, 36_000, brackets=BTC)
    ref = f.liquidation_price(side, 12.0, 60_000, 36_000, brackets=BTC)
    assert mine == pytest.approx(ref, rel=1e-12)


def test_binance_isolated_lp_vectorized():
    sizes_ = np.array([0.5, 1.0, 20.0])
    margins = sizes_ * 60_000 / 10
    got = p.binance_isolated_liquidation_price("long", sizes_, 60_000, margins, brackets=BTC)
    ref = [f.liquidation_price("long", q, 60_000, m, brackets=BTC) for q, m in zip(sizes_, margins)]
    np.testing.assert_allclose(got, ref, rtol=1e-12)


# -- Bybit --------------------------------------------------------------------------------------
def test_bybit_published_example_long():
    # Bybit help centre, "Liquidation Price (USDT Contract)", Example 1: 1 BTC long at
    # 20,000 USDT, 50x, MMR 0.5 %, no extra margin -> IM 400, MM 100, LP 19,700 USDT.
    assert p.bybit_isolated_liquidation_price("long", 1, 20_000, 50, mmr=0.005) == 19_700


def test_bybit_short_with_extra_margin_by_hand():
    # Same position as a short with 3,000 USDT added: 20,000 + (400 - 100) + 3,000.
    # (A third-party restatement of Bybit's Example 2 gives 23,300; Bybit's own text of
    # that example was not available to check.)
    lp = p.bybit_isolated_liquidation_price("short", 1, 20_000, 50, mmr=0.005,
                                            extra_margin=3_000)
    assert lp == pytest.approx(23_300)


@pytest.mark.parametrize("side, expected", [("long", 54_300.0), ("short", 65_700.0)])
def test_bybit_by_hand(side, expected):
    # 1 BTC at 60,000, 10x, MMR 0.5 %, MMD 0: IM 6,000, MM 300, (IM - MM) / Q = 5,700.
    lp = p.bybit_isolated_liquidation_price(side, 1, 60_000, 10, mmr=0.005, mmd=0.0)
    assert lp == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("size, mmr, mmd", [(1.0, 0.005, 50.0), (12.0, 0.0065, 950.0)])
def test_bybit_brackets_take_the_tier_of_the_entry_notional(size, mmr, mmd):
    # 60,000 USDT sits in tier 2 (0.5 %, 50); 720,000 USDT in tier 3 (0.65 %, 950).
    for side in ("long", "short"):
        with_table = p.bybit_isolated_liquidation_price(side, size, 60_000, 10, brackets=BTC)
        by_hand = p.bybit_isolated_liquidation_price(side, size, 60_000, 10, mmr=mmr, mmd=mmd)
        assert with_table == pytest.approx(by_hand, rel=1e-12)


def test_bybit_vectorized_over_sides_and_leverages():
    got = p.bybit_isolated_liquidation_price(np.array([1, -1, 1]), 1.0, 60_000,
                                             np.array([10, 10, 20]), mmr=0.005)
    np.testing.assert_allclose(got, [54_300, 65_700, 57_300])


@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize("size", [0.05, 0.3, 0.8])
@pytest.mark.parametrize("leverage", [5, 20, 50, 100])
def test_bybit_and_binance_differ_slightly_in_the_first_tier(side, size, leverage):
    entry = 60_000.0
    assert size * entry < 50_000  # first tier of the table
    margin = size * entry / leverage
    binance = p.binance_isolated_liquidation_price(side, size, entry, margin, brackets=BTC)
    bybit = p.bybit_isolated_liquidation_price(side, size, entry, leverage, brackets=BTC)
    assert abs(bybit - binance) / binance < 0.005
    assert abs(bybit - binance) > 1e-3
    # Bybit's MM is taken at the entry value: bigger than Binance's (at LP) for a long,
    # smaller for a short. So Bybit liquidates a long first and a short last.
    assert bybit > binance


@settings(max_examples=200, deadline=None)
@given(side=sides, size=sizes, entry=prices, leverage=leverages, mmr=rates,
       mmd=st.floats(0.0, 100.0), extra=st.floats(0.0, 5_000.0))
def test_at_bybit_lp_position_equity_equals_bybit_mm(side, size, entry, leverage, mmr, mmd,
                                                     extra):
    lp = p.bybit_isolated_liquidation_price(side, size, entry, leverage, mmr=mmr, mmd=mmd,
                                            extra_margin=extra)
    if lp is None:  # a long whose margin covers almost the whole notional
        return
    equity = size * entry / leverage + extra + f.unrealized_pnl(side, size, entry, lp)
    mm_at_entry = size * entry * mmr - mmd
    assert equity == pytest.approx(mm_at_entry, rel=1e-9, abs=1e-6 * size * entry)


# -- OKX ----------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(side=sides, size=sizes, entry=prices, leverage=leverages, mmr=rates,
       fee=st.floats(0.0, 0.001))
def test_okx_ratio_is_one_at_okx_lp(side, size, entry, leverage, mmr, fee):
    margin = size * entry / leverage
    lp = p.okx_isolated_liquidation_price(side, size, entry, margin, mmr=mmr, fee_rate=fee)
    assert lp is not None
    equity = margin + f.unrealized_pnl(side, size, entry, lp)
    ratio = p.okx_margin_ratio(equity, size * lp * mmr, size * lp * fee)
    assert ratio == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("side, expected", [
    # margin 6,000, MMR 0.5 %, fee 0.05 %: long (60,000 - 6,000) / 0.9945,
    # short (60,000 + 6,000) / 1.0055.
    ("long", 54_000 / 0.9945), ("short", 66_000 / 1.0055)])
def test_okx_lp_by_hand(side, expected):
    lp = p.okx_isolated_liquidation_price(side, 1, 60_000, 6_000, mmr=0.005, fee_rate=0.0005)
    assert lp == pytest.approx(expected, rel=1e-12)


def test_okx_with_brackets_uses_the_tier_rate_without_deduction():
    # 60,000 USDT -> tier 2 (0.5 %); its cum of 50 must not be used.
    with_table = p.okx_isolated_liquidation_price("long", 1, 60_000, 6_000, brackets=BTC)
    by_hand = p.okx_isolated_liquidation_price("long", 1, 60_000, 6_000, mmr=0.005)
    assert with_table == pytest.approx(by_hand, rel=1e-12)


def test_okx_one_x_long_has_no_liquidation_price():
    assert p.okx_isolated_liquidation_price("long", 1, 60_000, 60_000, mmr=0.005) is None


# -- orientation: the same word, opposite directions --------------------------------------------
@pytest.mark.parametrize("side, grid", [
    ("long", np.linspace(60_000, 54_100, 60)),   # price falling toward bankruptcy (54,000)
    ("short", np.linspace(60_000, 65_900, 60)),  # price rising toward bankruptcy (66,000)
])
def test_okx_ratio_falls_while_binance_ratio_rises(side, grid):
    size, entry, margin, mmr, fee = 1.0, 60_000.0, 6_000.0, 0.005, 0.0005
    equity = margin + f.unrealized_pnl(side, size, entry, grid)
    binance = p.binance_margin_ratio(f.maintenance_margin(size, grid, mmr=mmr), equity)
    okx = p.okx_margin_ratio(equity, size * grid * mmr, size * grid * fee)
    assert np.all(np.diff(binance) > 0)
    assert np.all(np.diff(okx) < 0)
    # Both say "liquidated" exactly past their own liquidation price.
    lp_binance = p.binance_isolated_liquidation_price(side, size, entry, margin, mmr=mmr)
    lp_okx = p.okx_isolated_liquidation_price(side, size, entry, margin, mmr=mmr, fee_rate=fee)
    sign = 1 if side == "long" else -1
    np.testing.assert_array_equal(p.binance_is_liquidated(binance),
                                  sign * (grid - lp_binance) < 0)
    np.testing.assert_array_equal(p.okx_is_liquidated(okx), sign * (grid - lp_okx) < 0)
    assert p.okx_is_liquidated(okx).any() and not p.okx_is_liquidated(okx).all()


def test_okx_ratio_flipped_is_binance_ratio_when_there_are_no_fees():
    grid = np.linspace(60_000, 54_500, 25)
    equity = 6_000 + f.unrealized_pnl("long", 1.0, 60_000, grid)
    mm = f.maintenance_margin(1.0, grid, mmr=0.005)
    flipped = p.okx_to_binance_orientation(p.okx_margin_ratio(equity, mm))
    np.testing.assert_allclose(flipped, p.binance_margin_ratio(mm, equity), rtol=1e-12)
    # With fees the flipped number is larger: it also counts the fee to close.
    with_fees = p.okx_to_binance_orientation(p.okx_margin_ratio(equity, mm, grid * 0.0005))
    assert np.all(with_fees > flipped)


def test_ratio_edge_cases():
    assert p.okx_margin_ratio(100.0, 0.0, 0.0) == np.inf
    assert p.okx_to_binance_orientation(-0.5) == np.inf
    assert p.binance_margin_ratio(10.0, -1.0) == np.inf
    assert p.bybit_account_mm_rate(50.0, 100.0) == pytest.approx(0.5)
    assert p.binance_is_liquidated(1.0) and not p.binance_is_liquidated(0.99)
    assert p.okx_is_liquidated(1.0) and not p.okx_is_liquidated(1.01)


# -- the lesson's table -------------------------------------------------------------------------
@pytest.mark.parametrize("side", ["long", "short"])
def test_compare_isolated_table(side):
    table = p.compare_isolated(side, 1.0, 60_000, 10, BTC)
    assert list(table.columns) == ["venue", "liquidation_price", "distance_pct",
                                   "margin_ratio_name", "liquidates_when", "note"]
    assert list(table["venue"]) == ["Binance", "Bybit", "OKX"]
    lp = table.set_index("venue")["liquidation_price"]
    assert lp["Binance"] == pytest.approx(
        p.binance_isolated_liquidation_price(side, 1.0, 60_000, 6_000, brackets=BTC))
    # Each venue's own tiers: Bybit's tier 1 (<= 2M USDT) is 0.5 % with no MMD (Binance's
    # 60,000 USDT is in its 0.5 % tier with cum 50); OKX's tier 1 is 1 %, no deduction.
    assert lp["Bybit"] == pytest.approx(
        p.bybit_isolated_liquidation_price(side, 1.0, 60_000, 10, mmr=0.005, mmd=0))
    assert lp["OKX"] == pytest.approx(
        p.okx_isolated_liquidation_price(side, 1.0, 60_000, 6_000, mmr=0.01))
    assert lp["Bybit"] != pytest.approx(
        p.bybit_isolated_liquidation_price(side, 1.0, 60_000, 10, brackets=BTC))
    # Adverse move: a bit under 10 % at 10x for every venue (OKX's 1 % + fee the closest).
    assert table["distance_pct"].between(8.5, 10.0).all()
    okx = table.set_index("venue").loc["OKX"]
    assert "\u2264 100 %" in okx["liquidates_when"]
    assert okx["margin_ratio_name"] == p.VENUES["OKX"]["margin_ratio_name"]


def test_venues_describe_three_venues_and_flag_what_is_unverified():
    assert set(p.VENUES) == {"Binance", "Bybit", "OKX"}
    for venue in p.VENUES.values():
        assert {"Cross", "Isolated"} <= {m.split()[0] for m in venue["modes"]}
        assert venue["switch_in_ui"] and venue["sources"] and venue["unverified"]
    assert "falls" in p.VENUES["OKX"]["margin_ratio_rule"]
    assert "rises" in p.VENUES["Binance"]["margin_ratio_rule"]


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("call, field, shown", [
    (lambda: p.bybit_isolated_liquidation_price("up", 1, 60_000, 10, mmr=0.005), "side", "up"),
    (lambda: p.bybit_isolated_liquidation_price("long", 0, 60_000, 10, mmr=0.005), "size", "0"),
    (lambda: p.bybit_isolated_liquidation_price("long", float("nan"), 60_000, 10, mmr=0.005),
     "size", "nan"),
    (lambda: p.bybit_isolated_liquidation_price("long", 1, -1, 10, mmr=0.005),
     "entry_price", "-1"),
    (lambda: p.bybit_isolated_liquidation_price("long", 1, 60_000, 0, mmr=0.005),
     "leverage", "0"),
    (lambda: p.bybit_isolated_liquidation_price("long", 1, 60_000, float("inf"), mmr=0.005),
     "leverage", "inf"),
    (lambda: p.bybit_isolated_liquidation_price("long", 1, 60_000, 10, mmr=0.005,
                                                extra_margin=-1), "extra_margin", "-1"),
    (lambda: p.bybit_isolated_liquidation_price("long", 1, 60_000, 10, mmr=1.5), "mmr", "1.5"),
    (lambda: p.binance_isolated_liquidation_price("long", 1, 60_000, -5, mmr=0.005),
     "margin", "-5"),
    (lambda: p.okx_isolated_liquidation_price("short", 1, 60_000, 0, mmr=0.005), "margin", "0"),
    (lambda: p.okx_isolated_liquidation_price("short", 1, 60_000, 6_000, mmr=0.005,
                                              fee_rate=-0.001), "fee_rate", "-0.001"),
    (lambda: p.okx_margin_ratio(100.0, 10.0, fees=-1.0), "fees", "-1"),
    (lambda: p.okx_margin_ratio(float("nan"), 10.0), "equity", "nan"),
    (lambda: p.binance_margin_ratio(-3.0, 100.0), "maintenance_margin", "-3"),
    (lambda: p.okx_isolated_liquidation_price("long", [1.0, -2.0], 60_000, 6_000, mmr=0.005),
     "size", "-2"),
    (lambda: p.compare_isolated("sideways", 1, 60_000, 10, BTC), "side", "sideways"),
    (lambda: p.compare_isolated("long", 1, 60_000, -10, BTC), "leverage", "-10"),
])
def test_bad_input_is_rejected_naming_field_and_value(call, field, shown):
    with pytest.raises(InvalidInput) as err:
        call()
    assert field in str(err.value)
    assert shown in str(err.value)


def test_brackets_or_mmr_exactly_one():
    with pytest.raises(InvalidInput, match="not both"):
        p.bybit_isolated_liquidation_price("long", 1, 60_000, 10, mmr=0.005, brackets=BTC)
    with pytest.raises(InvalidInput, match="neither"):
        p.okx_isolated_liquidation_price("long", 1, 60_000, 6_000)
    with pytest.raises(InvalidInput, match="neither"):
        p.binance_isolated_liquidation_price("long", 1, 60_000, 6_000)
