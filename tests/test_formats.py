import re

import numpy as np
import pandas as pd
import pytest

from crossmargin.errors import InvalidInput
from crossmargin import formats
from crossmargin.formats import table, words


def cells(styler):
    return re.findall(r">([^<>]+)</t[dh]>", styler.to_html())


def test_numbers_get_separators_missing_values_dashes_and_names_words():
    frame = pd.DataFrame({"entry_price": [45658.885542, 1.5], "margin_ratio": [0.4149, np.nan],
                          "side": ["long", None]},
                         index=pd.Index(["BTCUSDT", "ETHUSDT"], name="symbol"))
    shown = cells(table(frame, percent=["margin_ratio"]))
    assert ["entry price", "margin ratio", "side", "symbol"] == [c for c in shown[1:5]]
    assert "45,658.89" in shown and "41.49 %" in shown and "1.50" in shown
    assert shown.count("--") == 2 and "None" not in shown and "nan" not in shown
    assert frame.loc["BTCUSDT", "entry_price"] == 45658.885542      # the data are unchanged


def test_whole_index_values_stay_whole_and_labels_can_be_renamed():
    frame = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index([2.0, 5.0], name="leverage"))
    shown = cells(table(frame, 1, columns={"x": "room before liquidation %"}))
    assert shown[1:3] == ["room before liquidation %", "leverage"]
    assert [c for c in shown[3:] if c != "&nbsp;"] == ["2", "1", "5", "2"]
    assert words("liquidation_price") == "liquidation price" and words(3) == 3


@pytest.mark.parametrize("args, field", [
    (([1, 2],), "frame"), ((pd.DataFrame({"a": [1]}), -1), "decimals"),
    ((pd.DataFrame({"a": [1]}), 2.5), "decimals"),
])
def test_bad_input_names_the_field(args, field):
    with pytest.raises(InvalidInput, match=field):
        table(*args)


def test_percent_must_name_columns_of_the_table():
    with pytest.raises(InvalidInput, match="percent .*'b'"):
        table(pd.DataFrame({"a": [0.5]}), percent=["b"])


def test_whole_columns_have_no_decimals_and_percent_columns_their_own():
    frame = pd.DataFrame({"leverage": [125.0, 20.0], "cum": [0.0, 50.0], "price": [3.0, 2.5],
                          "mmr": [0.004, 0.005]})
    shown = cells(table(frame, percent={"mmr": 1}))
    assert "125" in shown and "125.00" not in shown and "50" in shown
    assert "3.00" in shown and "2.50" in shown and "0.4 %" in shown and "0.5 %" in shown


def test_a_series_reads_with_words_for_its_row_labels():
    shown = cells(table(pd.Series({"final_equity": 9_500.0, "liquidations": 2}, name="run")))
    assert "final equity" in shown and "9,500" in shown and "final_equity" not in shown


def test_row_labels_keep_their_digits():
    shown = cells(table(pd.DataFrame({"odds": [0.1, 0.2]}, index=[0.25, 0.6]), 0))
    assert "0.25" in shown and "0.6" in shown


def test_number_formats_live_in_formats_without_ipywidgets():
    import subprocess
    import sys
    code = ("import sys, crossmargin.formats as f; "
            "assert 'ipywidgets' not in sys.modules and 'bqplot' not in sys.modules, "
            "sorted(m for m in sys.modules if 'widget' in m)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_style_uses_the_formats_of_formats():
    from crossmargin import formats
    from crossmargin.widgets import style
    assert style.fmt_usdt is formats.fmt_usdt
    assert style.fmt_price is formats.fmt_price
    assert style.fmt_pct is formats.fmt_pct


@pytest.mark.parametrize("call, text", [
    (lambda f: f.fmt_usdt(12_345.678), "12,345.68 USDT"),
    (lambda f: f.fmt_usdt(-1_234.5, 0), "-1,234 USDT"),
    (lambda f: f.fmt_usdt(np.nan), "--"),
    (lambda f: f.fmt_price(60_000), "60,000.00"),
    (lambda f: f.fmt_price(None), "--"),
    (lambda f: f.fmt_pct(0.4149), "41.49 %"),
    (lambda f: f.fmt_pct(0.0964, 1), "9.6 %"),
    (lambda f: f.fmt_pct(float("inf")), "∞"),
    (lambda f: f.fmt_number(48_222.891, "USDT", 0.01), "48,222.89 USDT"),
    (lambda f: f.fmt_number(0.000125), "0.000125"),
    (lambda f: f.fmt_number(2.5, "x", 1), "2 x"),
])
def test_number_formats(call, text):
    from crossmargin import formats
    assert call(formats) == text


def test_a_value_that_rounds_to_zero_shows_no_minus():
    """An account closed at its bankruptcy price can hold -1.6e-30 USDT of float noise."""
    shown = formats.table(pd.DataFrame({"final_equity": [-1.6e-30, -0.004, -0.006]})).to_html()
    assert ">-0.00<" not in shown and shown.count(">0.00<") == 2 and ">-0.01<" in shown
    assert formats.fmt_usdt(-1e-30) == "0.00 USDT" and formats.fmt_pct(-1e-9) == "0.00 %"
