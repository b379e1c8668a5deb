"""App mode: the explorers in one tabbed view; its sliders drive the same engine numbers."""
import json
from pathlib import Path

import ipywidgets as W
import numpy as np
import pytest

from crossmargin import formulas, widgets
from crossmargin.widgets.app import EXPLORERS, FONT_SIZES, explorers
from crossmargin.errors import InvalidInput
from crossmargin.simulation.shocks import shock_outcomes

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "app.ipynb"


@pytest.fixture(scope="module")
def app():
    return explorers()


def test_one_tab_per_explorer_titled_with_its_lesson(app):
    assert isinstance(app, W.VBox) and "cm-app" in app._dom_classes
    assert isinstance(app.tabs, W.Tab) and app.tabs in app.children
    assert app.tabs.selected_index == 0
    assert app.tabs.titles == tuple(f"{lesson} · {title}" for title, lesson in EXPLORERS.values())
    assert list(app.tools) == list(EXPLORERS)
    for name, child in zip(EXPLORERS, app.tabs.children):
        assert type(child) is getattr(widgets, name)
        assert app.tools[name] is child


def test_every_tab_names_a_lesson_that_shows_its_explorer():
    lessons = sorted(NOTEBOOK.parent.glob("[0-9][0-9]-*.ipynb"))
    for name, (_, lesson) in EXPLORERS.items():
        [path] = [p for p in lessons if p.name.startswith(f"{lesson}-")]
        assert f"{name}(" in path.read_text(encoding="utf-8"), f"{path.name} does not show {name}"


def test_header_and_projector_style(app):
    style, header = app.children[0], app.children[1]
    assert "cm-app-title" in header._dom_classes and "Cross Margin, Step by Step" in header.value
    assert style.value.startswith("<style>") and style.value.endswith("</style>")
    assert "--jp-widgets-font-size: 20px" in style.value
    # every rule is scoped to the app: the page around it keeps its own look
    rules = [r.strip() for r in style.value[7:-8].split("}") if r.strip()]
    assert rules and all(r.startswith(".cm-app") for r in rules)
    big = explorers(["ModeExplorer"], font_size=32).children[0].value
    assert "--jp-widgets-font-size: 32px" in big


def test_a_slider_in_the_app_moves_the_mode_explorer_marks(app):
    mode = app.tools["ModeExplorer"]
    before = (list(mode.cross_marker.x), list(mode.cross_marker.y))
    mode.btc_shock.value = -15
    out = shock_outcomes(mode.legs, mode.deposit, {"BTCUSDT": -0.15, "ETHUSDT": 0.0})
    assert list(mode.cross_marker.x) == [-15.0] != before[0]
    assert mode.cross_marker.y[0] == pytest.approx(out.cross_equity) != before[1][0]
    assert mode.isolated_marker.y[0] == pytest.approx(out.isolated_equity)


def test_a_slider_in_the_app_moves_the_leverage_curve(app):
    lev = app.tools["LeverageExplorer"]
    before = np.array(lev.equity_line.y)
    lev.leverage.value = 25
    size = lev.margin.value * 25 / lev.entry_price.value
    liq = formulas.liquidation_price("long", size, lev.entry_price.value, lev.margin.value,
                                     brackets=lev.brackets)
    expected = formulas.margin_balance(
        lev.margin.value, formulas.unrealized_pnl("long", size, lev.entry_price.value,
                                                  np.asarray(lev.equity_line.x)))
    np.testing.assert_allclose(lev.equity_line.y, expected)
    assert not np.array_equal(np.asarray(lev.equity_line.y), before)
    assert list(lev.liquidation_line.x) == pytest.approx([liq, liq])


def test_the_liquidation_stepper_tab_steps_through_the_same_walk_as_the_lesson(app):
    from crossmargin.lessons.liquidation import walk_through
    stepper = app.tools["LiquidationStepper"]
    assert EXPLORERS["LiquidationStepper"][1] == "06"
    stepper.venue.value, stepper.portfolio.value = "okx", "gap past bankruptcy"
    walk = walk_through("okx", "gap past bankruptcy")
    for _ in walk.events:
        stepper.next.click()
    assert stepper.event.value == len(walk.events) and stepper.next.disabled
    assert list(stepper.bars.y) == pytest.approx([0.0, 0.0, 0.0, walk.events[-1].counterparties])


def test_chosen_tools_in_the_chosen_order():
    app = explorers(["StopLossLab", "ModeExplorer"])
    assert [type(c).__name__ for c in app.tabs.children] == ["StopLossLab", "ModeExplorer"]
    assert app.tabs.titles == ("07 · Stop loss", "02 · Cross vs isolated")
    assert [type(c).__name__ for c in explorers("CascadeLab").tabs.children] == ["CascadeLab"]


@pytest.mark.parametrize("tools, words", [
    (["LeverageExplorer", "Quiz"], "'Quiz'"),
    ([], r"\[\]"),
    (["ModeExplorer", "ModeExplorer"], "once"),
    (42, "42"),
    ([None], "None"),
])
def test_unknown_tools_are_refused(tools, words):
    with pytest.raises(InvalidInput, match=f"tools must name .*{words}"):
        explorers(tools)


@pytest.mark.parametrize("size", [FONT_SIZES[0] - 1, FONT_SIZES[1] + 0.5, 0, -20, float("nan"),
                                  "big", None, True])
def test_font_sizes_outside_the_range_are_refused(size):
    with pytest.raises(InvalidInput, match="font_size") as info:
        explorers(["ModeExplorer"], font_size=size)
    assert repr(size) in str(info.value) or str(size) in str(info.value)


def test_the_app_notebook_is_stored_clean_and_only_calls_explorers():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    source = "".join("".join(c["source"]) for c in code)
    assert "from crossmargin.widgets.app import explorers" in source and "explorers()" in source


def test_each_tab_lays_its_figure_beside_the_controls_at_a_fixed_height(app):
    from crossmargin.widgets.app import FIGURE_HEIGHT
    css = app.children[0].value
    # a one-column tool (controls, figure, results) becomes two columns: figure on the right
    assert ":has(> .bqplot) {" in css and "grid-template-columns: minmax(0, 1fr)" in css
    assert ":has(> .bqplot) > .bqplot {\n  grid-column: 2;" in css
    assert ":has(> .bqplot) > .cm-key {\n  grid-column: 2;" in css
    assert f"margin-top: {FIGURE_HEIGHT + 6}px" in css       # the legend right under the figure
    assert f".bqplot:not(.cm-gauge) {{ height: {FIGURE_HEIGHT}px !important; }}" in css
    assert FIGURE_HEIGHT <= 320
    # the liquidation stepper's end-of-walk summary goes under its figure, and its long
    # lines (totals, the list of events, the summary) are in smaller type
    assert ":has(> .bqplot) > .cm-liquidation-stepper-summary {\n  grid-column: 2;" in css
    assert ".cm-liquidation-stepper-totals .widget-html-content," in css
    # the monitor and the cascade lab lay themselves out in two columns already
    monitor, lab = app.tools["MarginRatioMonitor"], app.tools["CascadeLab"]
    assert not any(isinstance(c, type(monitor.figure)) for c in monitor.children)
    assert not any(isinstance(c, type(lab.price_figure)) for c in lab.children)
