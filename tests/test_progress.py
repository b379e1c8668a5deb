import pytest

from crossmargin.errors import InvalidInput
from crossmargin.simulation.progress import reporter


def test_a_callable_gets_the_fraction_done():
    seen = []
    report = reporter(seen.append, 8)
    report(2)
    report(8)
    assert seen == [0.25, 1.0]


def test_nothing_to_report():
    assert reporter(None, 5)(3) is None
    assert reporter(False, 5)(5) is None


def test_a_notebook_bar_counts_in_its_unit(capsys):
    report = reporter(True, 4, unit="runs")
    shown = capsys.readouterr().out          # outside a notebook, display() prints the widget
    assert "IntProgress" in shown and "0 / 4 runs" in shown
    report(4)


def test_bad_progress_is_named():
    with pytest.raises(InvalidInput, match="progress must be True, False, None or a callable .got 'yes'"):
        reporter("yes", 3)
