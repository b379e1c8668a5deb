"""LiquidationStepper: the bars and sentences are lessons.liquidation's walk-through of the
chosen venue and account, event by event; Back/Next step, the venue switch redraws."""
import html
import re

import numpy as np
import pytest

from crossmargin import widgets
from crossmargin.engine.venues import VENUE_NAMES
from crossmargin.errors import InvalidInput
from crossmargin.formats import fmt_price
from crossmargin.lessons import liquidation as L
from crossmargin.widgets import LiquidationStepper
from crossmargin.widgets.liquidation_stepper import BARS, POT_COLORS, POT_LABELS
from crossmargin.widgets.style import COLORS, contrast_ratio


def bars(event):
    """The bars by hand: the equity, then the fund, venue and counterparties pots."""
    return [event.wallet + event.positions, event.fund, event.venue, event.counterparties]


def text(widget):
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


@pytest.fixture(scope="module")
def stepper():
    return LiquidationStepper()


def test_builds_on_binance_small_long_at_its_first_event(stepper):
    assert "cm-liquidation-stepper" in stepper._dom_classes
    assert isinstance(widgets.LiquidationStepper(), LiquidationStepper)
    assert (stepper.venue.value, stepper.portfolio.value) == ("binance", "small BTC long")
    assert [v for _, v in stepper.venue.options] == list(VENUE_NAMES)
    assert list(stepper.portfolio.options) == list(L.CASE_NAMES)
    assert set(stepper.walks) == {(v, c) for v in VENUE_NAMES for c in L.CASE_NAMES}
    walk = L.walk_through("binance", "small BTC long")
    # the slider counts events as the label does: 1 to N
    assert (stepper.event.min, stepper.event.value, stepper.event.max) == (1, 1, len(walk.events))
    assert stepper.back.disabled and not stepper.next.disabled
    assert list(stepper.bars.x) == ["trader's equity", "insurance fund", "venue's fees",
                                    "counterparties (ADL)"] == [POT_LABELS[b] for b in BARS]
    np.testing.assert_allclose(stepper.bars.y, bars(walk.events[0]), atol=1e-6)
    assert text(stepper.position) == f"event 1 of {len(walk.events)}: prices move"
    assert text(stepper.event_text) == walk.events[0].text
    # short names: chromium's fonts lack the Ⓢ of "Binance USDⓈ-M"
    assert stepper.figure.title == "Where the money is: Binance"
    assert [label for label, _ in stepper.venue.options] == ["Binance", "Bybit", "OKX",
                                                             "Hyperliquid"]
    assert "Ⓢ" not in "".join(e.text for e in walk.events)
    assert stepper.figure.axes[1].label == "USDT"


def test_next_and_back_step_through_the_engines_events():
    stepper = LiquidationStepper()
    walk = stepper.walk
    for n, event in enumerate(walk.events):
        assert stepper.event.value == n + 1
        assert text(stepper.position).startswith(f"event {stepper.event.value} of "
                                                  f"{len(walk.events)}: ")
        np.testing.assert_allclose(stepper.bars.y, bars(event), atol=1e-6)
        assert text(stepper.event_text) == event.text
        # the pots of every event add up to the same total, shown under the bars
        assert f"all bars together {fmt_price(sum(event.pots().values()))} USDT" in \
            text(stepper.totals)
        assert (f"wallet {fmt_price(event.wallet)} + open positions' PnL "
                f"{fmt_price(event.positions)}") in text(stepper.totals)
        styles = re.findall(r"<li style='([^']*)'>", stepper.events_list.value)
        assert len(styles) == len(walk.events)
        assert [i for i, s in enumerate(styles) if s == "font-weight:700"] == [n]
        stepper.next.click()
    assert stepper.event.value == len(walk.events) and stepper.next.disabled
    stepper.next.click()                                       # at the end: stays there
    assert stepper.event.value == len(walk.events)
    stepper.back.click()
    assert stepper.event.value == len(walk.events) - 1 and not stepper.next.disabled
    stepper.event.value = 1
    stepper.back.click()                                       # at the start: stays there
    assert stepper.event.value == 1 and stepper.back.disabled


def test_bar_labels_show_each_pot_in_whole_units(stepper):
    stepper.event.value = stepper.event.max
    event = stepper.walk.events[-1]
    assert list(stepper.bar_labels.text) == [f"{v if abs(v) >= 0.5 else 0.0:,.0f}"
                                             for v in bars(event)]
    # the cut's fee went to the fund: its bar shows the whole equity at liquidation
    assert list(stepper.bar_labels.text)[:2] == [
        "0", f"{stepper.walk.equity_at_liquidation:,.0f}"]
    stepper.event.value = 1


@pytest.mark.parametrize("venue", VENUE_NAMES)
def test_venue_switch_shows_that_venues_walk_from_its_start(venue):
    stepper = LiquidationStepper(venue="okx" if venue != "okx" else "binance")
    stepper.event.value = 2
    stepper.venue.value = venue
    walk = L.walk_through(venue, "small BTC long")
    assert stepper.walk is stepper.walks[(venue, "small BTC long")]
    assert stepper.event.value == 1 and stepper.event.max == len(walk.events)
    np.testing.assert_allclose(stepper.bars.y, bars(walk.events[0]), atol=1e-6)
    stepper.event.value = stepper.event.max
    assert text(stepper.event_text) == walk.events[-1].text
    settle = walk.accounts["trader"].settle
    assert stepper.figure.axes[1].label == settle
    assert f"the trader keeps {walk.kept:,.2f} {settle}" in text(stepper.summary)
    # every value is inside the y scale (with room for its label)
    assert stepper.y_scale.min <= min(min(bars(e)) for e in walk.events) + 1e-6
    assert stepper.y_scale.max >= max(max(bars(e)) for e in walk.events)


def test_the_gap_case_names_the_deleveraged_and_shows_their_loss():
    stepper = LiquidationStepper(portfolio="gap past bankruptcy")
    walk = stepper.walk
    stepper.event.value = stepper.event.max
    assert walk.events[-1].kind == "adl_cover"
    assert text(stepper.position).endswith("auto-deleveraging")
    assert float(stepper.bars.y[3]) == pytest.approx(walk.events[-1].counterparties)
    assert walk.events[-1].counterparties < 0
    summary = text(stepper.summary)
    assert "auto-deleveraged: bold short (short 0.5 BTCUSDT), calm short" in summary
    assert "bankruptcy price BTCUSDT 54,030.00" in summary


def test_a_surviving_cut_says_so():
    stepper = LiquidationStepper(portfolio="large SOL long")
    assert "with a position still open" in text(stepper.summary)
    stepper.event.value = stepper.event.max
    assert "long 410.5 SOLUSDT" in text(stepper.totals)


def test_colours_are_the_course_palette_and_readable():
    assert set(POT_COLORS) == set(BARS)
    stepper = LiquidationStepper("okx", "hedged pair", venues=["okx"],
                                 portfolios=["hedged pair"])
    assert list(stepper.bars.colors) == [COLORS[POT_COLORS[p]] for p in BARS]
    for p in BARS:       # bars are graphics: 3:1 against white, but the venue's grey (labelled)
        assert contrast_ratio(COLORS[POT_COLORS[p]]) >= 3 or POT_COLORS[p] == "neutral"
    assert len(set(stepper.bars.colors)) == len(BARS)
    assert list(stepper.walks) == [("okx", "hedged pair")]


def test_one_event_walk_disables_stepping():
    stepper = LiquidationStepper()
    stepper.portfolio.value = "large SOL long"
    stepper.event.value = stepper.event.max
    assert stepper.next.disabled and not stepper.back.disabled


@pytest.mark.parametrize("kwargs, message", [
    ({"venue": "kraken"}, r"venue must be one of binance, bybit, okx, hyperliquid \(got "
                          r"'kraken'\)"),
    ({"portfolio": "big"}, "portfolio must be one of small BTC long.*'big'"),
    ({"venues": ["binance", "ftx"]}, "venue must be one of .*'ftx'"),
    ({"venues": []}, r"venues must name at least one of binance, .* \(got none\)"),
    ({"portfolios": ()}, r"portfolios must name at least one of small BTC long, .* \(got none\)"),
    ({"portfolios": ["small BTC long", "huge"], "portfolio": "huge"},
     "portfolio must be one of small BTC long.*'huge'"),
])
def test_bad_input_is_refused_by_name(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        LiquidationStepper(**kwargs)


def test_money_that_rounds_to_zero_reads_0_00_not_minus():
    """Binance's small long ends with the engine's -1e-12 or so in the wallet: the totals
    line says 0.00 (formats.fmt_price), as the summary and the bars do."""
    stepper = LiquidationStepper()
    last = stepper.walk.events[-1]
    assert f"{last.equity:,.2f}" == "-0.00"             # the case this test is about
    stepper.event.value = stepper.event.max
    totals = text(stepper.totals)
    assert "-0.00" not in totals
    assert totals.startswith("Trader's equity 0.00 USDT = wallet 0.00 + open positions' "
                             "PnL 0.00")
    for (venue, case), walk in stepper.walks.items():
        stepper.venue.value, stepper.portfolio.value = venue, case
        for n in range(1, len(walk.events) + 1):
            stepper.event.value = n
            for label in (stepper.totals, stepper.summary, stepper.position):
                assert not re.search(r"-0(\.0+)?(?![\d.])", text(label)), (venue, case, n)
            assert "-0" not in list(stepper.bar_labels.text)
