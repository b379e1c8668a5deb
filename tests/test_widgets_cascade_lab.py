"""CascadeLab: the sliders drive the marks and labels with crossmargin.lessons.cascade's numbers."""
import re

import numpy as np
import pytest

from crossmargin import Order, compare_modes, scenarios
from crossmargin.lessons import cascade
from crossmargin.simulation.shocks import Leg, liquidation_move
from crossmargin.errors import InvalidInput, LeverageTooHigh
from crossmargin.widgets import CascadeLab, LiquidationChase
from crossmargin.widgets.style import COLORS, fmt_price, fmt_usdt


def text(label):
    return re.sub(r"<[^>]+>", "", label.value)


@pytest.fixture
def lab():
    return CascadeLab()


def expected(shock=-0.03, impact=0.5, share=0.2):
    return cascade.run(cascade.crowd(high_leverage_share=share), shock, impact=impact)


def test_defaults_and_hooks(lab):
    assert "cm-cascade-lab" in lab._dom_classes
    for control, css in ((lab.shock, "cm-shock"), (lab.impact, "cm-impact"),
                         (lab.high_leverage_share, "cm-high-leverage-share")):
        assert css in control._dom_classes
    assert (lab.shock.value, lab.impact.value, lab.high_leverage_share.value) == (-3, 0.5, 20)
    assert lab.price_line.colors == [COLORS["price"]]
    assert lab.notional_bars.colors == [COLORS["liquidation"]]
    assert "price" in lab.price_figure.axes[1].label and "USDT" in lab.price_figure.axes[1].label
    assert "million USDT" in lab.notional_figure.axes[1].label


def test_marks_are_the_engine_rounds(lab):
    out = expected()
    np.testing.assert_allclose(lab.price_line.y, out.rounds["price"])
    np.testing.assert_allclose(lab.price_line.x, out.rounds["round"])
    np.testing.assert_array_equal(lab.notional_bars.x, out.rounds["round"])
    np.testing.assert_allclose(lab.notional_bars.y, out.rounds["liquidated_notional"] / 1e6)
    assert lab.notional_bars.y[-1] == 0 and min(lab.notional_bars.y[:-1]) > 0
    assert list(lab.price_figure.axes[0].tick_values) == [0, 1, 2]
    assert list(lab.start_line.y) == [60_000, 60_000]


def test_labels_show_rounds_final_price_and_total(lab):
    s = expected().summary()
    assert f"Rounds with liquidations: {s['rounds']}" in text(lab.rounds_label)
    assert fmt_price(s["final_price"]) in text(lab.final_label)
    assert f"{s['final_move']:+.2%}" in text(lab.final_label)
    total = text(lab.liquidated_label)
    assert f"{s['liquidated_accounts']:,} of 2,000 traders" in total
    assert fmt_usdt(s["liquidated_notional"], 0) in total
    assert f"{s['amplification']:.1f}x the shock" in text(lab.status)


def test_each_slider_moves_the_marks(lab):
    before = list(lab.price_line.y)
    lab.high_leverage_share.value = 30
    out = expected(share=0.3)
    np.testing.assert_allclose(lab.price_line.y, out.rounds["price"])
    assert lab.price_line.y[-1] < before[-1]
    lab.impact.value = 0
    out = expected(share=0.3, impact=0)
    np.testing.assert_allclose(lab.price_line.y, out.rounds["price"])
    assert lab.price_line.y[-1] == pytest.approx(60_000 * 0.97)
    assert len(lab.notional_bars.y) == 2 and lab.notional_bars.y[1] == 0
    lab.shock.value = -5
    assert lab.price_line.y[0] == pytest.approx(60_000 * 0.95)
    assert lab.result.shock == pytest.approx(-0.05)


def test_a_jump_up_liquidates_shorts(lab):
    lab.shock.value = 4
    out = expected(shock=0.04)
    np.testing.assert_allclose(lab.price_line.y, out.rounds["price"])
    assert "shorts buy back" in text(lab.status)
    assert lab.price_y.max > out.final_price


def test_no_shock_shows_no_liquidation_and_dashes(lab):
    lab.shock.value = 0
    assert "no liquidation" in text(lab.status) and "--" in text(lab.status)
    assert list(lab.notional_bars.y) == [0]
    assert "0 of 2,000 traders" in text(lab.liquidated_label)


@pytest.mark.parametrize("shock, impact, share", [(-20, 2, 100), (20, 2, 100), (-20, 0, 0),
                                                  (0.5, 2, 0), (-0.5, 2, 100)])
def test_extreme_values_never_raise(lab, shock, impact, share):
    lab.impact.value, lab.high_leverage_share.value, lab.shock.value = impact, share, shock
    out = expected(shock / 100, impact, share / 100)
    np.testing.assert_allclose(lab.price_line.y, out.rounds["price"])
    assert lab.price_y.min < min(lab.price_line.y) and lab.price_y.max > max(lab.price_line.y)
    if out.summary()["liquidated_accounts"]:
        assert "liquidated" in text(lab.status)


def test_crowds_are_built_once_per_share(lab):
    lab.high_leverage_share.value = 40
    first = lab._crowd(40)
    lab.high_leverage_share.value = 20
    lab.high_leverage_share.value = 40
    assert lab._crowd(40) is first


def test_constructor_arguments_set_the_start(lab):
    other = CascadeLab(shock=-5, impact=1.0, high_leverage_share=30, n_accounts=500)
    out = cascade.run(cascade.crowd(500, high_leverage_share=0.3), -0.05, impact=1.0)
    np.testing.assert_allclose(other.price_line.y, out.rounds["price"])
    assert "of 500 traders" in text(other.liquidated_label)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(shock=-25), InvalidInput, "shock must be from -20 to 20"),
    (dict(impact=3), InvalidInput, "impact must be from 0 to 2"),
    (dict(high_leverage_share=120), InvalidInput, "high_leverage_share must be from 0 to 100"),
    (dict(shock="big"), InvalidInput, "shock must be a number"),
    (dict(n_accounts=0), InvalidInput, "n_accounts"),
    (dict(high_leverage=(20, 500)), LeverageTooHigh, "125x"),
    (dict(long_share=2), InvalidInput, "long_share"),
])
def test_bad_constructor_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        CascadeLab(**kwargs)


# -- LiquidationChase ------------------------------------------------------------------------
LEGS = [Leg("BTCUSDT", "long", 3_000, 10, 60_000), Leg("SOLUSDT", "long", 3_000, 10, 150)]


def test_chase_finds_where_sols_fall_liquidates_the_account():
    sol = np.linspace(0, -0.6, 121)
    lp = 60_000 * (1 + liquidation_move(LEGS, 10_000, "BTCUSDT", "cross", {"SOLUSDT": sol}))
    chase = LiquidationChase(sol * 100, np.full(sol.size, 60_000.0), lp, title="t",
                             x_label="SOL move (%)", x_name="a SOL move of", x_format="{:+.1f} %")
    assert "cm-liquidation-chase" in chase._dom_classes
    np.testing.assert_allclose(chase.liquidation_line.y, lp)
    # LP is linear in SOL's move: the interpolated meeting point is the exact cross move
    kills = liquidation_move(LEGS, 10_000, "SOLUSDT", "cross")
    assert chase.meet_marker.x[0] == pytest.approx(kills * 100, abs=1e-6)
    assert f"a SOL move of {kills * 100:+.1f} %" in text(chase.status)
    assert "liquidated" in text(chase.status)
    assert chase.liquidation_line.colors == [COLORS["liquidation"]]


def test_chase_on_a_replay_says_where_the_position_closed():
    day = scenarios.btc_crash(drop=0.05, sol_beta=5)
    plan = [Order(symbol, "long", margin=3_000, leverage=10) for symbol in day.columns]
    _, runs = compare_modes(day, plan)
    timeline = runs["cross"].timeline
    gone = runs["cross"].liquidations()
    assert len(gone) == 3
    chase = LiquidationChase(np.arange(len(day)), timeline[("BTCUSDT", "mark_price")],
                             timeline[("BTCUSDT", "liquidation_price")], title="t", x_label="step",
                             x_name="step", x_format="{:.0f}")
    closed = timeline[("BTCUSDT", "liquidation_price")].isna().to_numpy().argmax()
    assert chase.meet_marker.x[0] == closed
    btc = gone.set_index("symbol").loc["BTCUSDT", "price"]
    assert f"closed at step {closed} ({fmt_price(btc)})" in text(chase.status)


def test_chase_without_a_meeting_reports_the_smallest_gap():
    chase = LiquidationChase([0, 1, 2], [100, 100, 100], [50, 90, 80], title="t", x_label="x")
    assert "Smallest gap: 10.00 USDT at x 1.00; never liquidated" in text(chase.status)
    assert list(chase.meet_marker.x) == []
    short = LiquidationChase([0, 1, 2], [100, 100, 100], [150, 120, 90], title="t",
                             x_label="x", side="short")
    assert "liquidated" in text(short.status)
    assert short.meet_marker.x[0] == pytest.approx(1 + 20 / 30)
    none = LiquidationChase([0, 1], [100, 100], [np.nan, np.nan], title="t", x_label="x")
    assert "--" in text(none.status)


@pytest.mark.parametrize("args, kwargs, words", [
    (([0, 1], [1, 2, 3], [1, 2]), {}, "same length"),
    (([0], [1], [1]), {}, "length >= 2"),
    (([0, np.nan], [1, 2], [1, 2]), {}, "x must be finite"),
    (([0, 1], [np.nan, np.nan], [1, 2]), {}, "at least one finite price"),
    (([0, 1], ["a", "b"], [1, 2]), {}, "arrays of numbers"),
    (([0, 1], [1, 2], [1, 2]), {"side": "up"}, "side"),
])
def test_chase_rejects_bad_input(args, kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        LiquidationChase(*args, title="t", x_label="x", **kwargs)


def test_controls_beside_results_and_figures_side_by_side():
    lab = CascadeLab(n_accounts=200)
    top, figures = lab.children
    controls, results = top.children
    assert list(controls.children) == [lab.shock, lab.impact, lab.high_leverage_share,
                                       lab.controls_note]
    assert "1 % of the open interest" in lab.controls_note.value
    assert all(len(s.description) <= 20 for s in controls.children[:3])   # room for the track
    assert lab.status in results.children and lab.liquidated_label in results.children
    assert [c.children[0] for c in figures.children] == [lab.price_figure, lab.notional_figure]
    assert top.layout.flex_flow == figures.layout.flex_flow == "row wrap"
    assert lab.price_figure.layout.height == lab.notional_figure.layout.height == "300px"


@pytest.mark.parametrize("shock, impact, share", [(-20, 2, 100), (20, 2, 100), (0, 0, 0),
                                                  (-20, 0, 0), (0.5, 2, 100)])
def test_extreme_sliders_show_a_result_never_a_traceback(shock, impact, share):
    lab = CascadeLab(n_accounts=300)
    lab.shock.value, lab.impact.value, lab.high_leverage_share.value = shock, impact, share
    assert lab.status.value and "Total liquidated" in lab.liquidated_label.value
    assert len(lab.price_line.y) == len(lab.notional_bars.y) >= 1
    assert np.isfinite(np.asarray(lab.price_line.y, dtype=float)).all()
