"""crossmargin.lessons.funding: what holding a perpetual costs, from the shared wallet or the position."""
import math

import pytest

from crossmargin.engine.brackets import Brackets
from crossmargin.errors import InvalidInput, LeverageTooHigh
from crossmargin.lessons.funding import holding_cost

RATE = 0.0001  # the contracts' default, per 8 hours


def test_each_day_pays_three_fundings_of_notional_times_rate():
    table = holding_cost(price=60_000, margin=2_000, leverage=20, days=10)
    notional = 2_000 * 20
    for mode in ("cross", "isolated"):
        paid = table.loc[mode, "funding"]
        assert paid.iloc[0] == 0.0
        assert paid.diff().iloc[1:].tolist() == pytest.approx([-3 * notional * RATE] * 10)


def test_cross_pays_from_the_wallet_isolated_from_the_position_margin():
    table = holding_cost(deposit=10_000, margin=2_000, leverage=20, days=30)
    cross, isolated = table.loc["cross"], table.loc["isolated"]
    assert cross["wallet_balance"].iloc[0] - cross["wallet_balance"].iloc[-1] == \
        pytest.approx(-cross["funding"].iloc[-1])
    assert isolated["wallet_balance"].iloc[0] == pytest.approx(2_000)
    assert isolated["wallet_balance"].iloc[-1] == pytest.approx(2_000 + isolated["funding"].iloc[-1])
    # the same USDT: a small share of the cross pool, a big share of the isolated margin
    assert cross["margin_ratio"].iloc[-1] / cross["margin_ratio"].iloc[0] < 1.05
    assert isolated["margin_ratio"].iloc[-1] / isolated["margin_ratio"].iloc[0] > 1.2


def test_the_liquidation_price_creeps_up_by_the_funding_over_size():
    price, margin, leverage = 60_000, 2_000, 20
    table = holding_cost(price=price, margin=margin, leverage=leverage, days=30)
    size = margin * leverage / price
    mmr, _ = Brackets.load("BTCUSDT").lookup(margin * leverage)
    shift = -table.loc["cross", "funding"].iloc[-1] / (size * (1 - mmr))
    for mode in ("cross", "isolated"):
        lp = table.loc[mode, "liquidation_price"]
        assert lp.iloc[-1] - lp.iloc[0] == pytest.approx(shift, rel=1e-9)
        assert lp.is_monotonic_increasing


def test_a_short_receives_what_a_long_pays_and_a_negative_rate_flips_it():
    long = holding_cost(side="long", days=5).loc["cross", "funding"]
    short = holding_cost(side="short", days=5).loc["cross", "funding"]
    assert (short == -long).all() and short.iloc[-1] > 0
    negative = holding_cost(side="long", days=5, funding_rate=-RATE).loc["cross", "funding"]
    assert negative.tolist() == pytest.approx((-long).tolist())


def test_funding_alone_liquidates_an_isolated_position_but_not_the_cross_account():
    table = holding_cost(margin=2_000, leverage=20, deposit=10_000, days=200)
    isolated, cross = table.loc["isolated"], table.loc["cross"]
    day = isolated.index[isolated["liquidated"]][0]
    before = isolated.loc[day - 1]
    # the day before, the margin left was still above the maintenance margin
    assert before["margin_ratio"] < 1 and before["wallet_balance"] > 0
    assert isolated.loc[day:, "liquidation_price"].isna().all()
    assert not cross["liquidated"].any() and cross["margin_ratio"].iloc[-1] < 0.05
    assert math.isclose(cross["funding"].iloc[-1], -3 * 200 * 40_000 * RATE)


@pytest.mark.parametrize("field, value, message", [
    ("days", 0, r"days must be"),
    ("days", 1.5, r"days must be a whole number from 1 to 3650 \(got 1.5\)"),
    ("days", 4_000, r"days must be a whole number from 1 to 3650 \(got 4000\)"),
    ("side", "up", r"side"),
    ("price", -1, r"price"),
    ("funding_rate", 0.5, r"funding_rate must be from -0.03 to 0.03 per 8 hours \(got 0.5\)"),
    ("funding_rate", float("nan"), r"funding_rate"),
    ("symbol", "DOGEUSDT", r"symbol must be one of .*\(got 'DOGEUSDT'\)"),
    ("leverage", 500, r"leverage 500x exceeds the 125x maximum"),
])
def test_bad_input_names_the_field(field, value, message):
    with pytest.raises((InvalidInput, LeverageTooHigh), match=message):
        holding_cost(**{field: value})


def test_net_funding_of_a_hedge_is_paid_on_the_difference_of_the_notionals():
    from crossmargin import Order
    from crossmargin.lessons.funding import net_funding
    from crossmargin.lessons.hedging import hedge_plan
    # ratio 0.6: long 45,000, short 27,000 -> 18,000 x 0.01 % x 3 a day x 30 days = 162 USDT
    assert net_funding(hedge_plan(3_000, 0.6, 15), days=30) == pytest.approx(162.0)
    assert net_funding(hedge_plan(3_000, 1.0, 15), days=30) == pytest.approx(0.0)
    assert net_funding([Order("ETHUSDT", "short", notional=10_000)], days=1) == pytest.approx(-3.0)
    assert net_funding([Order("BTCUSDT", "long", margin=2_000, leverage=20)], days=10) == \
        pytest.approx(-holding_cost(margin=2_000, leverage=20, days=10).loc[("cross", 10), "funding"])


def test_net_funding_refuses_bad_input_by_name():
    from crossmargin import Order
    from crossmargin.lessons.funding import net_funding
    with pytest.raises(InvalidInput, match="days"):
        net_funding([Order("BTCUSDT", "long", notional=1_000)], days=0)
    with pytest.raises(InvalidInput, match=r"orders\[0\].symbol"):
        net_funding([Order("XYZUSDT", "long", notional=1_000)])
