"""Input checks shared by the public functions (messages name field, value and limit)."""
import math

import numpy as np
import pandas as pd

from .errors import InvalidInput

SIDES = {"long": 1, "short": -1}
#: The two margin modes, in the order the course names them ("cross or isolated"). A table
#: that shows isolated first reverses it where it is built (``MARGIN_MODES[::-1]``).
MARGIN_MODES = ("cross", "isolated")


def side_sign(side, field="side"):
    """Map "long"/"short" to +1/-1."""
    try:
        return SIDES[side]
    except (KeyError, TypeError):
        raise InvalidInput(f"{field} must be 'long' or 'short' (got {side!r})") from None


def one_amount(size=None, margin=None, notional=None):
    """``(field, value)`` of the one of ``size``, ``margin`` and ``notional`` that is given
    (not None; the value is not checked), else :class:`InvalidInput` saying what was given.

    >>> one_amount(margin=1_000)
    ('margin', 1000)
    >>> one_amount(size=1, margin=1_000)
    Traceback (most recent call last):
    ...
    crossmargin.errors.InvalidInput: give exactly one of size, margin or notional (got size, margin)
    """
    given = [(k, v) for k, v in (("size", size), ("margin", margin), ("notional", notional))
             if v is not None]
    if len(given) != 1:
        raise InvalidInput(f"give exactly one of size, margin or notional "
                           f"(got {', '.join(k for k, _ in given) or 'none'})")
    return given[0]


def check_margin_mode(mode, field="margin_mode", *, listed=MARGIN_MODES, joiner="or"):
    """``mode`` when it is one of :data:`MARGIN_MODES`, else :class:`InvalidInput` naming
    ``field`` and the value. ``listed`` and ``joiner`` only word the message (a caller that
    shows isolated first lists it first).

    >>> check_margin_mode("cross")
    'cross'
    >>> check_margin_mode("portfolio", "mode")
    Traceback (most recent call last):
    ...
    crossmargin.errors.InvalidInput: mode must be 'cross' or 'isolated' (got 'portfolio')
    """
    if mode not in MARGIN_MODES:
        names = f" {joiner} ".join(repr(m) for m in listed)
        raise InvalidInput(f"{field} must be {names} (got {mode!r})")
    return mode


def _as_float(value, field):
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number (got {value!r})")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a number (got {value!r})") from None


def finite(value, field):
    """A finite real number."""
    x = _as_float(value, field)
    if not math.isfinite(x):
        raise InvalidInput(f"{field} must be a finite number (got {value!r})")
    return x


def positive(value, field):
    """A finite number > 0."""
    x = finite(value, field)
    if x <= 0:
        raise InvalidInput(f"{field} must be > 0 (got {value!r})")
    return x


def non_negative(value, field):
    """A finite number >= 0."""
    x = finite(value, field)
    if x < 0:
        raise InvalidInput(f"{field} must be >= 0 (got {value!r})")
    return x


def positive_array(values, field):
    """Scalar or array of finite numbers > 0, returned as a float ndarray (or float)."""
    if np.isscalar(values):
        return positive(values, field)
    arr = np.asarray(values, dtype=float)
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        first = float(arr[bad].flat[0])
        raise InvalidInput(f"{field} must be finite and > 0 everywhere (got {first!r} "
                           f"at index {int(np.flatnonzero(bad.ravel())[0])})")
    return arr


def positive_table(frame, field, error=InvalidInput):
    """The values of a DataFrame of prices as floats, every one finite and > 0; else ``error``
    naming the row, the column and the value."""
    values = frame.to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise error(f"{field} must be finite and > 0: row {row}, column "
                    f"{frame.columns[col]!r} (got {float(values[row, col])!r})")
    return values


def utc_timestamp(value, field, example=""):
    """A pandas Timestamp in UTC (naive values are taken as UTC)."""
    like = f" like {example!r}" if example else ""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a date-time{like} (got {value!r})") from None
    if stamp is pd.NaT:
        raise InvalidInput(f"{field} must be a date-time{like} (got {value!r})")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def non_empty_list(values, field, example=None, *, of=None, one=None):
    """``values`` as a list, refused when it is not iterable or empty.

    The messages say ``{field} must be a list of {of}, e.g. {example}`` (``of`` defaults to
    ``field``; no example when it is None) and ``{field} must hold at least one {one}``
    (``one`` defaults to ``field`` without its final "s").

    >>> non_empty_list((2, 5), "leverages", "(2, 5, 10)")
    [2, 5]
    >>> non_empty_list(3, "leverages", "(2, 5, 10)")
    Traceback (most recent call last):
    ...
    crossmargin.errors.InvalidInput: leverages must be a list of leverages, e.g. (2, 5, 10) (got 3)
    >>> non_empty_list([], "legs", of="Leg", one="Leg")
    Traceback (most recent call last):
    ...
    crossmargin.errors.InvalidInput: legs must hold at least one Leg (got none)
    """
    try:
        items = list(values)
    except TypeError:
        like = "" if example is None else f", e.g. {example}"
        raise InvalidInput(f"{field} must be a list of {of or field}{like} "
                           f"(got {values!r})") from None
    if not items:
        raise InvalidInput(f"{field} must hold at least one {one or field.rstrip('s')} "
                           f"(got none)")
    return items


def side_signs(side):
    """+1/-1 from "long"/"short", or an array of +1/-1 passed through."""
    if isinstance(side, str):
        return side_sign(side)
    arr = np.asarray(side)
    if arr.dtype.kind in "USO":
        return np.vectorize(side_sign, otypes=[float])(arr)
    if arr.dtype.kind == "b" or not np.isin(arr, (-1, 1)).all():
        raise InvalidInput(f"side must be 'long', 'short', +1 or -1 (got {side!r})")
    return arr.astype(float) if arr.ndim else float(arr)
