"""Tables a learner reads: thousands separators, rounded numbers, words for column names.

A lesson shows an engine table through :func:`table`::

    table(account.positions()[["side", "entry_price", "liquidation_price"]])

Numbers get ``12,345.67``; missing values (no liquidation price, ``None``, ``NaN``)
show ``--`` as exchanges show them; snake_case column names become words
("entry_price" → "entry price"). The data are not changed: only the display.

The single numbers of a sentence or a label use the same rules (no ipywidgets here, so
lessons, checks and widgets share them)::

    fmt_usdt(12345.678)   # '12,345.68 USDT'
    fmt_pct(0.4149)       # '41.49 %'
    fmt_price(None)       # '--'
"""
import math
import numbers

import pandas as pd

from .errors import InvalidInput

__all__ = ["table", "words", "fmt_usdt", "fmt_price", "fmt_pct", "fmt_number"]


def _signed(text):
    """``text`` without the minus of a value that rounds to zero (``-0.00`` → ``0.00``: a
    float left at -1e-30 by the arithmetic is no loss).

    >>> _signed("-0.00 USDT"), _signed("-0.01")
    ('0.00 USDT', '-0.01')
    """
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


def missing(x):
    """True for no value: ``None`` or NaN (shown as ``--``)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_usdt(x, decimals=2):
    """``12,345.67 USDT``; ``--`` when there is no value (as exchanges show it).

    >>> fmt_usdt(12345.678), fmt_usdt(950, 0), fmt_usdt(None)
    ('12,345.68 USDT', '950 USDT', '--')
    """
    return "--" if missing(x) else _signed(f"{x:,.{decimals}f} USDT")


def fmt_price(x, decimals=2):
    """``60,000.00``; ``--`` when there is no price (e.g. no liquidation price).

    >>> fmt_price(60_000), fmt_price(float("nan"))
    ('60,000.00', '--')
    """
    return "--" if missing(x) else _signed(f"{x:,.{decimals}f}")


def fmt_pct(x, decimals=2):
    """``41.49 %`` from 0.4149; ``∞`` when nothing is left; ``--`` when there is no value.

    >>> fmt_pct(0.4149), fmt_pct(0.0964, 1), fmt_pct(float("inf"))
    ('41.49 %', '9.6 %', '∞')
    """
    if missing(x):
        return "--"
    if math.isinf(x):
        return "∞"
    return _signed(f"{x * 100:,.{decimals}f} %")


def fmt_number(x, unit="", precision=None):
    """A learner's or an expected answer with its unit: to the ``precision`` a question
    states (``0.01`` → 2 decimals, ``1`` or more → none), else 2 decimals (6 significant
    digits below 1).

    >>> fmt_number(48222.891, "USDT", 0.01), fmt_number(1234.5, "USDT", 100)
    ('48,222.89 USDT', '1,234 USDT')
    >>> fmt_number(0.000125), fmt_number(12.5, "x")
    ('0.000125', '12.50 x')
    """
    if precision is not None:
        decimals = max(0, round(-math.log10(precision))) if precision < 1 else 0
        text = f"{x:,.{decimals}f}"
    else:
        text = f"{x:,.2f}" if abs(x) >= 1 else f"{x:.6g}"
    return _signed(f"{text} {unit}".strip())


def words(name):
    """``"liquidation_price"`` → ``"liquidation price"`` (other labels unchanged)."""
    return name.replace("_", " ") if isinstance(name, str) else name


def _cell(decimals, percent=False, whole=False, labels=False):
    """Formats one value: ``whole`` columns (every value a whole number) get no decimals."""
    def fmt(x):
        if missing(x):
            return "--"
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            return words(x) if isinstance(x, str) and labels else str(x)
        if percent:
            return _signed(f"{x * 100:,.{decimals}f} %")
        if whole and float(x).is_integer():
            return _signed(f"{x:,.0f}")
        if labels:          # a row label keeps every digit it has: 0.25, not 0.2
            return _signed(f"{x:,.6f}".rstrip("0").rstrip("."))
        return _signed(f"{x:,.{decimals}f}")
    return fmt


def _whole(values):
    numbers_ = [x for x in values if isinstance(x, numbers.Real) and not isinstance(x, bool)
                and not missing(x)]
    return bool(numbers_) and all(float(x).is_integer() for x in numbers_)


def table(frame, decimals=2, *, percent=(), columns=None):
    """A styled view of ``frame`` for reading: ``decimals`` places (none in a column of
    whole numbers), ``percent`` columns (fractions shown as 41.49 %; a dict gives each its
    decimals), ``columns`` renames {name: label}; the rest snake_case → words. Returns a
    pandas ``Styler`` (the notebook shows it)."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInput(f"frame must be a pandas DataFrame or Series "
                           f"(got {type(frame).__name__})")
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 8:
        raise InvalidInput(f"decimals must be a whole number from 0 to 8 (got {decimals!r})")
    unknown = [c for c in percent if c not in frame.columns]
    if unknown:
        raise InvalidInput(f"percent names columns that are not in the table: {unknown} "
                           f"(columns: {list(frame.columns)})")
    labels = {c: (columns or {}).get(c, words(c)) for c in frame.columns}
    shown = frame.rename(columns=labels)
    shown.index = shown.index.set_names([words(n) for n in shown.index.names])
    places = percent if isinstance(percent, dict) else dict.fromkeys(percent, decimals)
    formats = {labels[c]: (_cell(places[c], percent=True) if c in places
                           else _cell(decimals, whole=_whole(frame[c].tolist())))
               for c in frame.columns}
    return (shown.style.format(formats)
            .format_index(_cell(decimals, whole=True, labels=True), axis=0)
            .set_table_attributes('class="cm-table"'))
