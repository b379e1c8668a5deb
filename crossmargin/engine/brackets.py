"""Maintenance-margin brackets (tiers): lookup by notional and the cum rule.

A position's maintenance margin is ``notional * MMR - cum`` with ``(MMR, cum)``
from the last tier whose floor <= notional. Binance's maintenance amount rule
("Leverage and Margin of USDⓈ-M Futures" FAQ) makes it continuous across tiers::

    cum[0] = 0;  cum[n] = cum[n-1] + floor[n] * (MMR[n] - MMR[n-1])

A table whose venue has **no** deduction by design (OKX: one MMR for the whole
position of a tier, ``MM = notional * MMR``) says ``"deduction": "none"``: every
maintenance amount is then 0 and the cum rule is not applied (see
:meth:`Brackets.without_deduction`).

Shipped tables live in ``crossmargin/data/brackets/*.json``, each with its
date and source; ``Brackets.load("BTCUSDT")`` reads one. Your own tables go in
the ``brackets/`` folder of a ``CROSSMARGIN_DATA_PATH`` entry (see
:mod:`crossmargin.datafiles`); the format is in notebooks/adapting-lessons.md.
"""
import bisect
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import datafiles
from .._validate import finite
from ..errors import CrossMarginError, InvalidInput, UnknownSymbol

TABLE_FIELDS = ("symbol", "date", "source", "illustrative", "deduction", "tiers")
#: A table's ``deduction``: ``"cum"`` (the default; maintenance amounts follow the cum rule,
#: checked on load) or ``"none"`` (no deduction by design, every maintenance amount 0).
DEDUCTIONS = ("cum", "none")
TIER_FIELDS = ("floor", "cap", "maintenance_margin_rate", "max_leverage", "maintenance_amount")
#: Tables read from files by (path, modification time, size): a file is parsed again only when
#: it changes, and the accounts share its table (arrays made read-only).
_LOADED = {}

__all__ = ["Brackets", "maintenance_amounts", "available_tables"]


def maintenance_amounts(floors, rates):
    """The cum rule: maintenance amount of every tier from its floor and MMR."""
    cum = [0.0]
    for n in range(1, len(floors)):
        cum.append(cum[-1] + floors[n] * (rates[n] - rates[n - 1]))
    return cum


@dataclass(frozen=True, eq=False)
class Brackets:
    """One symbol's tier table.

    ``floors``, ``caps`` (notional range ``floor <= notional < cap``),
    ``maintenance_margin_rates``, ``max_leverages`` and ``maintenance_amounts``
    are numpy arrays, one entry per tier. Build it with :meth:`from_tiers`
    (cum computed by the rule), :meth:`published` (cum checked against it) or
    :meth:`without_deduction` (every maintenance amount 0; ``deduction == "none"``).
    """

    symbol: str
    floors: np.ndarray
    caps: np.ndarray
    maintenance_margin_rates: np.ndarray
    max_leverages: np.ndarray
    maintenance_amounts: np.ndarray
    date: str = ""
    source: str = ""
    illustrative: bool = False
    #: ``"cum"`` (amounts by the cum rule) or ``"none"`` (no deduction by design, all 0).
    deduction: str = "cum"
    _floor_list: list = field(init=False, repr=False)
    #: ``(floor, cap, MMR, cum)`` per tier, as plain floats (for scalar loops).
    tiers: list = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_floor_list", [float(f) for f in self.floors])
        object.__setattr__(self, "tiers", list(zip(
            self._floor_list, map(float, self.caps), map(float, self.maintenance_margin_rates),
            map(float, self.maintenance_amounts))))

    @classmethod
    def from_tiers(cls, symbol, floors, rates, max_leverages, *, last_cap=math.inf,
                   date="", source="", illustrative=False):
        """Build a table from floors and MMRs; maintenance amounts by the cum rule."""
        floors = [float(f) for f in floors]
        rates = [float(r) for r in rates]
        levs = [float(v) for v in max_leverages]
        _check_shape(symbol, floors, rates, levs, last_cap)
        cum = maintenance_amounts(floors, rates)
        caps = floors[1:] + [float(last_cap)]
        return cls(symbol, np.array(floors), np.array(caps), np.array(rates), np.array(levs),
                   np.array(cum), date, source, illustrative)

    @classmethod
    def published(cls, symbol, floors, rates, max_leverages, cum, *, last_cap=math.inf,
                  date="", source="", illustrative=False, tolerance=0.01):
        """Build a table from a published one, refusing it if its cum breaks the rule."""
        table = cls.from_tiers(symbol, floors, rates, max_leverages, last_cap=last_cap,
                               date=date, source=source, illustrative=illustrative)
        for n, (given, expected) in enumerate(zip(cum, table.maintenance_amounts)):
            if abs(float(given) - expected) > tolerance:
                raise InvalidInput(
                    f"{symbol} tier {n + 1}: maintenance amount (cum) must be {expected:,.2f} "
                    f"by the cum rule (got {float(given):,.2f})")
        return cls(table.symbol, table.floors, table.caps, table.maintenance_margin_rates,
                   table.max_leverages, np.array([float(c) for c in cum]), date, source,
                   illustrative)

    @classmethod
    def without_deduction(cls, symbol, floors, rates, max_leverages, *, last_cap=math.inf,
                          date="", source="", illustrative=False):
        """A table with no maintenance deduction by design: ``MM = notional * MMR`` of the
        tier, every maintenance amount 0, the cum rule not applied. OKX applies one MMR to
        the whole position of a tier (OKX help "Tiered maintenance margin ratio rules")."""
        table = cls.from_tiers(symbol, floors, rates, max_leverages, last_cap=last_cap)
        return cls(table.symbol, table.floors, table.caps, table.maintenance_margin_rates,
                   table.max_leverages, np.zeros(len(table.floors)), date, source,
                   illustrative, "none")

    @classmethod
    def load(cls, name, *, folder=None):
        """A table by name (its file stem), e.g. ``"BTCUSDT"`` or ``"BTCUSDT-2021"``: shipped,
        in the ``brackets/`` folder of a ``CROSSMARGIN_DATA_PATH`` entry, or in ``folder``.
        A bad file raises InvalidInput naming the file and the field. The table is shared
        and read-only: build a new one with :meth:`from_tiers` to change it."""
        path = datafiles.find("brackets", name, (".json",), folder)
        if path is None:
            raise UnknownSymbol(f"brackets table {name!r} is not shipped (known: "
                                f"{', '.join(available_tables(folder))}); your own tables go in "
                                f"a brackets/ folder of {datafiles.ENV}")
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in _LOADED:
            data = datafiles.read_json(path)
            try:
                table = cls.from_dict(data)
            except CrossMarginError as err:
                raise InvalidInput(f"{path.name}: {err}") from None
            for array in (table.floors, table.caps, table.maintenance_margin_rates,
                          table.max_leverages, table.maintenance_amounts):
                array.flags.writeable = False
            _LOADED[key] = table
        return _LOADED[key]

    @classmethod
    def from_json(cls, text):
        """Read the JSON format of ``crossmargin/data/brackets`` (see :meth:`from_dict`)."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data):
        """A table from its JSON object: ``symbol``, ``date``, ``source``, ``illustrative``,
        ``deduction`` (``"cum"``, the default, or ``"none"``) and ``tiers``, a list of
        ``{floor, cap, maintenance_margin_rate, max_leverage, maintenance_amount}`` (``cap``
        may be left out of the last tier: no cap). With ``"deduction": "none"`` every
        ``maintenance_amount`` must be 0."""
        datafiles.check_fields(data, TABLE_FIELDS, required=("symbol", "tiers"))
        symbol, tiers = data["symbol"], data["tiers"]
        if not isinstance(symbol, str) or not symbol:
            raise InvalidInput(f"symbol must be a name like 'BTCUSDT' (got {symbol!r})")
        for key in ("date", "source"):
            if not isinstance(data.get(key, ""), str):
                raise InvalidInput(f"{key} must be text (got {data[key]!r})")
        datafiles.flag(data.get("illustrative", False), "illustrative")
        deduction = data.get("deduction", "cum")
        if deduction not in DEDUCTIONS:
            raise InvalidInput(f"deduction must be one of {', '.join(map(repr, DEDUCTIONS))} "
                               f"(got {deduction!r})")
        if not isinstance(tiers, list) or not tiers:
            raise InvalidInput(f"tiers must be a non-empty list of tiers (got {tiers!r})")
        rows = []
        for n, tier in enumerate(tiers):
            where = f"tiers[{n}]"
            datafiles.check_fields(tier, TIER_FIELDS, required=tuple(
                k for k in TIER_FIELDS if k != "cap"), where=where)
            rows.append({k: datafiles.number(v, f"{where}.{k}", finite)
                         for k, v in tier.items() if v is not None})
        for n in range(len(rows) - 1):
            if rows[n].get("cap", rows[n + 1]["floor"]) != rows[n + 1]["floor"]:
                raise InvalidInput(f"tiers[{n}].cap must equal the next tier's floor "
                                   f"{rows[n + 1]['floor']:,.0f} (got {rows[n]['cap']:,.0f})")
        common = dict(last_cap=rows[-1].get("cap", math.inf), date=data.get("date", ""),
                      source=data.get("source", ""),
                      illustrative=data.get("illustrative", False))
        floors = [t["floor"] for t in rows]
        rates = [t["maintenance_margin_rate"] for t in rows]
        levs = [t["max_leverage"] for t in rows]
        if deduction == "none":
            for n, tier in enumerate(rows):
                if tier["maintenance_amount"] != 0:
                    raise InvalidInput(f"tiers[{n}].maintenance_amount must be 0 in a table "
                                       f"with \"deduction\": \"none\" (got "
                                       f"{tier['maintenance_amount']!r})")
            return cls.without_deduction(symbol, floors, rates, levs, **common)
        return cls.published(symbol, floors, rates, levs,
                             [t["maintenance_amount"] for t in rows], **common)

    # -- lookup ------------------------------------------------------------------------
    def tier(self, notional):
        """Index of the tier that holds ``notional`` (scalar or array)."""
        if isinstance(notional, (float, int)) or np.ndim(notional) == 0:   # the cheap test first
            return max(bisect.bisect_right(self._floor_list, float(notional)) - 1, 0)
        idx = np.searchsorted(self.floors, np.asarray(notional, float), side="right") - 1
        return np.maximum(idx, 0)

    def lookup(self, notional):
        """``(MMR, cum)`` of the tier that holds ``notional`` (scalars or arrays)."""
        i = self.tier(notional)
        if isinstance(i, int):
            return self.tiers[i][2], self.tiers[i][3]
        return self.maintenance_margin_rates[i], self.maintenance_amounts[i]

    def max_leverage(self, notional=0.0):
        """Highest leverage allowed for a position of this notional."""
        i = self.tier(notional)
        return float(self.max_leverages[i]) if np.ndim(i) == 0 else self.max_leverages[i]

    def max_notional(self, leverage):
        """Largest notional a position may reach at ``leverage`` (cap of the last tier allowing it)."""
        allowed = np.flatnonzero(self.max_leverages >= leverage)
        return float(self.caps[allowed[-1]]) if allowed.size else 0.0

    @property
    def max_position_notional(self):
        """The table's last cap: no position may be larger."""
        return float(self.caps[-1])

    def to_frame(self):
        """The table as a DataFrame, one row per tier."""
        return pd.DataFrame({
            "tier": np.arange(1, len(self.floors) + 1),
            "notional_floor": self.floors, "notional_cap": self.caps,
            "maintenance_margin_rate": self.maintenance_margin_rates,
            "max_leverage": self.max_leverages,
            "maintenance_amount": self.maintenance_amounts,
        }).set_index("tier")

    def __repr__(self):
        label = " (illustrative)" if self.illustrative else ""
        label += ", no deduction" if self.deduction == "none" else ""
        return (f"Brackets({self.symbol}{label}, {len(self.floors)} tiers, "
                f"snapshot {self.date or 'undated'})")


def _check_shape(symbol, floors, rates, levs, last_cap):
    if not (len(floors) == len(rates) == len(levs)) or not floors:
        raise InvalidInput(f"{symbol}: floors, rates and max leverages must have the same, "
                           f"non-zero length (got {len(floors)}, {len(rates)}, {len(levs)})")
    if floors[0] != 0:
        raise InvalidInput(f"{symbol}: the first floor must be 0 (got {floors[0]})")
    for n in range(1, len(floors)):
        if not floors[n] > floors[n - 1]:
            raise InvalidInput(f"{symbol} tier {n + 1}: floor must be > {floors[n - 1]:,.0f} "
                               f"(got {floors[n]:,.0f})")
        if not rates[n] >= rates[n - 1]:
            raise InvalidInput(f"{symbol} tier {n + 1}: maintenance margin rate must be >= "
                               f"{rates[n - 1]} (got {rates[n]})")
    for n, (r, v) in enumerate(zip(rates, levs)):
        if not 0 < r < 1:
            raise InvalidInput(f"{symbol} tier {n + 1}: maintenance margin rate must be in "
                               f"(0, 1) (got {r})")
        if not v >= 1:
            raise InvalidInput(f"{symbol} tier {n + 1}: max leverage must be >= 1 (got {v})")
    if not last_cap > floors[-1]:
        raise InvalidInput(f"{symbol}: last cap must be > {floors[-1]:,.0f} (got {last_cap})")


def available_tables(folder=None):
    """Names of the bracket tables: shipped, from ``CROSSMARGIN_DATA_PATH``, from ``folder``."""
    return sorted(datafiles.files("brackets", (".json",), folder))
