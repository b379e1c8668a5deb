"""Bracket tables: the FAQ facts and the cum rule on every shipped table."""
import math

import numpy as np
import pytest

from crossmargin.engine.brackets import Brackets, available_tables, maintenance_amounts
from crossmargin.errors import InvalidInput, UnknownSymbol


def test_faq_264k_notional_is_in_the_one_percent_tier():
    assert Brackets.load("BTCUSDT-2021").lookup(264_000)[0] == 0.01


def test_faq_maintenance_amount_at_500k_is_1300():
    table = Brackets.load("BTCUSDT-2021")
    assert table.lookup(500_000)[1] == pytest.approx(1_300)
    assert 250_000 * (0.01 - 0.005) + 50 == pytest.approx(1_300)


@pytest.mark.parametrize("name", available_tables())
def test_every_shipped_table_follows_the_cum_rule_and_is_continuous(name):
    table = Brackets.load(name)
    if table.deduction == "none":  # OKX: no deduction by design (tested below)
        assert not table.maintenance_amounts.any() and table.date and table.source
        return
    expected = maintenance_amounts(table.floors, table.maintenance_margin_rates)
    np.testing.assert_allclose(table.maintenance_amounts, expected, atol=0.01)
    # Continuity: at each floor, both tiers give the same maintenance margin.
    for n in range(1, len(table.floors)):
        x = table.floors[n]
        below = x * table.maintenance_margin_rates[n - 1] - table.maintenance_amounts[n - 1]
        above = x * table.maintenance_margin_rates[n] - table.maintenance_amounts[n]
        assert below == pytest.approx(above)
    assert table.date and table.source


def test_snapshot_matches_the_reference_table():
    table = Brackets.load("BTCUSDT")
    assert table.date == "2024-10-24"
    assert table.lookup(49_999.99) == (0.004, 0.0)
    assert table.lookup(50_000) == (0.005, 50.0)
    assert table.lookup(12_000_000) == (0.02, 131_450.0)
    assert table.max_leverage(0) == 125 and table.max_leverage(5_000_000) == 50
    assert Brackets.load("ETHUSDT").lookup(60_000_000) == (0.025, 381_450.0)


def test_illustrative_tables_say_so():
    assert Brackets.load("SOLUSDT").illustrative
    assert not Brackets.load("BTCUSDT").illustrative
    assert "illustrative" in repr(Brackets.load("SOLUSDT"))


def test_vector_lookup_matches_scalar_lookup():
    table = Brackets.load("ETHUSDT")
    values = np.array([0, 10, 50_000, 2e6, 7e7, 1.1e9])
    rates, cums = table.lookup(values)
    for v, r, c in zip(values, rates, cums):
        assert table.lookup(float(v)) == (r, c)


def test_max_notional_for_a_leverage():
    table = Brackets.load("BTCUSDT")
    assert table.max_notional(125) == 50_000
    assert table.max_notional(20) == 100_000_000
    assert table.max_notional(200) == 0.0


def test_to_frame_lists_every_tier():
    frame = Brackets.load("BTCUSDT").to_frame()
    assert list(frame.columns) == ["notional_floor", "notional_cap", "maintenance_margin_rate",
                                   "max_leverage", "maintenance_amount"]
    assert len(frame) == 12 and frame["notional_cap"].iloc[0] == 50_000


def test_published_table_with_wrong_cum_is_refused():
    with pytest.raises(InvalidInput, match=r"tier 2: maintenance amount \(cum\) must be 50.00 by the cum rule .got 60.00"):
        Brackets.published("X", [0, 50_000], [0.004, 0.005], [125, 100], [0, 60])


@pytest.mark.parametrize("floors, rates, levs, message", [
    ([10, 20], [0.01, 0.02], [10, 5], "first floor must be 0"),
    ([0, 0], [0.01, 0.02], [10, 5], "tier 2: floor must be >"),
    ([0, 10], [0.02, 0.01], [10, 5], "tier 2: maintenance margin rate must be >="),
    ([0, 10], [0.01, 1.5], [10, 5], "tier 2: maintenance margin rate must be in"),
    ([0, 10], [0.01, 0.02], [10, 0], "tier 2: max leverage must be >= 1"),
    ([0, 10], [0.01], [10, 5], "same, non-zero length"),
])
def test_malformed_tables_are_refused(floors, rates, levs, message):
    with pytest.raises(InvalidInput, match=message):
        Brackets.from_tiers("X", floors, rates, levs)


def test_unknown_table():
    with pytest.raises(UnknownSymbol, match="'DOGEUSDT' is not shipped .known: BTCUSDT"):
        Brackets.load("DOGEUSDT")


def test_last_tier_is_open_ended_unless_capped():
    table = Brackets.from_tiers("X", [0, 10], [0.01, 0.02], [10, 5])
    assert table.caps[-1] == math.inf


# -- tables with no deduction by design (OKX) ---------------------------------------------------
def no_deduction_table(**changes):
    data = {"symbol": "BTCUSDT", "date": "2026-12-05", "source": "test", "deduction": "none",
            "tiers": [{"floor": 0, "cap": 100, "maintenance_margin_rate": 0.01,
                       "max_leverage": 75, "maintenance_amount": 0},
                      {"floor": 100, "maintenance_margin_rate": 0.015, "max_leverage": 50,
                       "maintenance_amount": 0}]}
    data.update(changes)
    return data


def test_a_table_with_no_deduction_loads_with_zero_amounts():
    table = Brackets.from_dict(no_deduction_table())
    assert table.deduction == "none"
    assert table.lookup(150) == (0.015, 0.0)          # MM = 150 x 1.5 %, nothing subtracted
    assert "no deduction" in repr(table)
    # The same tiers without "deduction": "none" break the cum rule (tier 2 would need 0.50).
    with pytest.raises(InvalidInput, match=r"tier 2: maintenance amount \(cum\) must be 0.50"):
        Brackets.from_dict({k: v for k, v in no_deduction_table().items() if k != "deduction"})


def test_no_deduction_table_refuses_an_amount_and_an_unknown_deduction():
    tiers = no_deduction_table()["tiers"]
    tiers[1] = dict(tiers[1], maintenance_amount=0.5)
    with pytest.raises(InvalidInput, match=r"tiers\[1\].maintenance_amount must be 0 .* "
                                           r"\(got 0.5\)"):
        Brackets.from_dict(no_deduction_table(tiers=tiers))
    with pytest.raises(InvalidInput, match=r"deduction must be one of 'cum', 'none' "
                                           r"\(got 'zero'\)"):
        Brackets.from_dict(no_deduction_table(deduction="zero"))


def test_without_deduction_checks_the_tiers_like_from_tiers():
    table = Brackets.without_deduction("X", [0, 10], [0.01, 0.02], [10, 5])
    assert list(table.maintenance_amounts) == [0.0, 0.0] and table.deduction == "none"
    assert Brackets.from_tiers("X", [0, 10], [0.01, 0.02], [10, 5]).deduction == "cum"
    with pytest.raises(InvalidInput, match="tier 2: maintenance margin rate must be >="):
        Brackets.without_deduction("X", [0, 10], [0.02, 0.01], [10, 5])


@pytest.mark.parametrize("name", ["okx-BTCUSDT", "okx-ETHUSDT", "okx-SOLUSDT"])
def test_shipped_okx_tables_have_no_deduction_and_say_they_are_illustrative(name):
    table = Brackets.load(name)
    assert table.deduction == "none" and not table.maintenance_amounts.any()
    assert table.illustrative and "llustrative" in table.source
