"""Scenarios by name, and prices from files.

* the registry: ``SCENARIOS`` (the built-in scenarios by name), ``list_scenarios()`` and
  ``load(name, **params)``, which also find the *scenario files*;
* scenario files: ``scenario_files()`` finds the ``.csv`` / ``.zip`` files (shipped in
  ``DATA_DIR``, in a ``CROSSMARGIN_DATA_PATH`` entry or in a ``folder=``) and their optional
  ``name.json`` sidecars (``SIDECAR_FIELDS``);
* the CSV loader: ``load_csv`` reads a Binance kline export (``KLINE_COLUMNS``, one of
  ``PRICE_COLUMNS``) or a wide ``timestamp,BTCUSDT,...`` file into a scenario DataFrame.
"""
import csv
import io
import math
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .. import datafiles
from ..errors import InvalidInput, ScenarioError
from .random import random_walk
from .reconstructed import crash_2025_10_10
from .stylized import btc_crash, eth_decouples, gap_through_stop, slow_grind, whipsaw

DATA_DIR = datafiles.PACKAGE_DATA / "scenarios"
#: A synthetic Binance kline file that ships with the package (see ``DATA_DIR / "README.md"``).
SAMPLE_KLINES_CSV = DATA_DIR / "BTCUSDT-1h-sample.csv"

# --------------------------------------------------------------------------- registry

SCENARIOS = {
    "btc_crash": btc_crash,
    "eth_decouples": eth_decouples,
    "slow_grind": slow_grind,
    "whipsaw": whipsaw,
    "gap_through_stop": gap_through_stop,
    "random_walk": random_walk,
    "crash_2025_10_10": crash_2025_10_10,
}


FILE_SUFFIXES = (".csv", ".zip")
#: Fields of the optional ``name.json`` that describes a scenario file (all optional).
SIDECAR_FIELDS = ("description", "symbol", "source", "licence", "stylized")
#: The symbol a kline file's name starts with, as Binance names them: BTCUSDT-1h-2024-05.csv.
_SYMBOL_IN_NAME = re.compile(r"[A-Z0-9]*[A-Z][A-Z0-9]*(?=-|$)")
_BUILT_IN = {name: f"the built-in scenario {name}" for name in SCENARIOS}


def scenario_files(folder=None):
    """``{name: path}`` of the scenario files (``.csv``, or a ``.zip`` holding one CSV):
    shipped, in the ``scenarios/`` folder of each ``CROSSMARGIN_DATA_PATH`` entry, in
    ``folder``. A file named like a built-in scenario, or like another file, raises."""
    return datafiles.files("scenarios", FILE_SUFFIXES, folder, taken=_BUILT_IN)


def _sidecar(path):
    """The checked fields of the optional ``name.json`` next to a scenario file."""
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}
    about = datafiles.read_json(side)
    try:
        datafiles.check_fields(about, SIDECAR_FIELDS)
        for key, value in about.items():
            (datafiles.flag if key == "stylized" else datafiles.text)(value, key)
    except InvalidInput as err:
        raise InvalidInput(f"{side.name}: {err}") from None
    return about


def _load_file(name, path, price="close"):
    """The scenario in the file ``path``, named ``name`` and described by its sidecar."""
    about = _sidecar(path)
    source, stem, text = _read_text(path)
    rows = _rows(text)
    symbol = about.get("symbol")
    if symbol is None and rows and _is_kline(rows[0][1]):
        guess = _SYMBOL_IN_NAME.match(name)
        if guess is None:
            raise ScenarioError(f"{source} is a kline file, which does not name its symbol: "
                                "start the file name with it (BTCUSDT-1h-2024-05.csv) or write "
                                f'{{"symbol": "BTCUSDT"}} in {name}.json next to it')
        symbol = guess.group(0)
    frame = _parse(source, stem, rows, symbol=symbol, price=price)
    frame.attrs.update({key: about[key] for key in ("description", "source", "licence", "stylized")
                        if key in about}, name=name, file=str(path))
    return frame


def list_scenarios(folder=None):
    """Every scenario: the built-ins (with their default parameters), then the scenario files
    (each one is loaded, so a bad file raises here). Columns: name, description, stylized,
    reconstructed (a hand-built path matching a real day's published facts), parameters, file
    (empty for a built-in)."""
    rows = []
    for name, build in SCENARIOS.items():
        attrs = build().attrs
        rows.append(dict(name=name, description=attrs["description"], stylized=attrs["stylized"],
                         reconstructed=attrs.get("reconstructed", False),
                         parameters=", ".join(build.__kwdefaults__), file=""))
    for name, path in scenario_files(folder).items():
        attrs = _load_file(name, path).attrs
        rows.append(dict(name=name, description=attrs["description"], stylized=attrs["stylized"],
                         reconstructed=False, parameters="price", file=str(path)))
    return pd.DataFrame(rows)


def load(name, *, folder=None, **params):
    """The scenario ``name``: a built-in built with keyword ``params``, or a scenario file
    (its one parameter, ``price``, picks a kline file's column: close, open, high or low).
    See ``list_scenarios()``."""
    path = datafiles.find("scenarios", name, FILE_SUFFIXES, folder, taken=_BUILT_IN)
    if path is not None:
        unknown = [p for p in params if p != "price"]
        if unknown:
            raise InvalidInput(f"scenario {name!r} (the file {path.name}) has no parameter "
                               f"{unknown[0]!r}; its parameters: price")
        return _load_file(name, path, **params)
    if name not in SCENARIOS:
        known = [*SCENARIOS, *scenario_files(folder)]
        raise ScenarioError(f"unknown scenario {name!r}; known scenarios: {', '.join(known)}")
    build = SCENARIOS[name]
    unknown = [p for p in params if p not in build.__kwdefaults__]
    if unknown:
        raise InvalidInput(f"scenario {name!r} has no parameter {unknown[0]!r}; its parameters: "
                           f"{', '.join(build.__kwdefaults__)}")
    return build(**params)


# --------------------------------------------------------------------------- CSV loader

KLINE_COLUMNS = ("open_time", "open", "high", "low", "close", "volume", "close_time",
                 "quote_volume", "count", "taker_buy_volume", "taker_buy_quote_volume", "ignore")
PRICE_COLUMNS = ("open", "high", "low", "close")
_INTEGER = re.compile(r"[+-]?\d+")


def _read_text(path_or_buffer):
    """(name for messages, file stem, text) of a path, a .zip holding one CSV, or a file object."""
    if isinstance(path_or_buffer, (str, os.PathLike)):
        path = Path(path_or_buffer)
        source, stem = path.name, path.stem
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
                if len(members) != 1:
                    raise ScenarioError(f"{source} must hold exactly one .csv file "
                                        f"(found {len(members)})")
                data = archive.read(members[0])
                source, stem = f"{source}:{members[0]}", Path(members[0]).stem
        else:
            data = path.read_bytes()
    elif hasattr(path_or_buffer, "read"):
        data = path_or_buffer.read()
        name = Path(str(getattr(path_or_buffer, "name", "") or ""))
        source, stem = (name.name, name.stem) if name.name else ("<buffer>", "csv")
    else:
        raise InvalidInput("path_or_buffer must be a file path or an open file "
                           f"(got {path_or_buffer!r})")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"{source} is not UTF-8 text ({exc})") from None
    return source, stem, data.lstrip("\ufeff")


def _rows(text):
    """Non-blank CSV rows as (line number, stripped fields); line numbers count every line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, last = [], 0
    for fields in reader:
        line, last = last + 1, reader.line_num
        if any(f.strip() for f in fields):
            rows.append((line, [f.strip() for f in fields]))
    return rows


def _times(values, lines, column, source):
    """Parse a timestamp column: epoch ms or µs (all digits) or ISO 8601 text -> UTC index."""
    def fail(i, why):
        raise ScenarioError(f"{source} line {lines[i]}, column {column!r}: {why}")

    for i, v in enumerate(values):
        if not v:
            fail(i, "missing timestamp")
    digits = np.array([bool(_INTEGER.fullmatch(v)) for v in values])
    if digits[0] or column == "open_time":
        if not digits.all():
            fail(int(np.argmin(digits)), f"{values[int(np.argmin(digits))]!r} is not a time in "
                                         "milliseconds or microseconds since 1970")
        ticks = np.array([int(v) for v in values], dtype=np.int64)
        bad = (ticks < 10**11) | (ticks >= 10**17)
        if bad.any():
            i = int(np.argmax(bad))
            fail(i, f"{values[i]} is not a time in milliseconds (13 digits) or microseconds "
                    "(16 digits) since 1970")
        micros = np.where(ticks >= 10**14, ticks, ticks * 1000)
        return pd.DatetimeIndex(pd.to_datetime(micros, unit="us", utc=True)).as_unit("us")
    parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601",
                            errors="coerce")
    if parsed.isna().any():
        i = int(np.argmax(parsed.isna().to_numpy()))
        fail(i, f"cannot read {values[i]!r} as a date-time (use ISO 8601 like "
                "2024-01-01T00:00:00Z, or milliseconds since 1970)")
    return pd.DatetimeIndex(parsed).as_unit("us")


def _prices(columns, lines, source):
    """Price columns {name: [text]} -> {name: float array}; the first bad value raises."""
    parsed = {c: pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy(dtype=float)
              for c, v in columns.items()}
    first = None
    for c, x in parsed.items():
        bad = ~(np.isfinite(x) & (x > 0))
        if bad.any() and (first is None or int(np.argmax(bad)) < first[0]):
            first = (int(np.argmax(bad)), c)
    if first is None:
        return parsed
    i, c = first
    raw = columns[c][i]
    try:
        number = float(raw)
    except ValueError:
        number = None
    if not raw:
        why = "missing price"
    elif number is None:
        why = f"{raw!r} is not a number"
    elif not math.isfinite(number):
        why = f"price must be a finite number (got {raw!r})"
    else:
        why = f"price must be > 0 (got {raw})"
    raise ScenarioError(f"{source} line {lines[i]}, column {c!r}: {why}")


def load_csv(path_or_buffer, *, symbol=None, price="close"):
    """Load your own prices from a CSV file (a path, a .zip with one CSV, or an open file).

    Two layouts are recognised:

    * a Binance kline export (``open_time, open, high, low, close, volume, close_time, ...``,
      with or without a header row; ``open_time`` in milliseconds or microseconds since 1970).
      It holds one symbol, so pass ``symbol="BTCUSDT"``; ``price`` picks the column
      (``"close"``, ``"open"``, ``"high"`` or ``"low"``); rows are stamped with ``open_time``;
    * a wide file: a ``timestamp`` column (ISO 8601 or epoch ms) and one column per symbol
      (``symbol`` keeps only that one).

    Returns a scenario DataFrame (``stylized`` False, ``name`` from the file name). A bad value
    raises ScenarioError naming the file, the line (1-based, header included) and the column.
    """
    source, stem, text = _read_text(path_or_buffer)
    return _parse(source, stem, _rows(text), symbol=symbol, price=price)


def _header(first):
    """Column names as the loader compares them: lower case, spaces as underscores."""
    return [h.lower().replace(" ", "_") for h in first]


def _is_kline(first):
    """Whether a file whose first row is ``first`` is a kline export (header or not)."""
    return bool(_INTEGER.fullmatch(first[0])) or "open_time" in _header(first)


def _parse(source, stem, rows, *, symbol, price):
    """The scenario DataFrame of a CSV's rows (see :func:`load_csv`)."""
    if price not in PRICE_COLUMNS:
        raise InvalidInput(f"price must be one of {', '.join(PRICE_COLUMNS)} (got {price!r})")
    if symbol is not None and (not isinstance(symbol, str) or not symbol.strip()):
        raise InvalidInput(f"symbol must be a name like 'BTCUSDT' (got {symbol!r})")
    if not rows:
        raise ScenarioError(f"{source} is empty: no rows of data")

    first_line, first = rows[0]
    if _INTEGER.fullmatch(first[0]):  # no header: Binance's headerless kline layout
        kind, header, data = "kline", list(KLINE_COLUMNS[: len(first)]), rows
        if len(first) < 5 or len(first) > len(KLINE_COLUMNS):
            raise ScenarioError(f"{source} line {first_line}: a kline row has 5 to 12 columns "
                                f"(open_time, open, high, low, close, ...) (got {len(first)})")
    else:
        header = _header(first)
        data = rows[1:]
        if "open_time" in header:
            kind = "kline"
        elif "timestamp" in header:
            kind = "wide"
        else:
            raise ScenarioError(f"{source} line {first_line}: the header needs an 'open_time' "
                                "column (Binance klines) or a 'timestamp' column (one column per "
                                f"symbol) (got {', '.join(first)})")
        for name in header:
            if header.count(name) > 1 or not name:
                raise ScenarioError(f"{source} line {first_line}: column name {name!r} is "
                                    f"{'empty' if not name else 'repeated'}")
        if kind == "kline" and price not in header:
            raise ScenarioError(f"{source} line {first_line}, column {price!r}: missing column "
                                f"(columns: {', '.join(first)})")
        if not data:
            raise ScenarioError(f"{source} has a header on line {first_line} but no rows of data")
    for line, fields in data:
        if len(fields) < len(header):
            raise ScenarioError(f"{source} line {line}, column {header[len(fields)]!r}: missing "
                                f"value (the row has {len(fields)} columns, expected "
                                f"{len(header)})")
        if len(fields) > len(header):
            raise ScenarioError(f"{source} line {line}: the row has {len(fields)} columns, "
                                f"expected {len(header)}")
    lines = [line for line, _ in data]

    if kind == "kline":
        if symbol is None:
            guess = re.match(r"[A-Z0-9]+", stem)
            example = guess.group(0) if guess else "BTCUSDT"
            raise ScenarioError(f"{source} is a kline file, which does not name its symbol: pass "
                                f"symbol=, e.g. load_csv(..., symbol={example!r})")
        time_column, wanted = "open_time", {symbol: price}
    else:
        time_column = first[header.index("timestamp")]
        names = [f for f, h in zip(first, header) if h != "timestamp"]
        if not names:
            raise ScenarioError(f"{source} line {first_line}: no price columns beside 'timestamp'")
        if symbol is not None and symbol not in names:
            raise ScenarioError(f"{source} line {first_line}: no column {symbol!r} "
                                f"(symbols in the file: {', '.join(names)})")
        wanted = {n: n for n in ([symbol] if symbol else names)}
    position = {name: i for i, name in enumerate(first if kind == "wide" else header)}
    stamp = _times([f[position[time_column]] for _, f in data], lines, time_column, source)
    prices = _prices({col: [f[position[col]] for _, f in data] for col in wanted.values()},
                     lines, source)

    ticks = stamp.asi8
    step = np.diff(ticks)
    if (step <= 0).any():
        i = int(np.argmax(step <= 0)) + 1
        what = "repeats the timestamp" if step[i - 1] == 0 else "is earlier than the timestamp"
        raise ScenarioError(f"{source} line {lines[i]}, column {time_column!r}: {stamp[i]} {what} "
                            f"on line {lines[i - 1]}; rows must be in time order without repeats")

    index = pd.DatetimeIndex(stamp, name="timestamp", freq="infer" if len(stamp) >= 3 else None)
    frame = pd.DataFrame({sym: prices[col] for sym, col in wanted.items()}, index=index)
    what = f"{symbol} {price} prices" if kind == "kline" else ", ".join(frame.columns)
    description = (f"Prices loaded from {source}: {what}, {len(frame)} rows from "
                   f"{index[0]:%Y-%m-%d %H:%M} to {index[-1]:%Y-%m-%d %H:%M} UTC.")
    frame.attrs.update(name=stem, description=description, stylized=False, seed=None,
                       parameters=dict(symbol=symbol, price=price), source=source)
    return frame
