"""Tables a learner reads: thousands separators, rounded numbers, words for column names.

A lesson shows an engine table through :func:`table`::

    table(account.positions()[["side", "entry_price", "liquidation_price"]])

Numbers get ``12,345.67``; missing values (no liquidation price, ``None``, ``NaN``)
show ``--`` as exchanges show them; snake_case column names become words
("entry_price" → "entry price"). The data are not changed: only the display.
"""
import numbers

import pandas as pd

from .errors import InvalidInput

__all__ = ["table", "words"]


def words(name):
    """``"liquidation_price"`` → ``"liquidation price"`` (other labels unchanged)."""
    return name.replace("_", " ") if isinstance(name, str) else name


def _cell(decimals, percent=False, whole=False, labels=False):
    """Formats one value: ``whole`` columns (every value a whole number) get no decimals."""
    def fmt(x):
        if x is None or (isinstance(x, float) and x != x):
            return "--"
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            return words(x) if isinstance(x, str) and labels else str(x)
        if percent:
            return f"{x * 100:,.{decimals}f} %"
        if whole and float(x).is_integer():
            return f"{x:,.0f}"
        if labels:          # a row label keeps every digit it has: 0.25, not 0.2
            return f"{x:,.6f}".rstrip("0").rstrip(".")
        return f"{x:,.{decimals}f}"
    return fmt


def _whole(values):
    numbers_ = [x for x in values if isinstance(x, numbers.Real) and not isinstance(x, bool)
                and x == x]
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
