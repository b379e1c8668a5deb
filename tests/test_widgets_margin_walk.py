"""MarginRatioWalk: every number is the engine's, read from marked copies of the accounts."""
import math
import re

import numpy as np
import pytest

from crossmargin import Account
from crossmargin.errors import InvalidInput
from crossmargin.widgets import MarginRatioWalk, style
from crossmargin.widgets.margin_walk import LIQUIDATED, backed_longs
from crossmargin.widgets.style import COLORS, WARNING_RATIO, fmt_pct


def btc_long(collateral):
    """The lesson-03 pair: a 0.25 BTC long at 60,000 (10x) backed by USDT or by BTC."""
    account = Account()
    if collateral == "USDT":
        account.deposit(15_000)
    else:
        account.deposit(0.25, "BTC", price=60_000)
    account.mark({"BTCUSDT": 60_000})
    account.set_leverage("BTCUSDT", 10)
    account.open("BTCUSDT", "long", 60_000, size=0.25)
    return account


@pytest.fixture(scope="module")
def backed():
    return {"A (USDT)": btc_long("USDT"), "B (BTC)": btc_long("BTC")}


def test_default_is_the_usdt_and_btc_backed_long(backed):
    default = backed_longs()
    assert list(default) == list(backed)
    for name in backed:
        assert default[name].summary().equals(backed[name].summary())
    walk = MarginRatioWalk()
    assert walk.symbol == "BTCUSDT" and walk.prices[0] == 60_000 and walk.prices[-1] == 30_000
    assert walk.liquidation_prices["B (BTC)"] == backed["B (BTC)"].liquidation_price("BTCUSDT")


@pytest.fixture(scope="module")
def walk(backed):
    return MarginRatioWalk(backed, "BTCUSDT", to=25_000, points=50)


def test_ratios_are_marked_copies_and_the_accounts_stay_as_they_were(backed, walk):
    before = {n: a.summary() for n, a in backed.items()}
    assert walk.prices[0] == 60_000 and walk.prices[-1] == 25_000
    assert len(walk.prices) == 51 and np.all(np.diff(walk.prices) < 0)   # 50 + B's liquidation price
    for price in walk.prices[::7]:
        for name, account in backed.items():
            trial = account.copy()
            dead = any(e["type"] == "liquidation" for e in trial.mark({"BTCUSDT": price}))
            got = walk.ratios.loc[price, name]
            if price == account.liquidation_price("BTCUSDT"):
                continue
            assert math.isnan(got) if dead else got == trial.margin_ratio()
    for name, account in backed.items():
        assert account.summary().equals(before[name])
        assert account.mark_price("BTCUSDT") == 60_000


def test_lines_end_where_mark_liquidates_and_dots_sit_at_liquidation_price(backed, walk):
    lp = backed["B (BTC)"].liquidation_price("BTCUSDT")
    b = walk.ratios["B (BTC)"]
    assert b[b.index > lp].notna().all() and b[b.index < lp].isna().all()
    assert lp in walk.prices and b[lp] == 1.0 and b[b.index > lp].max() < 1.0   # the line meets the dot
    assert walk.ratios["A (USDT)"].notna().all()           # A survives the whole walk
    assert walk.liquidation_prices == {"A (USDT)": backed["A (USDT)"].liquidation_price("BTCUSDT"),
                                       "B (BTC)": lp}
    assert list(walk.liquidation_points.x) == pytest.approx([lp])      # A's is off the plot
    assert list(walk.liquidation_points.y) == [1.0]
    assert list(walk.lines.labels) == ["A (USDT)", "B (BTC)"]
    assert list(walk.lines.colors) == [COLORS["cross"], COLORS["text"]]
    assert list(walk.warning_rule.y) == [WARNING_RATIO] * 2
    assert list(walk.liquidation_rule.y) == [1.0, 1.0]
    assert walk.figure.axes[0].scale.reverse                # falling prices run to the right
    assert "cm-margin-walk" in walk._dom_classes
    assert f"{lp:,.2f}" in walk.caption.value


def test_liquidated_agrees_with_the_liquidation_price(backed, walk):
    for name, account in backed.items():
        lp = account.liquidation_price("BTCUSDT")
        assert walk.liquidated(name, lp - 0.01) and not walk.liquidated(name, lp + 0.01)
    assert 30_000 < backed["B (BTC)"].liquidation_price("BTCUSDT") < 31_000


def test_table_reads_like_the_lesson(walk):
    table = walk.table([60_000, 35_000, 31_000, 30_000])
    assert list(table.index) == ["60,000", "35,000", "31,000", "30,000"]
    assert table.loc["30,000", "B (BTC)"] == LIQUIDATED
    assert table.loc["31,000", "A (USDT)"].endswith(" %")
    b31 = float(table.loc["31,000", "B (BTC)"].rstrip(" %")) / 100
    assert b31 > 10 * float(table.loc["35,000", "B (BTC)"].rstrip(" %")) / 100  # shoots up late


def test_a_rising_walk_and_an_account_without_position():
    flat = Account()
    flat.deposit(1_000)
    flat.mark({"ETHUSDT": 3_000})
    w = MarginRatioWalk({"no position": flat}, "ETHUSDT", to=4_000, points=3)
    assert np.allclose(w.prices, [3_000, 3_500, 4_000])
    assert not w.figure.axes[0].scale.reverse
    assert w.liquidation_prices == {"no position": None}
    assert (w.ratios["no position"] == 0).all()


@pytest.mark.parametrize("args, kwargs, message", [
    (([], "BTCUSDT"), {}, "accounts must be a dict of name -> Account"),
    (({"A": "acc"}, "BTCUSDT"), {}, r"accounts\['A'\] must be an Account"),
    (({1: None}, "BTCUSDT"), {}, "every name must be text"),
    ((None, "DOGEUSDT"), {}, "symbol must be one of.*'DOGEUSDT'"),
    ((None, "BTCUSDT"), {"points": 1}, "points must be a whole number from 2 to 2000.*1"),
    ((None, "BTCUSDT"), {"points": 2.5}, "points must be a whole number"),
    ((None, "BTCUSDT"), {"to": -5}, "to must be > 0.*-5"),
    ((None, "BTCUSDT"), {"to": 60_000}, "to must differ from the current mark"),
])
def test_bad_input_names_field_and_value(backed, args, kwargs, message):
    accounts, symbol = args
    accounts = backed if accounts is None else accounts
    with pytest.raises(InvalidInput, match=message):
        MarginRatioWalk(accounts, symbol, **kwargs)


def test_bad_calls_name_field_and_value(walk):
    with pytest.raises(InvalidInput, match="name must be one of.*'C'"):
        walk.liquidated("C", 30_000)
    with pytest.raises(InvalidInput, match="price must be > 0.*0"):
        walk.liquidated("B (BTC)", 0)
    with pytest.raises(InvalidInput, match="prices must be a list"):
        walk.table(5)
    with pytest.raises(InvalidInput, match="at least one price"):
        walk.table([])


def test_the_caption_says_which_line_ends_at_100_and_which_never_gets_there(backed):
    """Lesson 03's walk: B's line ends at 100 %; A's liquidation price (30.12) is far below
    the walk's end, so its line never reaches 100 % and the caption must not say it does."""
    walk = MarginRatioWalk(backed, "BTCUSDT", to=25_000)
    caption = re.sub(r"<[^>]+>", "", walk.caption.value)
    a_top = walk.ratios["A (USDT)"].max()
    assert a_top < 0.8
    assert (f"A (USDT): never reaches 100 % between 60,000 and 25,000: at most "
            f"{fmt_pct(a_top)} (at 25,000)") in caption
    lp = backed["B (BTC)"].liquidation_price("BTCUSDT")
    assert f"B (BTC): climbs to 100 % at liquidation_price() {lp:,.2f}" in caption
    assert "Each line ends at 100 %" not in caption
    # Walk only to 40,000: B never gets there either.
    short = MarginRatioWalk(backed, "BTCUSDT", to=40_000)
    assert "B (BTC): never reaches 100 %" in re.sub(r"<[^>]+>", "", short.caption.value)
    assert short.ratios["B (BTC)"].notna().all()


def test_accounts_have_distinguishable_colours_and_the_legend_sits_under_the_plot(walk):
    colours = list(walk.lines.colors)
    assert len(set(colours)) == len(colours)
    # Far apart in lightness (for every reader), and not the price's light blue next to
    # the cross blue as before.
    assert style.contrast_ratio(colours[0], colours[1]) >= 3
    assert COLORS["price"] not in colours and COLORS["warning"] not in colours
    assert not any(getattr(m, "display_legend", False) for m in walk.figure.marks)
    for words in ("A (USDT)", "B (BTC)", "80 % warning", "100 % liquidation",
                  "liquidation_price()"):
        assert words in walk.key.value
    assert walk.key in walk.children


def test_price_ticks_are_round(walk):
    ticks = np.asarray(walk.figure.axes[0].tick_values)
    assert len(ticks) >= 3 and np.allclose(ticks % 5_000, 0)
    assert min(walk.start, walk.to) <= ticks.min() and ticks.max() <= max(walk.start, walk.to)
