"""The shared input checks of crossmargin._validate."""
import pytest

from crossmargin._validate import MARGIN_MODES, check_margin_mode
from crossmargin.engine import account
from crossmargin.errors import InvalidInput
from crossmargin.lessons import comparison
from crossmargin.simulation import montecarlo, shocks


def test_one_margin_modes_tuple():
    assert MARGIN_MODES == ("cross", "isolated")
    assert account.MARGIN_MODES is MARGIN_MODES
    assert comparison.MODES is MARGIN_MODES
    # tables that show isolated first keep that order
    assert montecarlo.MODES == shocks.MODES == ("isolated", "cross")


@pytest.mark.parametrize("mode", MARGIN_MODES)
def test_check_margin_mode_passes_a_mode(mode):
    assert check_margin_mode(mode) == mode


@pytest.mark.parametrize("kwargs, message", [
    ({}, "margin_mode must be 'cross' or 'isolated' .got 'hedge'.$"),
    ({"field": "mode"}, "^mode must be 'cross' or 'isolated'"),
    ({"field": "mode", "listed": ("isolated", "cross")}, "^mode must be 'isolated' or 'cross'"),
    ({"field": "modes", "listed": ("isolated", "cross"), "joiner": "and/or"},
     "^modes must be 'isolated' and/or 'cross' .got 'hedge'"),
])
def test_check_margin_mode_names_field_value_and_choices(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        check_margin_mode("hedge", **kwargs)


@pytest.mark.parametrize("bad", [None, 1, "Cross", ["cross"]])
def test_check_margin_mode_refuses_other_values(bad):
    with pytest.raises(InvalidInput, match="must be 'cross' or 'isolated'"):
        check_margin_mode(bad)
