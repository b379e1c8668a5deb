"""crossmargin.lessons.comparison: the cross-vs-isolated table is measured by the engine."""
import numpy as np
import pytest

from crossmargin import Account, InsufficientBalance
from crossmargin.lessons.comparison import (GRID_SHARE_ROW, MAX_SHOCKS, compare_cross_isolated,
                                            open_legs)
from crossmargin.engine.contracts import contract
from crossmargin.errors import InvalidInput
from crossmargin.simulation.shocks import Leg, liquidation_move, shock_outcomes

LEGS = [Leg("BTCUSDT", "long", 2_000, 10, 60_000), Leg("ETHUSDT", "short", 2_000, 10, 3_000)]


@pytest.fixture(scope="module")
def comparison():
    return compare_cross_isolated(LEGS, 10_000, gain={"ETHUSDT": -0.10})


def by_hand(mode):
    account = Account()
    account.deposit(10_000)
    for leg in LEGS:
        account.set_margin_mode(leg.symbol, mode)
        account.set_leverage(leg.symbol, leg.leverage)
        account.open(leg.symbol, leg.side, leg.entry_price, margin=leg.margin)
    return account


@pytest.mark.parametrize("mode", ["cross", "isolated"])
def test_open_legs_is_the_account_calls_in_order(mode):
    got, want = open_legs(LEGS, 10_000, mode), by_hand(mode)
    assert got.summary().equals(want.summary())
    assert got.positions().equals(want.positions())
    assert {got.margin_mode(leg.symbol) for leg in LEGS} == {mode}


def test_open_legs_refuses_what_the_account_refuses():
    with pytest.raises(InsufficientBalance):
        open_legs(LEGS, 3_000, "isolated")
    with pytest.raises(InvalidInput, match="mode must be 'cross' or 'isolated'.*'hedge'"):
        open_legs(LEGS, 10_000, "hedge")
    with pytest.raises(InvalidInput, match="legs item 1 must be a Leg"):
        open_legs([LEGS[0], "ETHUSDT"], 10_000, "cross")
    with pytest.raises(InvalidInput, match="deposit must be > 0.*-5"):
        open_legs(LEGS, -5, "cross")
    with pytest.raises(InvalidInput, match="at least one Leg"):
        open_legs([], 10_000, "cross")


def test_pools_are_the_accounts_wallets(comparison):
    fees = sum(leg.notional * contract(leg.symbol).taker_fee for leg in LEGS)
    assert comparison.cross_wallet == pytest.approx(10_000 - fees)
    assert comparison.isolated_pots == pytest.approx({"BTCUSDT": 2_000, "ETHUSDT": 2_000})
    assert comparison.idle == pytest.approx(10_000 - fees - 4_000)


def test_grid_shares_and_lowest_equity_match_shock_outcomes(comparison):
    moves = np.arange(-50, 51) / 100
    grid = shock_outcomes(LEGS, 10_000, {"BTCUSDT": moves[:, None], "ETHUSDT": moves[None, :]})
    any_isolated = grid.isolated_liquidated["BTCUSDT"] | grid.isolated_liquidated["ETHUSDT"]
    assert comparison.shocks == 101 * 101
    assert comparison.liquidated_share == {"cross": grid.cross_liquidated.mean(),
                                           "isolated": any_isolated.mean()}
    assert comparison.lowest_equity == {"cross": grid.cross_equity.min(),
                                        "isolated": grid.isolated_equity.min()}
    # the lesson's claims: cross liquidates less often, but then takes everything
    assert comparison.liquidated_share["cross"] < comparison.liquidated_share["isolated"]
    assert comparison.lowest_equity["cross"] == 0 < comparison.lowest_equity["isolated"]


def test_liquidation_move_and_available_balance_come_from_the_engine(comparison):
    for mode in ("cross", "isolated"):
        assert comparison.liquidation_move[mode] == liquidation_move(LEGS, 10_000, "BTCUSDT", mode)
        account = by_hand(mode)
        account.mark({"ETHUSDT": 2_700})
        assert comparison.available_after_gain[mode] == account.available_balance()
    assert comparison.available_after_gain["cross"] > comparison.available_after_gain["isolated"]


def test_table_rows_and_numbers(comparison):
    table = comparison.table()
    assert list(table.columns) == ["cross", "isolated"]
    assert list(table.index) == [
        "margin pool", "BTC move that liquidates the BTC long (ETH flat)",
        "share of the grid's shocks that liquidate something (not a probability)",
        "what liquidations can take",
        "available balance after ETH -10 % (capital efficiency)", "best use"]
    assert table.loc["margin pool", "cross"] == "one wallet: 9,980 USDT behind both"
    assert table.loc["margin pool", "isolated"] == "2,000 USDT per position, 5,980 USDT idle"
    share = comparison.liquidated_share["cross"]
    assert table.loc[GRID_SHARE_ROW, "cross"] == f"{share * 100:.2f} %"
    assert table.loc["what liquidations can take", "cross"].endswith("lowest equity 0 USDT")


def test_table_without_gain_and_for_three_legs():
    legs = LEGS + [Leg("SOLUSDT", "long", 1_000, 5, 150)]
    c = compare_cross_isolated(legs, 10_000, moves=[-0.3, 0.0, 0.3], symbol="ETHUSDT")
    table = c.table()
    assert c.shocks == 27
    assert "ETH move that liquidates the ETH short (BTC, SOL flat)" in table.index
    assert not any("capital efficiency" in row for row in table.index)
    assert table.loc["margin pool", "cross"].endswith("behind all 3 positions")
    assert "1,000 USDT behind SOL" in table.loc["margin pool", "isolated"]


@pytest.mark.parametrize("kwargs, message", [
    ({"moves": []}, "moves must be a flat, non-empty list"),
    ({"moves": [[0.1]]}, "moves must be a flat"),
    ({"moves": [0.1, -1.0]}, r"moves must be finite and > -1.*-1\.0"),
    ({"moves": ["a"]}, "moves must be a list of price moves"),
    ({"moves": np.linspace(-0.5, 0.5, 1_415)}, f"more than the limit of {MAX_SHOCKS:,}"),
    ({"gain": {"SOLUSDT": 0.1}}, "gain names 'SOLUSDT', which no leg holds"),
    ({"gain": {"ETHUSDT": -2}}, "gain of ETHUSDT must be a number > -1.*-2"),
    ({"gain": [0.1]}, "gain must be a mapping"),
    ({"symbol": "SOLUSDT"}, "symbol must be one of the legs.*'SOLUSDT'"),
])
def test_bad_input_names_field_and_value(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        compare_cross_isolated(LEGS, 10_000, **kwargs)


def test_the_grid_shares_the_instructor_guide_quotes():
    # Instructor guide, lesson 02: "13.14 % vs 64.71 % are shares of a uniform grid of moves"
    legs = [Leg("BTCUSDT", "long", 2_000, 10, 60_000), Leg("ETHUSDT", "short", 2_000, 10, 3_000)]
    share = compare_cross_isolated(legs, 10_000).liquidated_share
    assert (round(share["cross"] * 100, 2), round(share["isolated"] * 100, 2)) == (13.14, 64.71)
