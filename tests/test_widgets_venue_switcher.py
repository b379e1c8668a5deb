"""VenueSwitcher: each venue's screen of one portfolio is lessons.comparison.venue_screens' row
of the move, which is the engine's Account(venue=...) marked there; the slider and the venue
switch redraw the gauge, the curve and the numbers."""
import html
import math
import re

import numpy as np
import pytest

from crossmargin import widgets
from crossmargin.engine.venues import VENUE_NAMES, venue as get_venue
from crossmargin.errors import InvalidInput
from crossmargin.lessons import comparison as C
from crossmargin.simulation.orders import Order, open_orders
from crossmargin.widgets import VenueSwitcher
from crossmargin.widgets.style import COLORS, WARNING_RATIO, fmt_pct
from crossmargin.widgets.venue_switcher import FALLING_RANGE, RISING_CAP, gauge_position

HEDGE = "BTC long + ETH short (hedge)"


def text(widget):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", widget.value))).strip()


def engine(name, move, portfolio=HEDGE, moving=("BTCUSDT",)):
    account = open_orders(C.SCREEN_PORTFOLIOS[portfolio], C.START_PRICES, venue=name)
    account.mark({s: C.START_PRICES[s] * (1 + move / 100) for s in moving})
    return account


@pytest.fixture(scope="module")
def switcher():
    return VenueSwitcher()


def test_builds_on_binance_with_the_hedge_at_the_start(switcher):
    assert "cm-venue-switcher" in switcher._dom_classes
    assert isinstance(widgets.VenueSwitcher(), VenueSwitcher)
    assert [v for _, v in switcher.venue.options] == list(VENUE_NAMES)
    assert [label for label, _ in switcher.venue.options] == ["Binance", "Bybit", "OKX",
                                                              "Hyperliquid"]
    assert (switcher.venue.value, switcher.portfolio.value, switcher.moving.value,
            switcher.move.value) == ("binance", HEDGE, "BTC only", 0)
    assert list(switcher.portfolio.options) == list(C.SCREEN_PORTFOLIOS)
    assert (switcher.move.min, switcher.move.max) == (-60, 60)
    ratio = engine("binance", 0).margin_ratio()
    assert f"Margin Ratio {fmt_pct(ratio)}" in text(switcher.headline)
    assert "rises ↑ to 100 % = liquidation" in text(switcher.headline)
    assert switcher.figure.title == "Binance · Margin Ratio: rises to 100 % as the account loses"


@pytest.mark.parametrize("name", VENUE_NAMES)
@pytest.mark.parametrize("move", [-35, 0, 20])
def test_the_screen_shows_the_engines_numbers(name, move):
    switcher = VenueSwitcher(name)
    switcher.move.value = move
    account = engine(name, move)
    ratio = account.margin_ratio()
    shown = 1 / ratio if name == "okx" else ratio
    assert switcher.row["margin_ratio"] == pytest.approx(shown)
    assert fmt_pct(shown) in text(switcher.headline)
    screen = text(switcher.screen)
    settle = get_venue(name).collateral
    for symbol, base in (("BTCUSDT", "BTC"), ("ETHUSDT", "ETH")):
        own = get_venue(name).venue_symbol(base)
        assert f"{own} liquidation {account.liquidation_price(symbol):,.2f}" in screen
    assert f"max withdraw {account.max_withdraw():,.2f} {settle}" in screen
    assert f"equity {account.summary()['equity']:,.2f} {settle}" in screen
    assert f"funding every {get_venue(name).funding_interval_hours:g} h" in screen
    assert f"clearance fee, of the notional {fmt_pct(get_venue(name).liquidation_fee_rate, 3)}" \
        in screen
    # the gauge and the cursor follow the move
    falls = name == "okx"
    assert list(switcher.gauge_bar.x) == pytest.approx([0.0, gauge_position(shown, falls)])
    assert list(switcher.cursor.x) == [move, move]
    assert list(switcher.cursor_dot.y) == pytest.approx([shown])


def test_the_curve_is_the_venues_ratio_over_every_move():
    switcher = VenueSwitcher("okx")
    table = C.venue_screens(C.SCREEN_PORTFOLIOS[HEDGE], C.START_PRICES,
                            moving=C.MOVING["BTC only"], venues="okx")["okx"]
    y = np.asarray(switcher.ratio_line.y, dtype=float)
    expected = table["margin_ratio"].to_numpy(dtype=float)
    np.testing.assert_allclose(y[np.isfinite(expected)], expected[np.isfinite(expected)])
    assert np.isnan(y[~np.isfinite(expected)]).all()
    assert list(switcher.ratio_line.x) == pytest.approx(C.SCREEN_MOVES * 100)
    # OKX's falls as BTC falls; the liquidated moves sit left of the first open one
    open_moves = table.index[table["status"] == "open"]
    assert y[np.isfinite(y)][0] < y[np.isfinite(y)][-1]
    assert list(switcher.liquidated_marks.x) == pytest.approx([open_moves[0] * 100 - 1])
    assert "falls ↓ to 100 %" in text(switcher.headline)
    assert "maintenance margin + fee to close" in text(switcher.screen)
    assert switcher.figure.title.startswith("OKX · Margin ratio: falls to 100 %")


def test_switching_venue_redraws_from_the_same_move(switcher):
    switcher.move.value = -30
    seen = {}
    for name in VENUE_NAMES:
        switcher.venue.value = name
        assert switcher.move.value == -30
        seen[name] = switcher.row["margin_ratio"]
        falls = name == "okx"
        assert list(switcher.gauge_liquidation.x) == pytest.approx(
            [gauge_position(1.0, falls)] * 2)
        assert switcher.gauge_warning.visible is (not falls)
        assert switcher.figure.axes[1].label == switcher.row["ratio_name"]
    assert len(set(seen.values())) == 4                 # four venues, four numbers
    assert seen["okx"] > 1 > seen["binance"]
    switcher.venue.value = "binance"
    switcher.move.value = 0


def test_bybits_account_mm_rate_is_named_and_hyperliquid_pays_in_usdc():
    bybit = VenueSwitcher("bybit")
    assert "Account MM rate" in text(bybit.headline)
    hl = VenueSwitcher("hyperliquid")
    assert "Cross Margin Ratio" in text(hl.headline) and "USDC" in text(hl.screen)
    assert "funding every 1 h" in text(hl.screen)


def test_a_move_past_the_liquidation_price_shows_liquidated():
    switcher = VenueSwitcher("binance")
    lp = engine("binance", 0).liquidation_price("BTCUSDT")
    past = math.floor((lp / C.START_PRICES["BTCUSDT"] - 1) * 100) - 1
    switcher.move.value = past
    assert "liquidated" in text(switcher.status)
    assert "Margin Ratio --" in text(switcher.headline)
    assert list(switcher.gauge_bar.x) == [0.0, 1.0]
    assert list(switcher.gauge_bar.colors) == [COLORS["liquidation"]]
    assert "BTCUSDT liquidation --" in text(switcher.screen)
    switcher.move.value = switcher.move.min               # the slider's end: no traceback
    assert "liquidated" in text(switcher.status)
    switcher.move.value = past + 2                        # back inside: open again
    assert "every position is open" in text(switcher.status)


@pytest.mark.parametrize("name, portfolio, warned", [
    ("bybit", HEDGE, -49), ("okx", "one BTC long", -24), ("hyperliquid", HEDGE, -47)])
def test_colours_follow_the_ratio_the_course_way(name, portfolio, warned):
    switcher = VenueSwitcher(name, portfolio=portfolio)
    bands = {}
    for move in range(0, -61, -1):
        switcher.move.value = move
        ratio = switcher.row["margin_ratio"]
        if not math.isfinite(ratio):
            assert list(switcher.gauge_bar.colors) == [COLORS["liquidation"]]
            continue
        rising = 1 / ratio if name == "okx" else ratio        # OKX's turned Binance's way up
        band = "liquidation" if rising >= 1 else "warning" if rising >= WARNING_RATIO \
            else "long"
        assert list(switcher.gauge_bar.colors) == [COLORS[band]]
        assert list(switcher.cursor_dot.colors) == [COLORS[band]]
        bands[move] = band
    assert bands[0] == "long" and bands[warned] == "warning"
    assert switcher.gauge_liquidation.colors == [COLORS["liquidation"]]
    assert switcher.ratio_line.colors == [COLORS["cross"]]


def test_moving_every_coin_keeps_the_hedge_flat_and_relabels_the_slider(switcher):
    switcher.moving.value = "every coin together"
    assert switcher.move.description == "move of every price, %"
    switcher.move.value = -30
    flat = switcher.row["equity"]
    switcher.move.value = 0
    assert abs(flat - switcher.row["equity"]) < 1
    account = open_orders(C.SCREEN_PORTFOLIOS[HEDGE], C.START_PRICES)
    account.mark({s: p * 0.7 for s, p in C.START_PRICES.items()})
    switcher.move.value = -30
    assert switcher.row["margin_ratio"] == pytest.approx(account.margin_ratio())
    switcher.moving.value = "BTC only"
    assert switcher.move.description == "BTC move, % (ETH held)"
    switcher.move.value = 0


def test_a_portfolio_switch_shows_that_portfolio():
    switcher = VenueSwitcher("bybit")
    switcher.portfolio.value = "one BTC long"
    switcher.move.value = -10
    account = engine("bybit", -10, "one BTC long")
    assert switcher.row["margin_ratio"] == pytest.approx(account.margin_ratio())
    assert "ETH" not in text(switcher.screen)
    assert switcher.screens is switcher._screens("one BTC long", "BTC only")


def test_a_portfolio_of_your_own():
    mine = {"short SOL": [Order("SOLUSDT", "short", margin=1_000, leverage=5)]}
    with pytest.raises(InvalidInput, match="prices must give SOLUSDT's price"):
        VenueSwitcher(portfolio="short SOL", portfolios=mine)
    switcher = VenueSwitcher(portfolio="ETH long", portfolios={
        "ETH long": [Order("ETHUSDT", "long", margin=1_000, leverage=5)]})
    assert list(switcher.portfolio.options) == ["ETH long"]
    switcher.move.value = -10                        # BTC moves, the ETH long does not care
    assert switcher.row["equity"] == pytest.approx(switcher.screens["binance"].loc[0.0, "equity"])


def test_gauge_positions():
    assert gauge_position(0.0, False) == 0.0
    assert gauge_position(1.0, False) == pytest.approx(1 / RISING_CAP)
    assert gauge_position(5.0, False) == 1.0
    high, low = FALLING_RANGE
    assert gauge_position(high, True) == 0.0 and gauge_position(low, True) == 1.0
    # OKX: a smaller ratio is closer to liquidation, so further right
    assert gauge_position(2.0, True) > gauge_position(20.0, True)
    assert gauge_position(1.0, True) < 1.0
    assert gauge_position(math.nan, True) == 0.0 and gauge_position(None, False) == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"venue": "kraken"}, r"venue must be one of binance, bybit, okx, hyperliquid "
                          r"\(got 'kraken'\)"),
    ({"portfolio": "big"}, r"portfolio must be one of BTC long \+ ETH short.*'big'"),
    ({"moving": "up"}, r"moving must be one of BTC only, every coin together \(got 'up'\)"),
    ({"move": 61}, r"move must be a whole percent from -60 to 60 \(got 61\)"),
    ({"move": 1.5}, r"move must be a whole percent from -60 to 60 \(got 1.5\)"),
    ({"move": True}, r"move must be a whole percent .*\(got True\)"),
    ({"portfolios": {}}, r"portfolios must name at least one portfolio"),
    ({"deposit": -5}, r"deposit must be > 0 \(got -5\)"),
])
def test_bad_input_is_refused_by_name(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        VenueSwitcher(**kwargs)
