"""StopLossLab (its engine helper stop_outcome is tested against replay and the stepper in
test_stops.py)."""
import pytest

from crossmargin import Brackets, formulas, scenarios
from crossmargin.errors import InvalidInput, UnknownSymbol
from crossmargin.widgets import StopLossLab, style
from crossmargin.lessons.stops import stop_outcome

BTC = Brackets.load("BTCUSDT")
PATHS = {name: scenarios.load(name)[["BTCUSDT"]]
         for name in ("btc_crash", "gap_through_stop", "whipsaw", "slow_grind")}


# -- the widget -----------------------------------------------------------------------------
@pytest.fixture
def lab():
    return StopLossLab()


def test_defaults_show_a_stop_that_works_in_the_crash(lab):
    assert "cm-stop-loss-lab" in lab._dom_classes
    out = lab.outcome
    assert out.exit == "stop" and lab.outcome_without_stop.exit == "liquidated"
    assert list(lab.stop_line.y) == pytest.approx([60_000 * 0.95] * 2)
    lp = formulas.liquidation_price("long", 1_000 * 10 / 60_000, 60_000, 1_000, brackets=BTC)
    assert list(lab.liquidation_line.y) == pytest.approx([lp, lp])
    assert list(lab.fill_marker.y) == pytest.approx([out.exit_price])
    assert list(lab.no_stop_marker.y) == pytest.approx([lab.outcome_without_stop.exit_price])
    assert "stopped out" in lab.status.value
    assert f"{out.pnl:+,.2f} USDT" in lab.pnl.value
    assert f"{lab.outcome_without_stop.pnl:+,.2f} USDT" in lab.pnl.value
    assert "stop sits before liquidation" in lab.distances.value


def test_the_gap_scenario_reports_fill_and_slippage(lab):
    lab.leverage.value = 5
    lab.scenario.value = "gap_through_stop"
    out = lab.outcome
    assert out.exit == "stop" and out.slippage > 0
    assert style.fmt_price(out.exit_price) in lab.fill.value
    assert style.fmt_price(out.slippage) in lab.fill.value
    assert "gapped" in lab.fill.value and "too late" not in lab.fill.value
    lab.leverage.value = 10                       # the gap also jumps past the liquidation price
    assert lab.outcome.exit == "liquidated"       # so the liquidation wins and cancels the stop
    assert lab.outcome.exit_price < lab.outcome.liquidation_price < lab.outcome.trigger
    assert "cancelled the stop" in lab.fill.value
    assert style.fmt_price(lab.outcome.exit_price) in lab.fill.value
    assert lab.outcome.pnl == pytest.approx(lab.outcome_without_stop.pnl)
    assert list(lab.price_line.y) == pytest.approx(PATHS["gap_through_stop"]["BTCUSDT"])
    assert "gaps 8% down" in lab.description.value


def test_a_stop_beyond_liquidation_cannot_help(lab):
    lab.leverage.value = 25
    lab.stop_distance.value = 5
    assert lab.outcome.exit == "liquidated"
    assert "liquidated" in lab.status.value
    assert "cannot help" in lab.distances.value
    assert lab.outcome.pnl == pytest.approx(lab.outcome_without_stop.pnl)


def test_whipsaw_the_stop_costs_money_at_low_leverage(lab):
    lab.scenario.value = "whipsaw"
    lab.leverage.value = 5
    lab.stop_distance.value = 4
    assert lab.outcome.exit == "stop" and lab.outcome_without_stop.exit == "open"
    assert lab.outcome.pnl < lab.outcome_without_stop.pnl
    assert "still open" in lab.pnl.value


def test_cross_mode_moves_the_liquidation_price_away(lab):
    lab.margin_mode.value = "cross"
    lab.leverage.value = 1
    assert lab.outcome.liquidation_price is None
    assert list(lab.liquidation_line.y) == []
    assert "--" in lab.distances.value
    lab.leverage.value = 100
    size = 1_000 * 100 / 60_000
    lp = formulas.liquidation_price("long", size, 60_000, 10_000 - 100_000 * 0.0005,
                                    brackets=BTC)
    assert lab.outcome.liquidation_price == pytest.approx(lp)


@pytest.mark.parametrize("scenario", ["btc_crash", "gap_through_stop", "whipsaw"])
@pytest.mark.parametrize("mode", ["isolated", "cross"])
def test_extreme_values_never_raise(scenario, mode):
    lab = StopLossLab(scenario, margin_mode=mode)
    for leverage, stop in ((lab.leverage.max, 20), (1, 0.5), (lab.leverage.max, 0.5), (1, 20)):
        lab.leverage.value, lab.stop_distance.value = leverage, stop
        assert lab.status.value and lab.pnl.value
        if lab.outcome.exit == "liquidated":
            assert "liquidated" in lab.status.value
        if lab.outcome.exit == "open":
            assert list(lab.fill_marker.x) == []


@pytest.mark.parametrize("kwargs", [
    dict(scenario="moon"), dict(scenario_names=[]), dict(scenario_names=["btc_crash", "nope"]),
    dict(stop_distance=0), dict(stop_distance=50), dict(leverage=0), dict(leverage=500),
    dict(margin_mode="portfolio"), dict(margin=-5), dict(deposit="lots"),
])
def test_bad_constructor_arguments_raise(kwargs):
    with pytest.raises(InvalidInput):
        StopLossLab(**kwargs)


def test_another_symbol_names_its_own_asset():
    lab = StopLossLab("whipsaw", symbol="ETHUSDT", leverage=5)
    assert list(lab.price_line.y) == pytest.approx(scenarios.whipsaw()["ETHUSDT"])
    assert lab.figure.title.startswith("ETH long") and "ETH mark price" in lab.key.value
    assert lab.outcome == stop_outcome(scenarios.whipsaw(), symbol="ETHUSDT", leverage=5,
                                       stop_distance=0.05)


def test_an_unknown_symbol_is_named():
    with pytest.raises(UnknownSymbol, match="DOGEUSDT"):
        StopLossLab(symbol="DOGEUSDT")


def test_the_figure_and_its_marks_are_reused_not_rebuilt(lab):
    figure, marks = lab.figure, list(lab.figure.marks)
    lab.scenario.value = "whipsaw"
    lab.leverage.value = 30
    assert lab.figure is figure and list(lab.figure.marks) == marks
    assert lab.fill_marker in marks and lab.price_line in marks
    assert lab.price_line.x[0] == 0 and lab.price_line.x[-1] == pytest.approx(24.0)
    assert lab.figure.axes[0].label == "hours since 2024-01-01 00:00 UTC"
