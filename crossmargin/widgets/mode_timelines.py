"""Mode timelines: one price path replayed isolated and cross, drawn as two stacked plots.

Top: how far each price has moved from the start of the path (%), coloured by the
side of the position on it (long green, short purple). Bottom: the account's
equity in each margin mode (isolated orange, cross blue), with every liquidation
marked in vermillion. The x axis counts hours since the path's first row (UTC),
so a browser's time zone cannot shift it. Legends are HTML keys under each plot.

Give it the path and the runs of :func:`crossmargin.compare_modes` (or of
:func:`crossmargin.lessons.examples.run_example`)::

    _, runs = compare_modes(path, plan)
    ModeTimelines(path, runs, title="BTC crash, 10x")
"""
import bqplot as bq
import ipywidgets as W
import numpy as np
import pandas as pd

from .._validate import MARGIN_MODES, check_margin_mode
from ..engine.contracts import default_contracts
from ..errors import InvalidInput
from ..lessons.monitoring import event_rows
from ..simulation.replay import Replay
from . import style

__all__ = ["ModeTimelines"]

_SIDES = ("long", "short")


def _infer_sides(symbols, runs):
    """Side of each symbol from the runs' events (funding, stops, liquidations) and final
    positions; None where nothing tells it."""
    sides = dict.fromkeys(symbols)
    for run in runs.values():
        for symbol, side in zip(run.events["symbol"], run.events["side"]):
            if symbol in sides and side in _SIDES:
                sides[symbol] = side
        final = run.account.positions()
        for symbol in final.index:
            if symbol in sides:
                sides[symbol] = final.loc[symbol, "side"]
    return sides


class ModeTimelines(W.VBox):
    """Price moves and equity, isolated vs cross, over one replayed path.

    ``path``: the DataFrame of mark prices that was replayed; ``runs``: a dict of
    :class:`~crossmargin.simulation.replay.Replay` keyed by margin mode (``"isolated"``,
    ``"cross"``), each replayed over ``path``; ``title`` heads both plots; ``sides``
    (optional) maps symbols to ``"long"``/``"short"`` — by default it is read from
    the runs.

    Attributes: ``moves_figure`` with ``price_lines`` (dict by symbol) and its key
    ``moves_key``; ``equity_figure`` with ``equity_lines`` and
    ``liquidation_markers`` (dicts by mode) and its key ``equity_key``; ``x``
    (hours since the start, or step numbers without timestamps).
    """

    def __init__(self, path, runs, *, title="Isolated vs cross", sides=None):
        if not isinstance(path, pd.DataFrame) or path.empty:
            got = "an empty DataFrame" if isinstance(path, pd.DataFrame) else type(path).__name__
            raise InvalidInput(f"path must be a DataFrame of mark prices, one column per symbol "
                               f"(got {got})")
        if not isinstance(title, str):
            raise InvalidInput(f"title must be a text (got {title!r})")
        self.runs = self._check_runs(runs, path)
        symbols = [str(c) for c in path.columns]
        known = _infer_sides(symbols, self.runs)
        if sides is not None:
            if not isinstance(sides, dict):
                raise InvalidInput(f"sides must be a dict symbol -> 'long'/'short' (got {sides!r})")
            for symbol, side in sides.items():
                if symbol not in symbols or side not in _SIDES:
                    raise InvalidInput(f"sides[{symbol!r}] must be 'long' or 'short' for a "
                                       f"column of the path ({', '.join(symbols)}) (got {side!r})")
            known.update(sides)
        self.sides = known
        self.path = path
        self.x, x_label, ticks = style.time_axis(path.index)
        self._build_moves(path, symbols, title, x_label, ticks)
        self._build_equity(title, x_label, ticks)
        super().__init__([self.moves_figure, self.moves_key, self.equity_figure,
                          self.equity_key])
        self.add_class("cm-mode-timelines")

    @staticmethod
    def _check_runs(runs, path):
        if not isinstance(runs, dict) or not runs:
            raise InvalidInput(f"runs must be a dict of replays keyed by margin mode, as "
                               f"compare_modes returns (got {type(runs).__name__})")
        for mode, run in runs.items():
            check_margin_mode(mode, "runs key", listed=MARGIN_MODES[::-1])
            if not isinstance(run, Replay):
                raise InvalidInput(f"runs[{mode!r}] must be a Replay (got {type(run).__name__})")
            if len(run.timeline) != len(path) or not run.timeline.index.equals(path.index):
                raise InvalidInput(f"runs[{mode!r}] must be a replay of this path "
                                   f"({len(path)} rows; got {len(run.timeline)} rows)")
        return {mode: runs[mode] for mode in MARGIN_MODES[::-1] if mode in runs}

    def _build_moves(self, path, symbols, title, x_label, ticks):
        xs = bq.LinearScale(min=float(self.x[0]), max=float(self.x[-1]))
        ys = bq.LinearScale()
        specs = default_contracts()
        self.price_lines, entries = {}, []
        for symbol in symbols:
            prices = path[symbol].to_numpy(dtype=float)
            side = self.sides.get(symbol)
            colour = style.COLORS[side] if side else style.COLORS["price"]
            base = specs[symbol].base if symbol in specs else symbol
            self.price_lines[symbol] = bq.Lines(x=self.x, y=(prices / prices[0] - 1) * 100,
                                                scales={"x": xs, "y": ys}, colors=[colour],
                                                stroke_width=2)
            entries.append((f"{base} ({side} leg)" if side else base, colour, "line"))
        self.moves_figure, _, _ = style.figure(
            f"{title}: prices", x_label, "move from start (%)", x_scale=xs, y_scale=ys,
            css_class="cm-moves-figure", marks=list(self.price_lines.values()))
        if ticks is not None:
            self.moves_figure.axes[0].tick_values = ticks
        self.moves_key = style.key(entries)

    def _build_equity(self, title, x_label, ticks):
        xs = bq.LinearScale(min=float(self.x[0]), max=float(self.x[-1]))
        ys = bq.LinearScale()
        sc = {"x": xs, "y": ys}
        self.equity_lines, self.liquidation_markers = {}, {}
        entries = []
        for mode, run in self.runs.items():
            equity = run.timeline[("account", "equity")].to_numpy(dtype=float)
            self.equity_lines[mode] = bq.Lines(x=self.x, y=equity, scales=sc,
                                               colors=[style.COLORS[mode]], stroke_width=3)
            entries.append((f"equity, {mode}", style.COLORS[mode], "line"))
        for mode, run in self.runs.items():
            rows = np.unique(event_rows(run, "liquidation"))
            equity = run.timeline[("account", "equity")].to_numpy(dtype=float)
            self.liquidation_markers[mode] = bq.Scatter(
                x=self.x[rows], y=equity[rows], scales=sc, marker="cross",
                colors=[style.COLORS["liquidation"]], default_size=160)
        if any(len(m.x) for m in self.liquidation_markers.values()):
            entries.append(("liquidation", style.COLORS["liquidation"], "✚"))
        self.equity_figure, _, _ = style.figure(
            f"{title}: equity", x_label, "equity (USDT)", x_scale=xs, y_scale=ys,
            css_class="cm-equity-figure",
            marks=[*self.equity_lines.values(), *self.liquidation_markers.values()])
        if ticks is not None:
            self.equity_figure.axes[0].tick_values = ticks
        self.equity_key = style.key(entries)
